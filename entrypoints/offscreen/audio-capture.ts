/**
 * Opens the two sides of a call in the offscreen document and wires them into one AudioContext:
 * the tab (customer) from a tabCapture stream id, the microphone (agent), merged into one
 * two-channel AudioWorklet so both sides share a clock. The tab's audio is routed back to the
 * speakers: capturing a tab mutes it otherwise, and the agent must still hear the customer.
 */
import type { CallChannel } from '@/lib/audio/call-metrics';
import { type CallReason, micError, type SideStatus, tabError } from '@/lib/audio/call-reasons';
import workletUrl from './audio-worklet.ts?worker&url';

export interface SideResult extends SideStatus {
  stream?: MediaStream;
}

export interface Capture {
  ctx: AudioContext;
  /** The worker end of the worklet's chunk port. */
  port: MessagePort;
  sides: Record<CallChannel, SideResult>;
  close(): Promise<void>;
}

export async function openTab(
  streamId: string | undefined,
  streamError: { reasonKey: CallReason; detail?: string } | undefined,
): Promise<SideResult> {
  if (!streamId) return { status: 'unavailable', ...(streamError ?? { reasonKey: 'tabNotRequested' }) };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      // Chrome's tab-capture constraint form; the id is good for one getUserMedia call.
      audio: {
        mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: streamId },
      } as MediaTrackConstraints,
      video: false,
    });
    return { stream, status: 'live' };
  } catch (e) {
    return e instanceof DOMException ? tabError(e.name, e.message) : tabError('', String(e));
  }
}

export async function openMic(): Promise<SideResult> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      // Raw signal: gain control would flatten the loudness the shouting measure compares, and
      // echo cancellation would eat the agent's voice whenever both talk at once.
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      video: false,
    });
    return { stream, status: 'live' };
  } catch (e) {
    return e instanceof DOMException ? micError(e.name, e.message) : micError('', String(e));
  }
}

export async function wire(sides: Record<CallChannel, SideResult>): Promise<Capture> {
  const ctx = new AudioContext({ latencyHint: 'playback' });
  // An offscreen document has no user gesture; capture contexts may start suspended.
  await ctx.resume().catch(() => {});
  await ctx.audioWorklet.addModule(workletUrl);
  const merger = ctx.createChannelMerger(2);
  const node = new AudioWorkletNode(ctx, 'sotto-pcm-tap', {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    channelCount: 2,
    channelCountMode: 'explicit',
    channelInterpretation: 'discrete',
  });
  const sources: MediaStreamAudioSourceNode[] = [];
  (['agent', 'customer'] as const).forEach((ch, input) => {
    const stream = sides[ch].stream;
    if (!stream) return;
    const src = ctx.createMediaStreamSource(stream);
    src.connect(merger, 0, input);
    if (ch === 'customer') src.connect(ctx.destination);
    sources.push(src);
  });
  // The worklet must be pulled by the graph to run; its (silent) output goes nowhere audible.
  const mute = ctx.createGain();
  mute.gain.value = 0;
  merger.connect(node).connect(mute).connect(ctx.destination);
  const channel = new MessageChannel();
  node.port.postMessage({ port: channel.port1 }, [channel.port1]);
  return {
    ctx,
    port: channel.port2,
    sides,
    async close() {
      for (const s of sources) s.disconnect();
      node.disconnect();
      for (const side of Object.values(sides)) for (const t of side.stream?.getTracks() ?? []) t.stop();
      await ctx.close().catch(() => {});
    },
  };
}
