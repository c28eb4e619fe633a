/**
 * The pre-send preview copies the engine state it runs on (it used to structuredClone it). Every
 * stateful condition is checked here: a conversation whose every turn is preceded by draft
 * previews must report exactly what the same conversation without previews reports, so a state
 * the copy shared with the live conversation (and the preview then changed) would show.
 */
import { describe, expect, it } from 'vitest';
import { checkDraft, createConversation } from '../../../lib/rules';
import { book, compile } from './helpers';

const phrase = (p: string, speaker = 'any') => ({ type: 'phrase', phrases: [p], speaker });

const CONDITIONS: Record<string, unknown> = {
  count: { type: 'count', condition: phrase('退款'), atLeast: 3, withinTurns: 6 },
  streak: { type: 'streak', condition: phrase('投诉'), length: 2, speaker: 'customer' },
  after: {
    type: 'after',
    trigger: phrase('投诉', 'customer'),
    expect: phrase('抱歉', 'agent'),
    within: { turns: 3 },
  },
  missingAfter: {
    type: 'missingAfter',
    trigger: phrase('投诉', 'customer'),
    expect: phrase('抱歉', 'agent'),
    within: { turns: 2 },
  },
  order: { type: 'order', steps: [phrase('核实'), phrase('余额')] },
  seen: { type: 'all', conditions: [{ type: 'seen', condition: phrase('核实') }, phrase('余额')] },
  absent: { type: 'absent', condition: phrase('您好') },
};

const TURNS: ['agent' | 'customer', string][] = [
  ['customer', '我要退款，我要投诉'],
  ['agent', '先帮您核实一下'],
  ['customer', '退款！投诉你们'],
  ['customer', '还是投诉，退款'],
  ['agent', '非常抱歉，您的余额是'],
  ['customer', '退款呢'],
  ['agent', '余额已核实'],
  ['customer', '投诉'],
  ['agent', '好的'],
  ['customer', '退款退款'],
];
/** Drafts that would advance each condition's state if the preview kept what it did. */
const DRAFTS = ['退款', '抱歉，退款', '核实余额', '投诉', '您好'];

const turn = (seq: number, [speaker, text]: ['agent' | 'customer', string]) => ({
  seq,
  speaker,
  text,
  ts: 10_000 + seq * 1000,
  channel: 'chat' as const,
});

describe('draft previews leave the conversation as it was', () => {
  it.each(Object.keys(CONDITIONS))('%s', (name) => {
    const c = compile(book(CONDITIONS[name]));
    const plain = createConversation(c, 'plain');
    const previewed = createConversation(c, 'previewed');
    const fired: number[] = [];
    TURNS.forEach((t, seq) => {
      for (const d of DRAFTS) {
        const a = checkDraft(c, d, { conversation: previewed, ts: 10_000 + seq * 1000 });
        const b = checkDraft(c, d, { conversation: previewed, ts: 10_000 + seq * 1000 });
        // The same draft twice: the first preview changed nothing the second one sees.
        expect(b).toEqual(a);
      }
      const want = plain.push(turn(seq, t));
      const got = previewed.push(turn(seq, t));
      expect(got.map((h) => [h.ruleId, h.seq, h.evidence])).toEqual(
        want.map((h) => [h.ruleId, h.seq, h.evidence]),
      );
      if (want.length) fired.push(seq);
    });
    // Each condition fires somewhere in this conversation, so the comparison is not vacuous.
    if (name !== 'absent') expect(fired.length).toBeGreaterThan(0);
    expect(previewed.finish().length).toBe(plain.finish().length);
    expect(previewed.textOf(TURNS.length)).toBeUndefined();
  });

  it("takes a draft's evidence from the draft, not from a stored turn", () => {
    const c = compile(book(phrase('保本')));
    const conv = createConversation(c, 'c');
    conv.push(turn(0, ['customer', '这个保本吗']));
    const [hit] = checkDraft(c, '放心，保本的', { conversation: conv, ts: 20_000 });
    expect(hit!.evidence).toEqual([{ seq: 1, start: 3, end: 5, text: '保本' }]);
    expect(conv.textOf(1)).toBeUndefined();
  });
});
