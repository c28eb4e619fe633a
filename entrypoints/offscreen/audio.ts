/**
 * Call monitoring in the offscreen document: takes `call-capture` from the background, opens the
 * tab and the microphone, feeds the audio worker, and reports `call-state` (about four times a
 * second) and `call-event` (dead air, over-talk, speech segments) to the background. One call at
 * a time; a channel that fails or ends is reported and the other keeps going. The metrics live
 * here, not in the service worker, so a restarted service worker loses nothing.
 */
import * as Comlink from 'comlink';
import type { CallAnalyserEvent, CallReading } from '@/lib/audio/call-analyser';
import type { CallChannel } from '@/lib/audio/call-metrics';
import type { CallEventRecord, CallState, ChannelState, ChannelStatus } from '@/lib/audio/call-state';
import { type MessageOf, parseMessage, senderKind } from '@/lib/messages';
import { extensionId, extensionOrigin, extensionUrl, listen, send } from '@/platform/runtime';
import AudioWorker from '@/workers/audio.worker?worker';
import type { AudioWorkerApi } from '@/workers/audio.worker';
import { type Capture, type SideResult, openMic, openTab, wire } from './audio-capture';

const STATE_EVERY_MS = 250;
/** A side that has produced only digital silence this long is reported as silent. */
const SILENT_AFTER_MS = 4000;

let worker: Comlink.Remote<AudioWorkerApi> | undefined;
let ready: Promise<unknown> | undefined;

function audioWorker(): { api: Comlink.Remote<AudioWorkerApi>; ready: Promise<unknown> } {
  if (!worker) {
    worker = Comlink.wrap<AudioWorkerApi>(new AudioWorker());
    ready = worker.init({
      ortWasmUrl: extensionUrl('/ort/ort-wasm-simd-threaded.wasm'),
      vadUrl: extensionUrl('/vad/silero_vad_v5.onnx'),
    });
  }
  return { api: worker, ready: ready! };
}

interface Call {
  tabId: number;
  conversationId: string;
  startedAt: number;
  capture: Capture | undefined;
  status: Record<CallChannel, { status: ChannelStatus; reason?: string }>;
  /** A side has shown a non-silent frame. */
  heard: Record<CallChannel, boolean>;
  phase: CallState['phase'];
  reason?: string;
  timer: ReturnType<typeof setInterval> | undefined;
}

let call: Call | undefined;

async function start(msg: MessageOf<'call-capture'>): Promise<{ ok: boolean; reason?: string }> {
  if (call) await stop(call.tabId);
  const { api, ready: workerReady } = audioWorker();
  const c: Call = {
    tabId: msg.tabId,
    conversationId: msg.conversationId ?? `call-${msg.tabId}`,
    startedAt: Date.now(),
    capture: undefined,
    status: { agent: { status: 'off' }, customer: { status: 'off' } },
    heard: { agent: false, customer: false },
    phase: 'starting',
    timer: undefined,
  };
  call = c;
  await report(c);
  // One after the other: a microphone request made while the tab capture is pending is refused.
  const tab = await openTab(msg.streamId, msg.streamError);
  const mic: SideResult = msg.mic ? await openMic() : { status: 'off' };
  c.status = {
    agent: { status: mic.status, ...(mic.reason ? { reason: mic.reason } : {}) },
    customer: { status: tab.status, ...(tab.reason ? { reason: tab.reason } : {}) },
  };
  if (!tab.stream && !mic.stream) {
    c.phase = 'error';
    c.reason = [tab.reason, mic.reason].filter(Boolean).join('; ') || 'nothing to capture';
    await report(c);
    return { ok: false, reason: c.reason };
  }
  try {
    await workerReady;
    c.capture = await wire({ agent: mic, customer: tab });
    await api.start(
      Comlink.transfer({ sampleRate: c.capture.ctx.sampleRate, port: c.capture.port }, [c.capture.port]),
      Comlink.proxy((e: CallAnalyserEvent) => void onEvent(c, e)),
    );
    for (const ch of ['agent', 'customer'] as const) {
      const side = c.capture.sides[ch];
      if (!side.stream) await api.setAvailable(ch, false);
      // Unplugged headset, revoked permission, closed tab: that side stops, the other goes on.
      for (const track of side.stream?.getAudioTracks() ?? [])
        track.addEventListener('ended', () => {
          c.status[ch] = {
            status: 'ended',
            reason: ch === 'agent' ? 'the microphone went away' : 'the tab stopped sending audio',
          };
          void api.setAvailable(ch, false);
        });
    }
  } catch (e) {
    c.phase = 'error';
    c.reason = `audio analysis could not start: ${e instanceof Error ? e.message : String(e)}`;
    await c.capture?.close();
    await report(c);
    return { ok: false, reason: c.reason };
  }
  c.phase = 'live';
  c.timer = setInterval(() => void report(c), STATE_EVERY_MS);
  await report(c);
  return { ok: true };
}

async function stop(tabId: number): Promise<void> {
  const c = call;
  if (!c || c.tabId !== tabId) return;
  if (c.timer) clearInterval(c.timer);
  await c.capture?.close();
  await worker?.stop();
  c.phase = 'stopped';
  await report(c);
  call = undefined;
}

async function onEvent(c: Call, e: CallAnalyserEvent): Promise<void> {
  const event: CallEventRecord =
    e.type === 'segment'
      ? {
          type: 'segment',
          channel: e.channel,
          start: e.segment.start,
          end: e.segment.end,
          syllables: e.segment.syllables,
          rateSps: e.segment.rateSps,
          levelDbfs: e.segment.levelDbfs,
          ...(e.segment.pitchHz !== undefined ? { pitchHz: e.segment.pitchHz } : {}),
        }
      : e;
  await send({ type: 'call-event', tabId: c.tabId, conversationId: c.conversationId, event }).catch(() => {});
}

function channelState(c: Call, r: CallReading | undefined, ch: CallChannel): ChannelState {
  const x = r?.channels[ch];
  if (x && x.levelDbfs > -90) c.heard[ch] = true;
  let { status, reason } = c.status[ch];
  if (status === 'live' && !c.heard[ch] && (r?.processedMs ?? 0) > SILENT_AFTER_MS) {
    status = 'silent';
    reason = ch === 'customer' ? 'the tab is not playing any audio' : 'the microphone picks up no sound';
  }
  return {
    status,
    ...(reason ? { reason } : {}),
    speaking: r?.speaking[ch] ?? false,
    levelDbfs: x?.levelDbfs ?? -100,
    loudnessRiseDb: x?.loudness.riseDb ?? 0,
    shouting: x?.loudness.shouting ?? false,
    rateSps: x?.rateSps ?? 0,
    ...(x?.pitchHz !== undefined ? { pitchHz: x.pitchHz } : {}),
    talkMs: r?.talkMs[ch] ?? 0,
  };
}

async function report(c: Call): Promise<void> {
  const r = c.phase === 'starting' ? undefined : await worker?.reading().catch(() => undefined);
  const state: CallState = {
    tabId: c.tabId,
    conversationId: c.conversationId,
    phase: c.phase,
    ...(c.reason ? { reason: c.reason } : {}),
    startedAt: c.startedAt,
    elapsedMs: r?.processedMs ?? 0,
    agent: channelState(c, r, 'agent'),
    customer: channelState(c, r, 'customer'),
    silenceMs: r?.silenceMs ?? 0,
    overtalkMs: r?.overtalkMs ?? 0,
    talkRatio: r?.talkRatio ?? 0.5,
    interruptions: r?.interruptions ?? 0,
    deadAir: r?.deadAir ?? { count: 0, totalMs: 0, longestMs: 0 },
    overtalk: r?.overtalk ?? { count: 0, totalMs: 0, longestMs: 0 },
  };
  await send({ type: 'call-state', state }).catch(() => {});
}

listen((raw, sender) => {
  if ((raw as { target?: string } | null)?.target !== 'offscreen-audio') return undefined;
  const r = parseMessage(raw);
  if (!r.ok || r.message.type !== 'call-capture')
    return Promise.resolve({ ok: false, reason: r.ok ? 'not a call-capture message' : r.reason });
  if (senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page')
    return Promise.resolve({ ok: false, reason: 'call-capture is accepted from the background only' });
  const msg = r.message;
  return msg.action === 'start' ? start(msg) : stop(msg.tabId).then(() => ({ ok: true }));
});
