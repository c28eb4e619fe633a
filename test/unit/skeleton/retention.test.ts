import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETENTION_DAYS,
  expiredConversations,
  retentionCutoff,
  retentionDaysOf,
} from '../../../lib/background/retention';
import { mergeSettings } from '../../../lib/sync/config';
import type { Utterance } from '../../../lib/utterance';
import { IdbSessionStore } from '../../../platform/session-store';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 30);

function turn(conversationId: string, seq: number, ageDays: number): Utterance {
  return {
    conversationId,
    seq,
    speaker: seq % 2 ? 'agent' : 'customer',
    text: `turn ${seq}`,
    ts: NOW - ageDays * DAY,
    channel: 'chat',
  } as Utterance;
}

const retentionDays = (local: unknown, managed: unknown) => retentionDaysOf(mergeSettings(local, managed));

describe('retention window', () => {
  it('takes the policy over the local setting, and a default when neither is valid', () => {
    expect(retentionDays({ retentionDays: 7 }, { retentionDays: 3 })).toBe(3);
    expect(retentionDays({ retentionDays: 7 }, {})).toBe(7);
    expect(retentionDays({ retentionDays: 0 }, { retentionDays: 'x' })).toBe(DEFAULT_RETENTION_DAYS);
    expect(retentionDays(undefined, null)).toBe(DEFAULT_RETENTION_DAYS);
    expect(retentionDays({ retentionDays: 2.5 }, undefined)).toBe(DEFAULT_RETENTION_DAYS);
  });

  it('expires a conversation only when its newest turn is past the cutoff', () => {
    const cutoff = retentionCutoff(NOW, 7);
    const newest = new Map([
      ['old', NOW - 8 * DAY],
      ['edge', cutoff],
      ['fresh', NOW - DAY],
    ]);
    expect(expiredConversations(newest, cutoff)).toEqual(['old']);
  });
});

describe('session store purge', () => {
  it('deletes expired conversations with their analyses and keeps the rest, even a long one that started long ago', async () => {
    const store = new IdbSessionStore(`retention-${Math.random()}`);
    await store.putUtterances([
      turn('old', 0, 40),
      turn('old', 1, 39),
      turn('long', 0, 60),
      turn('long', 1, 2),
      turn('fresh', 0, 1),
    ]);
    await store.putAnalyses([
      { conversationId: 'old', seq: 0 } as never,
      { conversationId: 'fresh', seq: 0 } as never,
    ]);
    const purged = await store.purgeBefore(retentionCutoff(NOW, 30));
    expect(purged).toEqual(['old']);
    const snap = await store.snapshot();
    expect(snap.utterances.map((u) => `${u.conversationId}:${u.seq}`).sort()).toEqual([
      'fresh:0',
      'long:0',
      'long:1',
    ]);
    expect(snap.analyses.map((a) => a.conversationId)).toEqual(['fresh']);
    expect(await store.purgeBefore(retentionCutoff(NOW, 30))).toEqual([]);
  });

  it('expires a call kept only as call findings (no transcript) by the time of its findings', async () => {
    const store = new IdbSessionStore(`retention-${Math.random()}`);
    const callFinding = (conversationId: string, seq: number, ageDays: number) =>
      ({ conversationId, seq, findings: [{ ts: NOW - ageDays * DAY }], workerMs: 0 }) as never;
    await store.putAnalyses([callFinding('old-call', 9e12, 45), callFinding('new-call', 9e12, 3)]);
    await store.putUtterances([turn('chat', 0, 50)]);
    await store.putAnalyses([callFinding('chat', 1, 1)]);
    // A recent finding keeps its conversation, even when its turns are old.
    expect(await store.purgeBefore(retentionCutoff(NOW, 30))).toEqual(['old-call']);
    const snap = await store.snapshot();
    expect(snap.analyses.map((a) => a.conversationId).sort()).toEqual(['chat', 'new-call']);
  });
});
