/**
 * AudioWorklet processor: copies the two merged channels (0 = agent microphone, 1 = customer tab)
 * into 2048-frame chunks and posts them straight to the audio worker over a MessagePort, with the
 * buffers transferred. Nothing else runs on the audio thread: resampling and analysis are the
 * worker's, so a slow analysis can never glitch the agent's audio.
 */

// The AudioWorkletGlobalScope, which TypeScript's DOM types do not describe.
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

/** ~43 ms at 48 kHz: few enough messages, short enough for a live silence timer. */
const CHUNK = 2048;

class PcmTap extends AudioWorkletProcessor {
  private out: MessagePort | undefined;
  private agent = new Float32Array(CHUNK);
  private customer = new Float32Array(CHUNK);
  private fill = 0;

  constructor() {
    super();
    this.port.onmessage = (e: MessageEvent<{ port?: MessagePort }>) => {
      if (e.data?.port) this.out = e.data.port;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0] ?? [];
    const n = input[0]?.length ?? 128;
    let i = 0;
    while (i < n) {
      const take = Math.min(n - i, CHUNK - this.fill);
      const a = input[0];
      const c = input[1];
      // A side with no source connected arrives as no channel at all: that is silence.
      if (a) this.agent.set(a.subarray(i, i + take), this.fill);
      else this.agent.fill(0, this.fill, this.fill + take);
      if (c) this.customer.set(c.subarray(i, i + take), this.fill);
      else this.customer.fill(0, this.fill, this.fill + take);
      this.fill += take;
      i += take;
      if (this.fill === CHUNK) {
        this.out?.postMessage({ agent: this.agent, customer: this.customer }, [
          this.agent.buffer,
          this.customer.buffer,
        ]);
        this.agent = new Float32Array(CHUNK);
        this.customer = new Float32Array(CHUNK);
        this.fill = 0;
      }
    }
    return true;
  }
}

registerProcessor('sotto-pcm-tap', PcmTap);
