import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChecklistTracker,
  type ChecklistTurn,
  fillTemplate,
  mergeVars,
  ScriptLibrary,
  type ScriptVars,
  selectHints,
  varsFromTurn,
} from '../../../lib/scripts';

const dir = join(import.meta.dirname, '../../../scripts/library');
const libraries = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ f, json: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown }));
const general = ScriptLibrary.parse(libraries.find((l) => l.f === 'general.json')!.json);

describe('script library files', () => {
  it('every library parses and has text in all three languages', () => {
    expect(libraries.length).toBeGreaterThan(0);
    for (const { f, json } of libraries) {
      const r = ScriptLibrary.safeParse(json);
      expect(r.success, `${f}: ${r.success ? '' : JSON.stringify(r.error.issues.slice(0, 3))}`).toBe(true);
      for (const s of r.data?.scripts ?? [])
        for (const t of Object.values(s.text)) expect(t.trim()).not.toBe('');
    }
  });

  it('refuses a duplicate id and a script with no condition', () => {
    const s = general.scripts[0]!;
    expect(ScriptLibrary.safeParse({ ...general, scripts: [s, s] }).success).toBe(false);
    expect(ScriptLibrary.safeParse({ ...general, scripts: [{ ...s, when: {} }] }).success).toBe(false);
  });
});

describe('variables from the conversation', () => {
  it('reads the customer name from the console join line and the agent greeting', () => {
    expect(varsFromTurn({ speaker: 'system', text: '客户 赵先生 通过「手机银行 · 在线客服」接入' })).toEqual({
      customerName: '赵先生',
    });
    expect(
      varsFromTurn({ speaker: 'system', text: '訪客 陳先生 透過「官網線上客服」進線' }).customerName,
    ).toBe('陳先生');
    expect(varsFromTurn({ speaker: 'agent', text: "Hi Mark, I'm sorry about that." }).customerName).toBe(
      'Mark',
    );
    expect(
      varsFromTurn({ speaker: 'agent', text: 'Hi there! How can I help?' }).customerName,
    ).toBeUndefined();
  });

  it('reads order numbers the customer gives, labelled or as a code', () => {
    expect(
      varsFromTurn({ speaker: 'customer', text: '订单号 DD20240603118842。页面上写的三天送达' }).orderId,
    ).toBe('DD20240603118842');
    expect(varsFromTurn({ speaker: 'customer', text: '訂單編號是 TW240528-07731。' }).orderId).toBe(
      'TW240528-07731',
    );
    expect(
      varsFromTurn({ speaker: 'customer', text: 'Quick question about my order #US-60142.' }).orderId,
    ).toBe('US-60142');
    expect(varsFromTurn({ speaker: 'customer', text: 'My order is late' }).orderId).toBeUndefined();
  });

  it('keeps the console-given name over a guess from the greeting', () => {
    let v: ScriptVars = {};
    v = mergeVars(v, { speaker: 'system', text: '访客 王女士 通过「App 在线客服」接入' });
    v = mergeVars(v, { speaker: 'agent', text: '张先生您好' });
    expect(v.customerName).toBe('王女士');
  });

  it('fills known variables and reports the missing ones', () => {
    expect(fillTemplate('{customerName}，订单 {orderId}', { customerName: '王女士' })).toEqual({
      text: '王女士，订单 {orderId}',
      missing: ['orderId'],
    });
  });
});

describe('hint selection', () => {
  const base = { activeRules: new Set<string>(), lang: 'zh_CN' as const, vars: { customerName: '王女士' } };

  it('puts the angry-customer script first for an angry complaint, with the name filled', () => {
    const hints = selectHints(general.scripts, { ...base, emotion: 'angry', intent: 'complaint_escalation' });
    expect(hints[0]!.id).toBe('script:angry.apologise-own');
    expect(hints[0]!.text.startsWith('王女士，')).toBe(true);
    expect(hints.map((h) => h.id)).toContain('script:complaint.acknowledge');
  });

  it('puts rule hints before library scripts and follows the language', () => {
    const hints = selectHints(
      general.scripts,
      {
        ...base,
        lang: 'en',
        intent: 'refund_return',
        activeRules: new Set(['finance.no-guaranteed-returns']),
      },
      [
        {
          ruleId: 'finance.no-guaranteed-returns',
          title: 'Promise',
          text: 'Say the usual timing.',
          insertable: true,
        },
      ],
    );
    expect(hints.map((h) => h.id)).toEqual([
      'rule:finance.no-guaranteed-returns',
      'script:promise.realistic',
      'script:refund.explain',
    ]);
    expect(hints[2]!.missing).toEqual(['orderId']);
  });

  it('suggests nothing when no condition holds', () => {
    expect(selectHints(general.scripts, { ...base, emotion: 'neutral', intent: 'other' })).toEqual([]);
  });
});

describe('must-say checklist', () => {
  const turn = (seq: number, speaker: ChecklistTurn['speaker'], text: string): ChecklistTurn => ({
    seq,
    speaker,
    text,
    ts: 1_000 + seq * 5_000,
  });

  it('ticks items as the agent says them, Traditional and Latin-case variants included', () => {
    const t = new ChecklistTracker(general.checklist);
    t.push(turn(0, 'customer', '我想問一下理財產品'));
    t.push(turn(1, 'agent', '您好，這款產品有風險：理財非存款，投資有風險。'));
    const byId = Object.fromEntries(t.entries(0).map((e) => [e.id, e]));
    expect(byId.greeting?.status).toBe('done');
    expect(byId['risk-disclosure']?.status).toBe('done');
    expect(byId['risk-disclosure']?.doneSeq).toBe(1);
    expect(byId.closing?.status).toBe('pending');
    expect(byId.apology).toBeUndefined(); // no complaint: does not apply
  });

  it('counts the deadline in agent replies from when the item applies', () => {
    const t = new ChecklistTracker(general.checklist);
    t.push(turn(0, 'customer', 'I want to file a complaint about this.'));
    expect(t.entries(0).find((e) => e.id === 'apology')).toMatchObject({ status: 'pending', turnsLeft: 2 });
    t.push(turn(1, 'agent', 'Let me look into this.'));
    t.push(turn(2, 'agent', 'This is the policy.'));
    expect(t.entries(0).find((e) => e.id === 'apology')?.status).toBe('overdue');
    t.push(turn(3, 'agent', "I'm sorry for the trouble."));
    expect(t.entries(0).find((e) => e.id === 'apology')?.status).toBe('done');
  });

  it('does not tick a Latin phrase inside another word', () => {
    const t = new ChecklistTracker(general.checklist);
    t.push(turn(0, 'agent', 'this is the shipping policy'));
    expect(t.entries(0).find((e) => e.id === 'greeting')?.status).toBe('overdue');
  });

  it('applies an item when the intent model names the trigger, and marks it missed by its rule', () => {
    const t = new ChecklistTracker(general.checklist);
    t.push(turn(0, 'customer', 'I cannot log in'));
    expect(t.entries(0).some((e) => e.id === 'identity')).toBe(false);
    expect(t.setIntent('account_access', 1_000)).toBe(true);
    expect(t.miss('finance.verify-before-account-details')).toBe(true);
    expect(t.entries(0).find((e) => e.id === 'identity')?.status).toBe('missed');
  });
});
