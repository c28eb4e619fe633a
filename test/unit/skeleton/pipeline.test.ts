import { describe, expect, it } from 'vitest';
import { AnalysisPipeline, type TextClassifier } from '../../../lib/analysis/pipeline';
import { compileAll, ruleSessions } from '../../../lib/analysis/rule-sessions';
import { Finding } from '../../../lib/finding';
import { newId } from '../../../lib/ids';
import type { Utterance } from '../../../lib/utterance';

const L = (en: string, zh: string) => ({ zh_CN: zh, zh_TW: zh, en });

const book = {
  schemaVersion: 1,
  id: 'unit',
  version: '1',
  name: L('Unit', '单元'),
  rules: [
    {
      id: 'unit.no-guarantee',
      name: L('Promised guaranteed returns', '承诺保本'),
      description: L('No guarantees.', '不得承诺保本。'),
      category: 'forbidden',
      severity: 'critical',
      scope: { speaker: 'agent', channel: 'any' },
      when: { type: 'phrase', negationAware: true, phrases: ['保本', 'guaranteed'] },
      actions: {
        warning: { text: L('Do not promise "{match}".', '请勿承诺“{match}”。') },
        escalate: { to: 'lead', selfCorrectSeconds: 30 },
      },
      examples: {
        fire: [[{ speaker: 'agent', text: '这个产品保本' }]],
        noFire: [[{ speaker: 'agent', text: '这个产品不保本' }]],
      },
    },
    {
      id: 'unit.angry-customer',
      name: L('Angry customer', '客户愤怒'),
      description: L('The customer is angry.', '客户愤怒。'),
      category: 'customer-risk',
      severity: 'warning',
      scope: { speaker: 'customer', channel: 'any' },
      when: { type: 'emotion', label: ['angry'] },
      examples: {
        fire: [[{ speaker: 'customer', text: 'x', emotion: 'angry' }]],
        noFire: [[{ speaker: 'customer', text: 'x', emotion: 'neutral' }]],
      },
    },
  ],
};

/** A classifier that answers from a table, so the test controls what the "model" says. */
const table = (name: string, labels: Record<string, string>): TextClassifier => ({
  name,
  classify: async (batch) =>
    batch.map((b) => ({ label: labels[b.text] ?? 'neutral', probs: { [labels[b.text] ?? 'neutral']: 1 } })),
});

const u = (seq: number, speaker: 'agent' | 'customer', text: string): Utterance => ({
  conversationId: 'c1',
  seq,
  speaker,
  text,
  ts: seq * 1000,
  channel: 'chat',
  source: 'unit',
});

describe('analysis pipeline with rules', () => {
  it('compiles rulebooks and reports every problem of a bad one', () => {
    const r = compileAll({ 'good.json': book, 'bad.json': { ...book, id: 'bad', rules: [{ id: 'x' }] } });
    expect(r.versions).toEqual(['unit@1']);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors.every((e) => e.startsWith('bad.json: '))).toBe(true);
  });

  it('runs models first so rules can use their labels, and emits valid findings with actions', async () => {
    const { compiled } = compileAll({ 'unit.json': book });
    const pipeline = new AnalysisPipeline({
      emotion: table('emotion', { 我要投诉你们: 'angry' }),
      rules: ruleSessions(compiled, newId),
    });
    const out = await pipeline.analyse([
      u(0, 'customer', '我要投诉你们'),
      u(1, 'agent', '放心，这个产品保 本'),
      u(2, 'agent', '这个产品不保本'),
    ]);
    expect(out.map((a) => a.emotion?.label)).toEqual(['angry', 'neutral', 'neutral']);
    expect(out[0]!.findings.map((f) => f.ruleId)).toEqual(['unit.angry-customer']);
    const [promise] = out[1]!.findings;
    expect(promise).toMatchObject({
      ruleId: 'unit.no-guarantee',
      severity: 'critical',
      category: 'forbidden',
    });
    expect(promise!.evidence[0]).toMatchObject({ seq: 1, text: '保 本' });
    expect(promise!.actions?.warning?.text.zh_CN).toBe('请勿承诺“保 本”。');
    expect(promise!.actions?.escalate?.selfCorrectSeconds).toBe(30);
    expect(Finding.safeParse(promise).success).toBe(true);
    expect(out[2]!.findings).toEqual([]);
  });

  it('answers a resent turn with its earlier analysis instead of an empty one', async () => {
    const { compiled } = compileAll({ 'unit.json': book });
    const pipeline = new AnalysisPipeline({ rules: ruleSessions(compiled, newId) });
    const first = await pipeline.analyse([u(0, 'agent', '这个产品保本')]);
    const again = await pipeline.analyse([u(0, 'agent', '这个产品保本')]);
    expect(first[0]!.findings).toHaveLength(1);
    expect(again).toEqual(first);
    const edited = await pipeline.analyse([u(0, 'agent', '这个产品不保本')]);
    expect(edited[0]!.findings).toEqual([]);
  });

  it('remembers a bounded number of turns and conversations, and keeps answering resends within them', async () => {
    const { compiled } = compileAll({ 'unit.json': book });
    const made: string[] = [];
    const factory = ruleSessions(compiled, newId);
    const pipeline = new AnalysisPipeline({
      rules: (id) => {
        made.push(id);
        return factory(id);
      },
      limits: { conversations: 2, turns: 3 },
    });
    const turn = (conversationId: string, seq: number, text: string): Utterance => ({
      ...u(seq, 'agent', text),
      conversationId,
    });
    for (let seq = 0; seq < 10; seq++) await pipeline.analyse([turn('a', seq, `第${seq}句`)]);
    expect(pipeline.remembered).toEqual({ conversations: 1, turns: 3 });
    // The latest turns are still answered from memory: the rule does not fire a second time.
    const last = await pipeline.analyse([turn('a', 9, '第9句')]);
    expect(last[0]!.findings).toEqual([]);
    const hit = await pipeline.analyse([turn('a', 10, '这个产品保本')]);
    expect(hit[0]!.findings).toHaveLength(1);
    expect(await pipeline.analyse([turn('a', 10, '这个产品保本')])).toEqual(hit);
    await pipeline.analyse([turn('b', 0, '你好')]);
    await pipeline.analyse([turn('c', 0, '你好')]);
    expect(pipeline.remembered).toEqual({ conversations: 2, turns: 3 });
    expect(made).toEqual(['a', 'b', 'c']);
    // The least recent conversation's session was let go: its next turn asks the factory again.
    await pipeline.analyse([turn('a', 11, '好的')]);
    expect(made).toEqual(['a', 'b', 'c', 'a']);
    expect(pipeline.remembered).toEqual({ conversations: 2, turns: 3 });
  });
});
