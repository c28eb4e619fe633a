/**
 * The tracker alone, under random observation sequences: the utterance stream it emits is exactly
 * "one seq per message key per conversation, assigned in first-seen order; an utterance whenever
 * a key's text differs from the last one emitted for it, carrying the key when it is the console's
 * own id; nothing otherwise", `knows` agrees with
 * that, and the number of conversations it remembers stays bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReadItem } from '../../../lib/adapters/reader';
import { ConversationTracker } from '../../../lib/adapters/tracker';

const item = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  speaker: fc.constantFrom('agent' as const, 'customer' as const),
  text: fc.constantFrom('', 'hi', 'hello', '你好', '退款'),
  keyed: fc.boolean(),
});
const observation = fc.record({
  conv: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
  items: fc.array(item, { maxLength: 8 }),
});

describe('ConversationTracker (property)', () => {
  it('emits exactly the new and changed texts, one stable seq per key', () => {
    fc.assert(
      fc.property(fc.array(observation, { maxLength: 40 }), (obs) => {
        // A capacity above the number of conversations: nothing is evicted in this property.
        const t = new ConversationTracker('fuzz', 'chat', 10);
        const model = new Map<
          string,
          { seqs: Map<string, number>; texts: Map<string, string>; next: number }
        >();
        for (const o of obs) {
          const out = t.observe(o.conv, o.items as ReadItem[], 1);
          const m = model.get(o.conv) ?? { seqs: new Map(), texts: new Map(), next: 0 };
          model.set(o.conv, m);
          const expected: { seq: number; text: string; key: string | undefined }[] = [];
          for (const it of o.items) {
            if (!it.text || m.texts.get(it.key) === it.text) continue;
            let seq = m.seqs.get(it.key);
            if (seq === undefined) {
              seq = m.next++;
              m.seqs.set(it.key, seq);
            }
            m.texts.set(it.key, it.text);
            // The console's own message id goes with the turn (the store keeps keyed turns in place).
            expected.push({ seq, text: it.text, key: it.keyed ? it.key : undefined });
          }
          expect(out.map((u) => ({ seq: u.seq, text: u.text, key: u.key }))).toEqual(expected);
          expect(out.every((u) => u.conversationId === o.conv)).toBe(true);
          // What it knows (the attachment skips rows showing a known message) is what it emitted last.
          for (const key of ['a', 'b', 'c', 'd', 'e', 'f'])
            for (const text of ['', 'hi', 'hello', '你好', '退款'])
              expect(t.knows(o.conv, key, text)).toBe(m.texts.get(key) === text);
        }
      }),
      { seed: 6, numRuns: 300 },
    );
  });

  it('remembers a bounded number of conversations, the most recent ones', () => {
    const t = new ConversationTracker('fuzz', 'chat', 3);
    for (let i = 0; i < 50; i++) t.observe(`c${i}`, [{ key: 'k', speaker: 'customer', text: 'hi' }], 1);
    expect(t.conversationIds()).toEqual(['c47', 'c48', 'c49']);
    // A recent one still knows its turns; an evicted one is read afresh.
    expect(t.observe('c49', [{ key: 'k', speaker: 'customer', text: 'hi' }], 1)).toEqual([]);
    expect(t.observe('c0', [{ key: 'k', speaker: 'customer', text: 'hi' }], 1)).toHaveLength(1);
  });
});
