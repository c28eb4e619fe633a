/**
 * One monitored call on the extension side, whatever captures it: the offscreen document (tab
 * capture + microphone) or the tap frame (the console's own WebRTC tracks, handed over on a
 * MessagePort). Feeds the audio worker and reports `call-state` (about four times a second) and
 * `call-event` (dead air, over-talk, speech segments) to the background. A channel that fails or
 * ends is reported and the other keeps going; the metrics live here, not in the service worker,
 * so a restarted service worker loses nothing.
 */
import * as Comlink from 'comlink';
import type { AsrConfig } from '@/lib/asr/config';
import { asrUtterance } from '@/lib/asr/utterances';
import type { CallAnalyserEvent, CallReading } from '@/lib/audio/call-analyser';
import { callEventFinding, callSummaryFinding } from '@/lib/audio/call-findings';
import type { CallChannel } from '@/lib/audio/call-metrics';
import {
  type CallReason,
  carries,
  reportedSide,
  SILENCE_DBFS,
  type SideStatus,
} from '@/lib/audio/call-reasons';
import { CallRuleWatch } from '@/lib/audio/call-rules';
import type { CallEventRecord, CallState, ChannelState } from '@/lib/audio/call-state';
import type { Finding } from '@/lib/finding';
import { newId } from '@/lib/ids';
import { Rulebook } from '@/lib/rules/schema';
import { extensionUrl, send } from '@/platform/runtime';
import AudioWorker from '@/workers/audio.worker?worker';
import type { AudioWorkerApi } from '@/workers/audio.worker';
import type { AsrWorkerApi, AsrWorkerEvent } from './asr-worker';
import AsrWorker from './asr-worker?worker';

export type { SideStatus } from '@/lib/audio/call-reasons';

const STATE_EVERY_MS = 250;

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
  reasonKey: CallReason | undefined;
  detail: string | undefined;
  readonly status: Record<CallChannel, SideStatus> = {
    agent: { status: 'off' },
    customer: { status: 'off' },
  };
  /** A side has shown a non-silent frame. */
  private readonly heard: Record<CallChannel, boolean> = { agent: false, customer: false };
  private input: SessionInput | undefined;
  private readonly rules = new CallRuleWatch(shippedRulebooks());
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The speech server feed, when one is configured. */
  private asr: { api: Comlink.Remote<AsrWorkerApi>; worker: Worker; ports: MessagePort[] } | undefined;
  private asrState: CallState['asr'];
  /** Epoch ms each side's speech stream opened: its results' times count from there. */
  private readonly asrOpenedAt: Partial<Record<CallChannel, number>> = {};
  /** Finding times already used: each call finding keeps a time (and so a stored slot) of its own. */
  private lastFindingTs = 0;
  private last: CallState | undefined;

  constructor(
    readonly tabId: number,
    readonly conversationId: string,
    /** The organisation's speech server; undefined: no audio leaves the device. */
    private readonly asrConfig?: AsrConfig,
  ) {}

  /** Reports the `starting` phase; call before opening sources, which can take a while. */
  announce(): Promise<void> {
    return this.report();
  }

  async fail(reasonKey: CallReason, detail?: string): Promise<{ ok: false; reason: string }> {
    this.phase = 'error';
    this.reasonKey = reasonKey;
    this.detail = detail;
    await this.input?.close();
    await this.report();
    return { ok: false, reason: detail ? `${reasonKey}: ${detail}` : reasonKey };
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
      const analysed = this.asrConfig ? this.teeToAsr(input) : input.port;
      await api.start(
        Comlink.transfer({ sampleRate: input.sampleRate, port: analysed }, [analysed]),
        Comlink.proxy((e: CallAnalyserEvent) => void this.onEvent(e)),
      );
      for (const ch of ['agent', 'customer'] as const)
        if (!this.carries(ch)) await api.setAvailable(ch, false);
    } catch (e) {
      return this.fail('audioFailed', e instanceof Error ? e.message : String(e));
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
    // Its speech stream follows it: opened when the side gets a source, ended (the server's last
    // words for that side still arrive) when it loses it.
    if (this.carries(ch)) await this.asr?.api.openChannel(ch).catch(() => {});
    else await this.asr?.api.endChannel(ch).catch(() => {});
  }

  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.input?.close();
    if (this.phase === 'live') await worker?.stop();
    await this.stopAsr();
    const wasLive = this.phase === 'live';
    if (this.phase !== 'error') this.phase = 'stopped';
    await this.report();
    // The call's numbers, kept with the conversation (and the last readings are final now).
    const summary = wasLive && this.last ? callSummaryFinding(this.last, newId) : undefined;
    if (summary) await this.sendFinding(summary);
  }

  private carries(ch: CallChannel): boolean {
    return carries(this.status[ch]);
  }

  /**
   * Splits the chunk stream: the analysis worker gets the chunks, the speech worker a copy. Only
   * when a speech server is configured; otherwise the port goes straight to the audio worker.
   */
  private teeToAsr(input: SessionInput): MessagePort {
    const config = this.asrConfig!;
    const toAnalysis = new MessageChannel();
    const toAsr = new MessageChannel();
    input.port.onmessage = (e: MessageEvent<Record<CallChannel, Float32Array>>) => {
      const { agent, customer } = e.data;
      toAsr.port1.postMessage({ agent: agent.slice(), customer: customer.slice() });
      toAnalysis.port1.postMessage(e.data, [agent.buffer, customer.buffer] as Transferable[]);
    };
    const w = new AsrWorker();
    const api = Comlink.wrap<AsrWorkerApi>(w);
    this.asr = { api, worker: w, ports: [input.port, toAnalysis.port1, toAsr.port1] };
    this.asrState = { status: 'connecting', turns: 0 };
    void api
      .start(
        Comlink.transfer(
          {
            endpoint: config.endpoint,
            protocol: config.protocol,
            sampleRate: input.sampleRate,
            port: toAsr.port2,
          },
          [toAsr.port2],
        ),
        Comlink.proxy((e: AsrWorkerEvent) => void this.onAsr(e)),
      )
      .then(async () => {
        // A side that gets its source later (the console's call is answered) opens then: setSide.
        for (const ch of ['agent', 'customer'] as const) if (this.carries(ch)) await api.openChannel(ch);
      })
      .catch((e: unknown) => this.onAsr({ type: 'error', channel: 'agent', detail: String(e) }));
    return toAnalysis.port2;
  }

  private async onAsr(e: AsrWorkerEvent): Promise<void> {
    this.asrState ??= { status: 'connecting', turns: 0 };
    const st = this.asrState;
    if (e.type === 'open') {
      this.asrOpenedAt[e.channel] = Date.now();
      if (st.status === 'connecting') st.status = 'live';
      return;
    }
    if (e.type === 'error') {
      // The call's own analysis goes on; the panel says the transcript stopped and why.
      this.asrState = {
        status: 'error',
        turns: st.turns,
        reasonKey: /closed/.test(e.detail) ? 'asrClosed' : 'asrUnreachable',
        detail: e.detail.slice(0, 300),
      };
      return;
    }
    const u = asrUtterance(e.result, {
      conversationId: this.conversationId,
      speaker: e.channel,
      startedAt: this.asrOpenedAt[e.channel] ?? this.startedAt,
    });
    // Counted on the current state: one side's error does not stop the other side's turns.
    this.asrState.turns++;
    await send({ type: 'asr-utterances', utterances: [u] }).catch(() => {});
  }

  private async stopAsr(): Promise<void> {
    const a = this.asr;
    if (!a) return;
    this.asr = undefined;
    await a.api.stop().catch(() => {});
    a.worker.terminate();
    for (const p of a.ports) p.close();
    if (this.asrState && this.asrState.status !== 'error') this.asrState.status = 'closed';
  }

  /** Sends a call finding with a time no other finding of this call has (its stored slot). */
  private async sendFinding(f: Finding): Promise<void> {
    const ts = Math.max(f.ts, this.lastFindingTs + 1);
    this.lastFindingTs = ts;
    await send({ type: 'call-finding', finding: { ...f, ts } }).catch(() => {});
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
    const finding = callEventFinding(event, {
      conversationId: this.conversationId,
      startedAt: this.startedAt,
      newId,
    });
    if (finding) await this.sendFinding(finding);
  }

  private channelState(r: CallReading | undefined, ch: CallChannel): ChannelState {
    const x = r?.channels[ch];
    if (x && x.levelDbfs > SILENCE_DBFS) this.heard[ch] = true;
    const { status, reasonKey, detail } = reportedSide(
      ch,
      this.status[ch],
      this.heard[ch],
      r?.processedMs ?? 0,
    );
    return {
      status,
      ...(reasonKey ? { reasonKey } : {}),
      ...(detail ? { detail } : {}),
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
      ...(this.reasonKey ? { reasonKey: this.reasonKey } : {}),
      ...(this.detail ? { detail: this.detail } : {}),
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
      ...(this.asrState ? { asr: { ...this.asrState } } : {}),
    };
    if (r) this.last = state;
    await send({ type: 'call-state', state }).catch(() => {});
    if (!r || this.phase !== 'live') return;
    for (const finding of this.rules.check(r, this.conversationId, this.startedAt + r.processedMs, newId))
      await this.sendFinding(finding);
  }
}
