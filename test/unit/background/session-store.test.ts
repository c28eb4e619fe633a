import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../../lib/analysis/types';
import { ASR_SEQ_BASE } from '../../../lib/asr/utterances';
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

/** A turn with the console's message id, as the console script numbered it on this page load. */
const keyed = (seq: number, key: string, text: string, conversationId = 'c1'): Utterance => ({
  ...turn(seq, text, conversationId),
  key,
});
const texts = async (s: IdbSessionStore, c = 'c1') =>
  (await s.conversation(c)).utterances.map((u) => `${u.seq}:${u.key ?? '-'}:${u.text}`);

describe('IdbSessionStore: keyed turns keep their seq across page loads', () => {
  it('a reload that shows only recent history re-reads those turns in place and puts new ones after the last', async () => {
    const s = store();
    // First page load: five messages, numbered 0..4 in page order.
    await s.putUtterances(['a', 'b', 'c', 'd', 'e'].map((t, i) => keyed(i, `m${i}`, t)));
    // After a reload the desk shows the last three only: the console script numbers them 0..2.
    const again = await s.putUtterances([keyed(0, 'm2', 'c'), keyed(1, 'm3', 'd'), keyed(2, 'm4', 'e')]);
    expect(again.fresh).toEqual([]);
    expect(again.stored.map((u) => u.seq)).toEqual([2, 3, 4]);
    // A new message (page seq 3, taken by m3) and an edit of m3 (page seq 1).
    const next = await s.putUtterances([keyed(3, 'm5', 'f'), keyed(1, 'm3', 'd, edited')]);
    expect(next.fresh.map((u) => `${u.seq}:${u.key}:${u.text}`)).toEqual(['5:m5:f', '3:m3:d, edited']);
    expect(await texts(s)).toEqual(['0:m0:a', '1:m1:b', '2:m2:c', '3:m3:d, edited', '4:m4:e', '5:m5:f']);
  });

  it('new keys in one batch get one seq each, a key twice keeps its first, and each conversation its own', async () => {
    const s = store();
    await s.putUtterances([keyed(0, 'm0', 'a'), keyed(1, 'm1', 'b')]);
    const r = await s.putUtterances([
      keyed(0, 'n0', 'x'),
      keyed(1, 'n1', 'y'),
      keyed(1, 'n1', 'y, edited'),
      keyed(0, 'o0', 'other', 'c2'),
    ]);
    expect(r.stored.map((u) => `${u.conversationId}#${u.seq}`)).toEqual(['c1#2', 'c1#3', 'c1#3', 'c2#0']);
    expect(await texts(s)).toEqual(['0:m0:a', '1:m1:b', '2:n0:x', '3:n1:y, edited']);
    expect(await texts(s, 'c2')).toEqual(['0:o0:other']);
  });

  it("a new caption goes after the console's turns, not after the call's recognised ones", async () => {
    const s = store();
    const asr = { ...turn(ASR_SEQ_BASE + 2 * 1_700_000_000_000, 'recognised'), source: 'asr' };
    await s.putUtterances([keyed(0, 'cap0', 'a'), keyed(1, 'cap1', 'b'), asr]);
    // Reloaded: the captions list shows cap1 first, then a new caption.
    const r = await s.putUtterances([keyed(0, 'cap1', 'b'), keyed(1, 'cap2', 'c')]);
    expect(r.stored.map((u) => u.seq)).toEqual([1, 2]);
  });

  it('a page seq past the last turn is kept; turns without a key still go by seq', async () => {
    const s = store();
    await s.putUtterances([keyed(0, 'm0', 'a'), keyed(4, 'm4', 'e')]);
    await s.putUtterances([turn(1, 'no id'), turn(1, 'no id, edited')]);
    expect(await texts(s)).toEqual(['0:m0:a', '1:-:no id, edited', '4:m4:e']);
  });

  it('a turn stored without a key takes the key of the same text at its seq, keeping its analysis', async () => {
    const s = store();
    await s.putUtterances([turn(0, 'a'), turn(1, 'b')]);
    await s.putAnalyses([analysis(0, 1), analysis(1, 1)]);
    const r = await s.putUtterances([keyed(0, 'm0', 'a'), keyed(1, 'm1', 'b, edited')]);
    // The first is the same turn (now keyed); the second differs, so it is a new message.
    expect(r.fresh.map((u) => u.seq)).toEqual([2]);
    expect(await texts(s)).toEqual(['0:m0:a', '1:-:b', '2:m1:b, edited']);
    expect((await s.unanalysed()).map((u) => u.seq)).toEqual([2]);
    // From now on m0 is found by its key wherever the page puts it.
    expect((await s.putUtterances([keyed(7, 'm0', 'a')])).stored[0]?.seq).toBe(0);
  });

  it('opens a database made before keys were kept and indexes the turns written after', async () => {
    const name = `session-store-test-v1-${n++}`;
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        const us = db.createObjectStore('utterances', { keyPath: ['conversationId', 'seq'] });
        us.createIndex('analysed', 'analysed');
        db.createObjectStore('analyses', { keyPath: ['conversationId', 'seq'] });
        db.createObjectStore('attach', { keyPath: 'tabId' });
        us.put({ ...turn(0, 'old'), analysed: 1 });
      };
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error);
    });
    const s = new IdbSessionStore(name);
    expect(await texts(s)).toEqual(['0:-:old']);
    await s.putUtterances([keyed(0, 'm0', 'old'), keyed(1, 'm1', 'new')]);
    expect(await texts(s)).toEqual(['0:m0:old', '1:m1:new']);
    expect(await s.unanalysed()).toHaveLength(1);
  });
});

describe('IdbSessionStore: turns and analyses', () => {
  it('returns new and edited turns, leaves out resends, and keeps the latest text', async () => {
    const s = store();
    expect((await s.putUtterances([turn(0, '你好'), turn(1, '您好')])).fresh).toHaveLength(2);
    // A resend of the same batch after a restart: nothing new.
    expect((await s.putUtterances([turn(0, '你好'), turn(1, '您好')])).fresh).toEqual([]);
    // One edited, one new.
    const { fresh } = await s.putUtterances([turn(1, '您好，请问有什么可以帮您'), turn(2, '我的快递')]);
    expect(fresh.map((u) => u.seq)).toEqual([1, 2]);
    expect((await s.utterance('c1', 1))?.text).toBe('您好，请问有什么可以帮您');
  });

  it('a turn twice in one batch is compared with its first copy', async () => {
    const s = store();
    const { fresh } = await s.putUtterances([turn(0, 'a'), turn(0, 'a'), turn(0, 'b'), turn(1, 'c', 'c2')]);
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
