/**
 * Silero VAD v5 run by onnxruntime-web. The ORT module is injected (the audio worker passes
 * `onnxruntime-web/wasm`, Node tests and the bench pass `onnxruntime-web`), so this file has no
 * browser globals. One session serves every channel; each channel has its own recurrent state
 * and audio context, as the model is stateful.
 *
 * v5 I/O: `input` float32 [1, 576] = the previous frame's last 64 samples + 512 new ones at
 * 16 kHz; `state` float32 [2, 1, 128] fed back from `stateN`; `sr` int64 scalar; `output` [1, 1].
 */
import type * as Ort from 'onnxruntime-web';
import { FRAME_SAMPLES } from './frames';

export type VadOrt = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

const CONTEXT = 64;
const STATE_SIZE = 2 * 1 * 128;

/** Anything that turns one 512-sample frame into a speech probability. */
export interface VadChannel {
  prob(frame: Float32Array): Promise<number>;
  reset(): void;
}

export class SileroVad {
  /** ORT sessions must not run concurrently; calls queue here. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ort: VadOrt,
    private readonly session: Ort.InferenceSession,
  ) {}

  static async load(ort: VadOrt, model: Uint8Array): Promise<SileroVad> {
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    for (const name of ['input', 'state', 'sr'])
      if (!session.inputNames.includes(name))
        throw new Error(`not a Silero VAD v5 model: inputs are [${session.inputNames.join(', ')}]`);
    if (!session.outputNames.includes('output') || !session.outputNames.includes('stateN'))
      throw new Error(`not a Silero VAD v5 model: outputs are [${session.outputNames.join(', ')}]`);
    return new SileroVad(ort, session);
  }

  channel(): VadChannel {
    const input = new Float32Array(CONTEXT + FRAME_SAMPLES);
    let state = new Float32Array(STATE_SIZE);
    const sr = new this.ort.Tensor('int64', BigInt64Array.from([16000n]), []);
    const run = async (frame: Float32Array): Promise<number> => {
      if (frame.length !== FRAME_SAMPLES) throw new RangeError(`VAD frames are ${FRAME_SAMPLES} samples`);
      input.copyWithin(0, FRAME_SAMPLES, FRAME_SAMPLES + CONTEXT);
      input.set(frame, CONTEXT);
      const feeds = {
        input: new this.ort.Tensor('float32', input.slice(), [1, CONTEXT + FRAME_SAMPLES]),
        state: new this.ort.Tensor('float32', state, [2, 1, 128]),
        sr,
      };
      const out = await this.session.run(feeds);
      state = (out.stateN!.data as Float32Array).slice();
      return (out.output!.data as Float32Array)[0]!;
    };
    return {
      prob: (frame) => {
        const task = this.queue.then(() => run(frame));
        this.queue = task.catch(() => {});
        return task;
      },
      reset: () => {
        input.fill(0);
        state = new Float32Array(STATE_SIZE);
      },
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
