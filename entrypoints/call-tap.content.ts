/**
 * Call tap, page side (main world, document_start): the fallback where tab capture is refused or
 * the console runs in a window of its own (issue #7). It notes every `RTCPeerConnection` and
 * every microphone track the page opens; nothing else runs until the extension asks. On
 * `start` (posted by the call-tap bridge with two MessagePorts), it mixes the call's local tracks
 * (the agent's microphone) and remote tracks (the customer) into one two-channel AudioWorklet that
 * posts PCM chunks, buffers transferred, on the first port straight to the extension's audio
 * worker; the second port carries small status messages. Audio never travels as JSON or base64.
 */
import { adapterMatches } from '@/adapters/matches';

export default defineContentScript({
  // Only on console pages (adapters/*.json): nothing is patched anywhere else.
  matches: adapterMatches,
  world: 'MAIN',
  runAt: 'document_start',
  allFrames: false,
  main() {
    const PC = window.RTCPeerConnection;
    if (!PC || (window as unknown as { __sottoTap?: boolean }).__sottoTap) return;
    (window as unknown as { __sottoTap?: boolean }).__sottoTap = true;
    const pcs = new Set<RTCPeerConnection>();
    const micTracks = new WeakSet<MediaStreamTrack>();

    // Subclassing keeps `instanceof`, statics and the prototype chain the page expects.
    class TappedPC extends PC {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        pcs.add(this);
      }
    }
    Object.defineProperty(window, 'RTCPeerConnection', {
      value: TappedPC,
      writable: true,
      configurable: true,
    });
    const md = navigator.mediaDevices;
    if (md?.getUserMedia) {
      const gum = md.getUserMedia.bind(md);
      md.getUserMedia = async (c?: MediaStreamConstraints) => {
        const s = await gum(c);
        for (const t of s.getAudioTracks()) micTracks.add(t);
        return s;
      };
    }

    window.addEventListener('message', (e: MessageEvent) => {
      const d = e.data as { sotto?: string; action?: string } | null;
      if (e.source !== window || d?.sotto !== 'call-tap') return;
      if (d.action === 'start' && e.ports.length === 2) void start(e.ports[0]!, e.ports[1]!);
    });

    /** Local (agent) and remote (customer) audio tracks of the call's connections. */
    function tracks(): { agent: MediaStreamTrack[]; customer: MediaStreamTrack[] } {
      const open = [...pcs].filter((pc) => pc.signalingState !== 'closed');
      for (const pc of pcs) if (pc.signalingState === 'closed') pcs.delete(pc);
      const live = (t: MediaStreamTrack | null): t is MediaStreamTrack =>
        !!t && t.kind === 'audio' && t.readyState === 'live';
      // The call is the connection that sends the agent's microphone; a page may hold others
      // (a loopback test peer, a preview). Without a microphone, every connection's remote audio.
      const withMic = open.filter((pc) => pc.getSenders().some((s) => s.track && micTracks.has(s.track)));
      const calls = withMic.length > 0 ? withMic : open;
      return {
        agent: withMic.flatMap((pc) => pc.getSenders().map((s) => s.track)).filter(live),
        customer: calls.flatMap((pc) => pc.getReceivers().map((r) => r.track)).filter(live),
      };
    }

    async function start(pcm: MessagePort, ctl: MessagePort): Promise<void> {
      let ctx: AudioContext;
      try {
        ctx = new AudioContext({ latencyHint: 'playback' });
        await ctx.resume().catch(() => {});
        const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
        await ctx.audioWorklet.addModule(url);
        URL.revokeObjectURL(url);
      } catch (e) {
        ctl.postMessage({ type: 'error', reason: `the console page cannot run audio: ${String(e)}` });
        return;
      }
      const merger = ctx.createChannelMerger(2);
      const node = new AudioWorkletNode(ctx, 'sotto-pcm-tap', {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        channelCount: 2,
        channelCountMode: 'explicit',
        channelInterpretation: 'discrete',
      });
      const mute = ctx.createGain();
      mute.gain.value = 0;
      merger.connect(node).connect(mute).connect(ctx.destination);
      ctl.postMessage({ type: 'format', sampleRate: ctx.sampleRate });
      node.port.postMessage({ port: pcm }, [pcm]);
      const wired = new Map<MediaStreamTrack, MediaStreamAudioSourceNode>();
      let last = '';
      const scan = () => {
        const t = tracks();
        const want = new Map<MediaStreamTrack, number>();
        for (const x of t.agent) want.set(x, 0);
        for (const x of t.customer) want.set(x, 1);
        for (const [track, src] of wired)
          if (!want.has(track)) {
            src.disconnect();
            wired.delete(track);
          }
        for (const [track, input] of want)
          if (!wired.has(track)) {
            const src = ctx.createMediaStreamSource(new MediaStream([track]));
            src.connect(merger, 0, input);
            wired.set(track, src);
          }
        const sides = { agent: t.agent.length, customer: t.customer.length };
        const key = JSON.stringify(sides);
        if (key !== last) ctl.postMessage({ type: 'sides', ...sides });
        last = key;
      };
      scan();
      // Connections and tracks come and go during a call (answer, transfer, unplugged headset).
      const timer = setInterval(scan, 500);
      ctl.onmessage = (e: MessageEvent<{ type?: string }>) => {
        if (e.data?.type !== 'stop') return;
        clearInterval(timer);
        for (const src of wired.values()) src.disconnect();
        node.disconnect();
        void ctx.close().catch(() => {});
        ctl.close();
      };
    }
  },
});

/**
 * The AudioWorklet processor, loaded from a blob URL because a page cannot load worklet modules
 * from the extension. Same job as entrypoints/offscreen/audio-worklet.ts: channel 0 = agent,
 * channel 1 = customer, 2048-frame chunks posted with their buffers transferred.
 */
const WORKLET = `
const CHUNK = 2048;
class PcmTap extends AudioWorkletProcessor {
  constructor() {
    super();
    this.out = undefined;
    this.agent = new Float32Array(CHUNK);
    this.customer = new Float32Array(CHUNK);
    this.fill = 0;
    this.port.onmessage = (e) => { if (e.data && e.data.port) this.out = e.data.port; };
  }
  process(inputs) {
    const input = inputs[0] || [];
    const n = input[0] ? input[0].length : 128;
    let i = 0;
    while (i < n) {
      const take = Math.min(n - i, CHUNK - this.fill);
      const a = input[0], c = input[1];
      if (a) this.agent.set(a.subarray(i, i + take), this.fill); else this.agent.fill(0, this.fill, this.fill + take);
      if (c) this.customer.set(c.subarray(i, i + take), this.fill); else this.customer.fill(0, this.fill, this.fill + take);
      this.fill += take;
      i += take;
      if (this.fill === CHUNK) {
        if (this.out) this.out.postMessage({ agent: this.agent, customer: this.customer }, [this.agent.buffer, this.customer.buffer]);
        this.agent = new Float32Array(CHUNK);
        this.customer = new Float32Array(CHUNK);
        this.fill = 0;
      }
    }
    return true;
  }
}
registerProcessor('sotto-pcm-tap', PcmTap);
`;
