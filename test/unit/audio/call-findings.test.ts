/**
 * Call findings on their way to QA: made from the call's events and rule hits, kept with the
 * conversation in the device's IndexedDB session store by the real router, turned into sync items
 * by the same code as chat findings, and ingested by a real endpoint (PGlite), which then holds
 * the call's numbers and no audio or words.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../../lib/analysis/types';
import { ASR_SEQ_BASE } from '../../../lib/asr/utterances';
import {
  CALL_FINDING_SEQ_BASE,
  callEventFinding,
  callFindingAnalysis,
  callFindingSeq,
  callSummaryFinding,
  isCallFindingSeq,
  LONG_DEAD_AIR_MS,
} from '../../../lib/audio/call-findings';
import type { CallState } from '../../../lib/audio/call-state';
import { Router } from '../../../lib/background/router';
import { conversationMeta, syncItems } from '../../../lib/background/sync-items';
import { Finding } from '../../../lib/finding';
import { newId } from '../../../lib/ids';
import type { Message } from '../../../lib/messages';
import type { Utterance } from '../../../lib/utterance';
import { IdbSessionStore } from '../../../platform/session-store';
import { startEnv, type TestEnv } from '../server/harness';

const ID = 'ajhkiadnojbmcphcihpelckmpfafcenb';
const ORIGIN = `chrome-extension://${ID}`;
const offscreen = { id: ID, url: `${ORIGIN}/offscreen.html` };
const content = { id: ID, url: 'http://127.0.0.1/softphone/', tabId: 4 };
const T0 = Date.now() - 120_000;

const ctx = (conversationId: string) => ({ conversationId, startedAt: T0, newId });

/**
 * The real router over a fresh device session store, as the background wires it, recording what
 * it hands to analysis, broadcasts to the panels and queues for sync.
 */
function deviceRouter(name: string) {
  const store = new IdbSessionStore(`${name}-${Math.random()}`);
  const analysed: Utterance[] = [];
  const out: Message[] = [];
  const queued: { analysis: Analysis; previous?: Analysis }[] = [];
  const router = new Router({
    store,
    analyse: async (us) => {
      analysed.push(...us);
    },
    broadcast: (m) => out.push(m),
    log: () => {},
    extensionId: ID,
    extensionOrigin: ORIGIN,
    sync: async (batch) => {
      queued.push(...batch);
    },
  });
  return { store, router, analysed, out, queued };
}

function state(conversationId: string): CallState {
  const side = {
    status: 'live' as const,
    speaking: false,
    levelDbfs: -40,
    loudnessRiseDb: 0,
    shouting: false,
    rateSps: 4.26,
    talkMs: 20_000,
  };
  return {
    tabId: 4,
    conversationId,
    phase: 'stopped',
    startedAt: T0,
    elapsedMs: 61_000,
    agent: side,
    customer: { ...side, rateSps: 5.5, talkMs: 25_000 },
    silenceMs: 0,
    overtalkMs: 0,
    talkRatio: 0.444,
    interruptions: 1,
    deadAir: { count: 2, totalMs: 16_500, longestMs: 12_000 },
    overtalk: { count: 1, totalMs: 3_400, longestMs: 3_400 },
  };
}

describe('call findings from call events', () => {
  it('makes warnings of long dead air and long over-talk only, with times and no words', () => {
    const long = callEventFinding(
      { type: 'dead-air', start: 10_000, end: 22_000, durationMs: 12_000, partial: false },
      ctx('c1'),
    )!;
    expect(Finding.safeParse(long).success).toBe(true);
    expect(long).toMatchObject({
      ruleId: 'call.dead-air',
      kind: 'warning',
      severity: 'warning',
      evidence: [],
      scores: { startMs: 10_000, endMs: 22_000, durationMs: 12_000 },
      ts: T0 + 22_000,
    });
    expect(long.names?.zh_CN).toBe('长时间静音');
    // Shorter dead air counts in the summary only; dead air while a side had no source is not known.
    expect(
      callEventFinding(
        {
          type: 'dead-air',
          start: 0,
          end: LONG_DEAD_AIR_MS - 1,
          durationMs: LONG_DEAD_AIR_MS - 1,
          partial: false,
        },
        ctx('c1'),
      ),
    ).toBeUndefined();
    expect(
      callEventFinding(
        { type: 'dead-air', start: 0, end: 20_000, durationMs: 20_000, partial: true },
        ctx('c1'),
      ),
    ).toBeUndefined();
    const over = callEventFinding(
      {
        type: 'overtalk',
        start: 30_000,
        end: 33_400,
        durationMs: 3_400,
        startedBy: 'agent',
        interruption: true,
      },
      ctx('c1'),
    )!;
    expect(over.scores).toMatchObject({ durationMs: 3_400, interruption: 1, startedByAgent: 1 });
    expect(
      callEventFinding(
        { type: 'overtalk', start: 0, end: 800, durationMs: 800, startedBy: 'customer', interruption: false },
        ctx('c1'),
      ),
    ).toBeUndefined();
    expect(
      callEventFinding(
        { type: 'segment', channel: 'agent', start: 0, end: 900, syllables: 4, rateSps: 4.4, levelDbfs: -20 },
        ctx('c1'),
      ),
    ).toBeUndefined();
  });

  it("summarises the call's numbers when it stops", () => {
    const f = callSummaryFinding(state('c1'), newId)!;
    expect(Finding.safeParse(f).success).toBe(true);
    expect(f).toMatchObject({ ruleId: 'call.summary', kind: 'metric', severity: 'info', at: 'finish' });
    expect(f.scores).toMatchObject({
      durationMs: 61_000,
      deadAirCount: 2,
      deadAirLongestMs: 12_000,
      overtalkTotalMs: 3_400,
      interruptions: 1,
      talkRatio: 0.44,
      agentRateSps: 4.3,
      customerRateSps: 5.5,
    });
    expect(callSummaryFinding({ ...state('c1'), elapsedMs: 0 }, newId)).toBeUndefined();
  });

  it('gives each call finding a stored slot between caption seqs and recognised turns', () => {
    const f = callSummaryFinding(state('c1'), newId)!;
    const seq = callFindingSeq(f);
    expect(seq).toBeGreaterThan(CALL_FINDING_SEQ_BASE);
    expect(seq).toBeLessThan(ASR_SEQ_BASE);
    expect(isCallFindingSeq(seq)).toBe(true);
    expect(isCallFindingSeq(12)).toBe(false);
    expect(callFindingAnalysis(f)).toEqual({ conversationId: 'c1', seq, findings: [f], workerMs: 0 });
  });
});

describe('call findings stored and synced like chat findings', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv('pglite');
  }, 300_000);
  afterAll(async () => env?.close());

  it('the router keeps them with the conversation, and the endpoint gets the warnings with their numbers', async () => {
    const { store, router, queued, out, analysed } = deviceRouter('call-findings');
    const conv = `call-${Math.random().toString(36).slice(2)}`;
    // A caption turn of the call, as the console's adapter reports it.
    const turn: Utterance = {
      conversationId: conv,
      seq: 0,
      speaker: 'customer',
      text: '你好，我的订单还没到',
      ts: T0 + 1000,
      channel: 'voice',
      source: 'captions',
    };
    expect((await router.handle({ type: 'utterances', utterances: [turn] }, content)).ok).toBe(true);
    const deadAir = callEventFinding(
      { type: 'dead-air', start: 10_000, end: 22_000, durationMs: 12_000, partial: false },
      ctx(conv),
    )!;
    const summary = callSummaryFinding(state(conv), newId)!;
    for (const finding of [deadAir, summary])
      expect((await router.handle({ type: 'call-finding', finding }, offscreen)).ok).toBe(true);
    // Not from a console page.
    expect((await router.handle({ type: 'call-finding', finding: deadAir }, content)).ok).toBe(false);

    // Shown live, and kept on the device with the conversation (a reloaded panel sees them).
    expect(out.filter((m) => m.type === 'presend-finding')).toHaveLength(2);
    const kept = await store.conversation(conv);
    expect(kept.utterances.map((u) => u.seq)).toEqual([0]);
    expect(kept.analyses.flatMap((a) => a.findings.map((f) => f.ruleId)).sort()).toEqual([
      'call.dead-air',
      'call.summary',
    ]);
    expect(kept.analyses.every((a) => isCallFindingSeq(a.seq))).toBe(true);
    // A call finding never replaces a turn's analysis, nor another call finding.
    expect((await store.snapshot()).analyses.filter((a) => a.conversationId === conv)).toHaveLength(2);
    // Nothing about them is analysed as a turn.
    expect(analysed.map((u) => u.seq)).toEqual([0]);

    // The same sync path as chat findings: warnings go, the info summary stays on the device.
    const items = await syncItems({
      analyses: queued,
      utterance: (c, seq) => store.utterance(c, seq),
      newId,
      now: Date.now(),
    });
    expect(items.findings.map((i) => i.finding.ruleId)).toEqual(['call.dead-air']);
    const meta = conversationMeta(conv, kept.utterances, kept.analyses);
    const r = await env.call('POST', '/v1/ingest', {
      token: env.agentToken,
      body: { conversations: [meta], findings: items.findings, events: items.events },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json.accepted.findings).toEqual([deadAir.id]);
    const row = await env.database.db
      .selectFrom('findings')
      .select(['conversation_id', 'rule_key', 'kind', 'severity', 'body'])
      .where('id', '=', deadAir.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ conversation_id: conv, kind: 'warning', severity: 'warning' });
    const body = (typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as Finding;
    expect(body.scores).toMatchObject({ startMs: 10_000, endMs: 22_000, durationMs: 12_000 });
    expect(body.evidence).toEqual([]);
    expect(JSON.stringify(body)).not.toContain('订单');
  }, 300_000);

  it('recognised turns enter as voice turns from the audio side only, and are analysed like captions', async () => {
    const { store, router, out, analysed } = deviceRouter('asr-turns');
    const u: Utterance = {
      conversationId: 'call-asr',
      seq: ASR_SEQ_BASE + (T0 + 2000) * 2 + 1,
      speaker: 'customer',
      text: '我要投诉',
      ts: T0 + 2000,
      channel: 'voice',
      source: 'asr',
    };
    expect((await router.handle({ type: 'asr-utterances', utterances: [u] }, offscreen)).ok).toBe(true);
    expect(analysed).toEqual([u]);
    expect(out).toContainEqual({ type: 'utterance-added', utterance: u });
    expect((await store.conversation('call-asr')).utterances).toEqual([u]);
    // A page cannot post recognised turns, and the audio side cannot post chat turns this way.
    expect((await router.handle({ type: 'asr-utterances', utterances: [u] }, content)).ok).toBe(false);
    const chat = { ...u, channel: 'chat', source: 'asr' };
    expect((await router.handle({ type: 'asr-utterances', utterances: [chat] }, offscreen)).ok).toBe(false);
    expect(analysed).toHaveLength(1);
  });
});
