import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../../lib/analysis/types';
import type { Utterance } from '../../../lib/utterance';
import { IdbSessionStore } from '../../../platform/session-store';

let n = 0;
/** A fresh database per test. */
const store = () => new IdbSessionStore(`session-store-test-${n++}`);

const turn = (seq: number, text: string, conversationId = 'c1'): Utterance => ({
  conversationId,
  seq,
  speaker: seq % 2 ? 'agent' : 'customer',
  text,
  ts: 1_000 + seq,
  channel: 'chat',
  source: 'demo-desk',
});
const analysis = (seq: number, workerMs: number, conversationId = 'c1'): Analysis => ({
  conversationId,
  seq,
  findings: [],
  workerMs,
});

describe('IdbSessionStore: turns and analyses', () => {
  it('returns new and edited turns, leaves out resends, and keeps the latest text', async () => {
    const s = store();
    expect(await s.putUtterances([turn(0, '你好'), turn(1, '您好')])).toHaveLength(2);
    // A resend of the same batch after a restart: nothing new.
    expect(await s.putUtterances([turn(0, '你好'), turn(1, '您好')])).toEqual([]);
    // One edited, one new.
    const fresh = await s.putUtterances([turn(1, '您好，请问有什么可以帮您'), turn(2, '我的快递')]);
    expect(fresh.map((u) => u.seq)).toEqual([1, 2]);
    expect((await s.utterance('c1', 1))?.text).toBe('您好，请问有什么可以帮您');
  });

  it('a turn twice in one batch is compared with its first copy', async () => {
    const s = store();
    const fresh = await s.putUtterances([turn(0, 'a'), turn(0, 'a'), turn(0, 'b'), turn(1, 'c', 'c2')]);
    expect(fresh.map((u) => `${u.conversationId}#${u.seq}:${u.text}`)).toEqual([
      'c1#0:a',
      'c1#0:b',
      'c2#1:c',
    ]);
    expect((await s.utterance('c1', 0))?.text).toBe('b');
  });

  it('returns the analysis each one replaced, within a batch too, and marks the turns analysed', async () => {
    const s = store();
    await s.putUtterances([turn(0, 'x'), turn(1, 'y'), turn(2, 'z')]);
    expect((await s.unanalysed()).map((u) => u.seq)).toEqual([0, 1, 2]);
    expect(await s.putAnalyses([analysis(0, 1), analysis(1, 1)])).toEqual([undefined, undefined]);
    expect((await s.unanalysed()).map((u) => u.seq)).toEqual([2]);
    const previous = await s.putAnalyses([analysis(1, 2), analysis(2, 1), analysis(2, 3)]);
    expect(previous).toEqual([analysis(1, 1), undefined, analysis(2, 1)]);
    expect(await s.unanalysed()).toEqual([]);
    const { analyses } = await s.conversation('c1');
    expect(analyses.map((a) => [a.seq, a.workerMs])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('an edited turn waits for its new analysis; an analysis of a turn never stored is kept all the same', async () => {
    const s = store();
    await s.putUtterances([turn(0, 'x')]);
    await s.putAnalyses([analysis(0, 1)]);
    await s.putUtterances([turn(0, 'x, edited')]);
    expect((await s.unanalysed()).map((u) => u.text)).toEqual(['x, edited']);
    await s.putAnalyses([analysis(0, 2), analysis(5, 1)]);
    expect(await s.unanalysed()).toEqual([]);
    expect((await s.conversation('c1')).analyses.map((a) => a.seq)).toEqual([0, 5]);
    expect((await s.conversation('c1')).utterances.map((u) => u.seq)).toEqual([0]);
  });
});
