/**
 * Call findings as the device keeps and syncs them (issue #7): long dead air and long over-talk
 * from the call's events, the call-metric rule hits, and a summary of the call's numbers when
 * monitoring stops. Metrics only: times, durations, counts and rates, never audio or words, so
 * they carry no evidence text. They are stored as analyses of their own conversation (beside its
 * turns, erased with it) and go through the same outbox as chat findings.
 */
import type { Analysis } from '../analysis/types';
import type { Finding, Localized } from '../finding';
import type { CallEventRecord, CallState } from './call-state';

/**
 * Call findings belong to no turn: each gets a seq of its own from its time, above every caption
 * seq and below the recognised turns' (lib/asr/utterances ASR_SEQ_BASE = 2^43).
 */
export const CALL_FINDING_SEQ_BASE = 2 ** 42;

/** The model name call findings carry when no rule made them. */
export const CALL_MODEL = 'call-audio';

/** Dead air at least this long is a QA warning (long silence is one of the lead's alerts). */
export const LONG_DEAD_AIR_MS = 10_000;
/** Over-talk at least this long is a QA warning. */
export const LONG_OVERTALK_MS = 3_000;

export function callFindingSeq(f: Pick<Finding, 'ts'>): number {
  return CALL_FINDING_SEQ_BASE + Math.round(f.ts);
}

/** True for the seq of a call finding (not a turn). */
export function isCallFindingSeq(seq: number): boolean {
  return seq >= CALL_FINDING_SEQ_BASE && seq < 2 ** 43;
}

/** A call finding as an analysis of its conversation, so the session store keeps it. */
export function callFindingAnalysis(f: Finding): Analysis {
  return { conversationId: f.conversationId, seq: callFindingSeq(f), findings: [f], workerMs: 0 };
}

export interface CallFindingContext {
  conversationId: string;
  /** Epoch ms of the call's time 0 (event times are ms from it). */
  startedAt: number;
  newId(ts: number): string;
}

const NAMES = {
  deadAir: { zh_CN: '长时间静音', zh_TW: '長時間靜音', en: 'Long dead air' },
  overtalk: { zh_CN: '长时间抢话', zh_TW: '長時間搶話', en: 'Long over-talk' },
  summary: { zh_CN: '通话指标', zh_TW: '通話指標', en: 'Call metrics' },
} satisfies Record<string, Localized>;

const s1 = (ms: number) => Math.round(ms / 100) / 10;

/**
 * A finding for a settled call event when it is long enough to matter to QA; undefined for the
 * rest (they count in the summary). Dead air that includes time a side was unavailable is not
 * known to be silence and gives none.
 */
export function callEventFinding(e: CallEventRecord, ctx: CallFindingContext): Finding | undefined {
  if (e.type === 'dead-air' && !e.partial && e.durationMs >= LONG_DEAD_AIR_MS)
    return eventFinding('deadAir', 'call.dead-air', e, ctx, {});
  if (e.type === 'overtalk' && e.durationMs >= LONG_OVERTALK_MS)
    return eventFinding('overtalk', 'call.overtalk', e, ctx, {
      interruption: e.interruption ? 1 : 0,
      startedByAgent: e.startedBy === 'agent' ? 1 : 0,
    });
  return undefined;
}

function eventFinding(
  name: 'deadAir' | 'overtalk',
  ruleId: string,
  e: { start: number; end: number; durationMs: number },
  ctx: CallFindingContext,
  extra: Record<string, number>,
): Finding {
  const ts = Math.round(ctx.startedAt + e.end);
  return {
    id: ctx.newId(ts),
    conversationId: ctx.conversationId,
    ruleId,
    model: CALL_MODEL,
    // A warning like a rule's: the agent sees it in the panel and the lead may hear of it.
    kind: 'warning',
    severity: 'warning',
    title: `${NAMES[name].en} (${s1(e.durationMs)} s, ${s1(e.start)}–${s1(e.end)} s of the call)`,
    names: NAMES[name],
    category: 'call-metric',
    at: 'tick',
    evidence: [],
    scores: {
      startMs: Math.round(e.start),
      endMs: Math.round(e.end),
      durationMs: Math.round(e.durationMs),
      ...extra,
    },
    ts,
  };
}

/**
 * The call's numbers when monitoring stops: kept with the conversation on the device. An info
 * finding, so like every info and hint finding it stays on the device unless a policy says
 * otherwise; the long events and warning rules above are what the endpoint gets.
 */
export function callSummaryFinding(state: CallState, newId: (ts: number) => string): Finding | undefined {
  if (state.elapsedMs <= 0) return undefined;
  const ts = Math.round(state.startedAt + state.elapsedMs);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    id: newId(ts),
    conversationId: state.conversationId,
    ruleId: 'call.summary',
    model: CALL_MODEL,
    kind: 'metric',
    severity: 'info',
    title: `${NAMES.summary.en} (${s1(state.elapsedMs)} s)`,
    names: NAMES.summary,
    category: 'call-metric',
    at: 'finish',
    evidence: [],
    scores: {
      durationMs: Math.round(state.elapsedMs),
      deadAirCount: state.deadAir.count,
      deadAirTotalMs: Math.round(state.deadAir.totalMs),
      deadAirLongestMs: Math.round(state.deadAir.longestMs),
      overtalkCount: state.overtalk.count,
      overtalkTotalMs: Math.round(state.overtalk.totalMs),
      overtalkLongestMs: Math.round(state.overtalk.longestMs),
      interruptions: state.interruptions,
      talkRatio: Math.round(state.talkRatio * 100) / 100,
      agentTalkMs: Math.round(state.agent.talkMs),
      customerTalkMs: Math.round(state.customer.talkMs),
      agentRateSps: r1(state.agent.rateSps),
      customerRateSps: r1(state.customer.rateSps),
    },
    ts,
  };
}
