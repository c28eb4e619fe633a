/**
 * Linear-time guarantees (issue 4: a 1 MB utterance and a 10,000-turn conversation). Work is
 * counted by the engine itself (automaton steps, fail hops, characters normalised, condition
 * nodes evaluated), never by the clock, so the checks are stable on a shared machine.
 */
import { describe, expect, it } from 'vitest';
import { createConversation } from '../../../lib/rules';
import { MatchBuffer, buildAutomaton, scan } from '../../../lib/rules/automaton';
import { compile } from './helpers';

const L = (s: string) => ({ zh_CN: s, zh_TW: s, en: s });
const ex = { fire: [[{ speaker: 'agent', text: 'x' }]], noFire: [[{ speaker: 'agent', text: 'x' }]] };
const rule = (id: string, when: unknown) => ({
  id,
  name: L(id),
  description: L(id),
  category: 'forbidden',
  severity: 'warning',
  when,
  examples: ex,
});
const phrase = (phrases: string[], more = {}) => ({ type: 'phrase', phrases, ...more });

const compiled = compile({
  schemaVersion: 1,
  id: 'load',
  version: '1',
  name: L('load'),
  rules: [
    rule('neg', phrase(['保本', 'guaranteed', '稳赚'], { negationAware: true })),
    rule('near', { type: 'near', a: ['利率'], b: ['保证'], within: 5 }),
    rule('regex', { type: 'regex', pattern: '1[3-9]\\d{9}' }),
    rule('absent', { type: 'absent', condition: phrase(['投资有风险']) }),
    rule('streak', {
      type: 'streak',
      length: 3,
      speaker: 'customer',
      condition: { type: 'emotion', label: 'angry', speaker: 'customer' },
    }),
    rule('missing', {
      type: 'missingAfter',
      trigger: phrase(['投诉'], { speaker: 'customer' }),
      expect: phrase(['抱歉'], { speaker: 'agent' }),
      within: { turns: 2, turnsOf: 'agent' },
    }),
    rule('count', { type: 'count', atLeast: 3, withinTurns: 10, condition: phrase(['退款']) }),
    rule('order', { type: 'order', steps: [phrase(['您好']), phrase(['再见'])] }),
  ],
});

const chunk = '您好，这款产品不保本，利率我们保证，13812345678，稳 赚 guaranteed returns 投诉 退款！';

function utteranceWork(chars: number): number {
  const conv = createConversation(compiled, 'big');
  conv.push({
    seq: 0,
    speaker: 'agent',
    text: chunk.repeat(Math.ceil(chars / chunk.length)),
    ts: 0,
    channel: 'chat',
  });
  return conv.work;
}

function conversationWork(turns: number): number {
  const conv = createConversation(compiled, 'long');
  for (let i = 0; i < turns; i++) {
    const speaker = i % 2 === 0 ? 'customer' : 'agent';
    conv.push(
      {
        seq: i,
        speaker,
        text: i % 7 === 0 ? '我要投诉，退款' : chunk.slice(0, 20 + (i % 13)),
        ts: i * 1000,
        channel: 'chat',
      },
      { emotion: { label: i % 3 === 0 ? 'neutral' : 'angry' } },
    );
  }
  conv.finish();
  return conv.work;
}

describe('linear time', () => {
  it('a 1 MB utterance costs twice a 0.5 MB one', () => {
    const half = utteranceWork(500_000);
    const full = utteranceWork(1_000_000);
    expect(full / half).toBeGreaterThan(1.8);
    expect(full / half).toBeLessThan(2.2);
  });

  it('a 10,000-turn conversation costs twice a 5,000-turn one', () => {
    const half = conversationWork(5_000);
    const full = conversationWork(10_000);
    expect(full / half).toBeGreaterThan(1.8);
    expect(full / half).toBeLessThan(2.2);
  });

  it('the automaton does bounded work per character even on self-overlapping patterns', () => {
    const patterns = Array.from({ length: 40 }, (_, i) => 'a'.repeat(i + 1).concat(i % 2 ? 'b' : ''));
    const a = buildAutomaton(patterns);
    const buf = new MatchBuffer();
    const work = (n: number) => {
      buf.reset();
      scan(a, 'a'.repeat(n - 1) + 'b', buf);
      return buf.work;
    };
    expect(work(200_000) / work(100_000)).toBeLessThan(2.05);
    expect(work(100_000) / 100_000).toBeLessThan(3);
  });

  it('reports exactly the occurrences indexOf finds', () => {
    const patterns = ['he', 'she', 'his', 'hers', '保本', '本金', '保本金', 'a', 'aa'];
    const a = buildAutomaton(patterns);
    const text = 'ushers 保本金 aaa his hershe';
    const buf = new MatchBuffer();
    scan(a, text, buf);
    const got: string[] = [];
    for (let k = 0; k < buf.count; k++) got.push(`${buf.data[2 * k]}@${buf.data[2 * k + 1]}`);
    const want: string[] = [];
    patterns.forEach((p, id) => {
      for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) want.push(`${id}@${i + p.length}`);
    });
    expect(got.sort()).toEqual(want.sort());
  });
});
