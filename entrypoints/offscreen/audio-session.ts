/**
 * One monitored call on the extension side, whatever captures it: the offscreen document (tab
 * capture + microphone) or the tap frame (the console's own WebRTC tracks, handed over on a
 * MessagePort). Feeds the audio worker and reports `call-state` (about four times a second) and
 * `call-event` (dead air, over-talk, speech segments) to the background. A channel that fails or
 * ends is reported and the other keeps going; the metrics live here, not in the service worker,
 * so a restarted service worker loses nothing.
 */
import * as Comlink from 'comlink';
import type { CallAnalyserEvent, CallReading } from '@/lib/audio/call-analyser';
import type { CallChannel } from '@/lib/audio/call-metrics';
import { CallRuleWatch } from '@/lib/audio/call-rules';
import type { CallEventRecord, CallState, ChannelState, ChannelStatus } from '@/lib/audio/call-state';
import { newId } from '@/lib/ids';
import { Rulebook } from '@/lib/rules/schema';
import { extensionUrl, send } from '@/platform/runtime';
import AudioWorker from '@/workers/audio.worker?worker';
import type { AudioWorkerApi } from '@/workers/audio.worker';

const STATE_EVERY_MS = 250;
/** A side that has produced only digital silence this long is reported as silent. */
const SILENT_AFTER_MS = 4000;

/** The shipped rulebooks: their call-metric rules are checked on every reading. */
const SHIPPED_RULEBOOKS = import.meta.glob<unknown>('../../rulebooks/*.json', {
  eager: true,
  import: 'default',
});
let books: Rulebook[] | undefined;
function shippedRulebooks(): Rulebook[] {
  books ??= Object.values(SHIPPED_RULEBOOKS).flatMap((json) => {
    const r = Rulebook.safeParse(json);
    return r.success ? [r.data] : [];
  });
  return books;
}

let worker: Comlink.Remote<AudioWorkerApi> | undefined;
let ready: Promise<unknown> | undefined;

export function audioWorker(): { api: Comlink.Remote<AudioWorkerApi>; ready: Promise<unknown> } {
  if (!worker) {
    worker = Comlink.wrap<AudioWorkerApi>(new AudioWorker());
    ready = worker.init({
      ortWasmUrl: extensionUrl('/ort/ort-wasm-simd-threaded.wasm'),
      vadUrl: extensionUrl('/vad/silero_vad_v5.onnx'),
    });
  }
  return { api: worker, ready: ready! };
}

export interface SideStatus {
  status: ChannelStatus;
  reason?: string;
}

/** What the session analyses: both channels interleaved in chunks on a port, at one rate. */
export interface SessionInput {
  sampleRate: number;
  /** Receives `{agent, customer}` Float32Array chunks (an AudioWorklet's other end). */
  port: MessagePort;
  close(): Promise<void>;
}

export class CallSession {
  readonly startedAt = Date.now();
  phase: CallState['phase'] = 'starting';
  reason: string | undefined;
  readonly status: Record<CallChannel, SideStatus> = {
    agent: { status: 'off' },
    customer: { status: 'off' },
  };
  /** A side has shown a non-silent frame. */
  private readonly heard: Record<CallChannel, boolean> = { agent: false, customer: false };
  private input: SessionInput | undefined;
  private readonly rules = new CallRuleWatch(shippedRulebooks());
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly tabId: number,
    readonly conversationId: string,
  ) {}

  /** Reports the `starting` phase; call before opening sources, which can take a while. */
  announce(): Promise<void> {
    return this.report();
  }

  async fail(reason: string): Promise<{ ok: false; reason: string }> {
    this.phase = 'error';
    this.reason = reason;
    await this.input?.close();
    await this.report();
    return { ok: false, reason };
  }

  /** Starts analysing `input`; `status` says which sides it carries. */
  async begin(
    input: SessionInput,
    status: Record<CallChannel, SideStatus>,
  ): Promise<{ ok: boolean; reason?: string }> {
    this.input = input;
    Object.assign(this.status, status);
    const { api, ready: workerReady } = audioWorker();
    try {
      await workerReady;
      await api.start(
        Comlink.transfer({ sampleRate: input.sampleRate, port: input.port }, [input.port]),
        Comlink.proxy((e: CallAnalyserEvent) => void this.onEvent(e)),
      );
      for (const ch of ['agent', 'customer'] as const)
        if (!this.carries(ch)) await api.setAvailable(ch, false);
    } catch (e) {
      return this.fail(`audio analysis could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.phase = 'live';
    this.timer = setInterval(() => void this.report(), STATE_EVERY_MS);
    await this.report();
    return { ok: true };
  }

  /**
   * A side changed: a track ended (unplugged headset, closed tab), or a new one arrived (the
   * console added the microphone late). The other side keeps going either way.
   */
  async setSide(ch: CallChannel, s: SideStatus): Promise<void> {
    const was = this.carries(ch);
    this.status[ch] = s;
    if (this.phase !== 'live' || was === this.carries(ch)) return;
    await worker?.setAvailable(ch, this.carries(ch));
  }

  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.input?.close();
    if (this.phase === 'live') await worker?.stop();
    if (this.phase !== 'error') this.phase = 'stopped';
    await this.report();
  }

  private carries(ch: CallChannel): boolean {
    return this.status[ch].status === 'live' || this.status[ch].status === 'silent';
  }

  private async onEvent(e: CallAnalyserEvent): Promise<void> {
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
    await send({ type: 'call-event', tabId: this.tabId, conversationId: this.conversationId, event }).catch(
      () => {},
    );
  }

  private channelState(r: CallReading | undefined, ch: CallChannel): ChannelState {
    const x = r?.channels[ch];
    if (x && x.levelDbfs > -90) this.heard[ch] = true;
    let { status, reason } = this.status[ch];
    if (status === 'live' && !this.heard[ch] && (r?.processedMs ?? 0) > SILENT_AFTER_MS) {
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

  private async report(): Promise<void> {
    const r = this.phase === 'starting' ? undefined : await worker?.reading().catch(() => undefined);
    const state: CallState = {
      tabId: this.tabId,
      conversationId: this.conversationId,
      phase: this.phase,
      ...(this.reason ? { reason: this.reason } : {}),
      startedAt: this.startedAt,
      elapsedMs: r?.processedMs ?? 0,
      agent: this.channelState(r, 'agent'),
      customer: this.channelState(r, 'customer'),
      silenceMs: r?.silenceMs ?? 0,
      overtalkMs: r?.overtalkMs ?? 0,
      talkRatio: r?.talkRatio ?? 0.5,
      interruptions: r?.interruptions ?? 0,
      deadAir: r?.deadAir ?? { count: 0, totalMs: 0, longestMs: 0 },
      overtalk: r?.overtalk ?? { count: 0, totalMs: 0, longestMs: 0 },
    };
    await send({ type: 'call-state', state }).catch(() => {});
    if (!r || this.phase !== 'live') return;
    for (const finding of this.rules.check(r, this.conversationId, this.startedAt + r.processedMs, newId))
      await send({ type: 'call-finding', finding }).catch(() => {});
  }
}
