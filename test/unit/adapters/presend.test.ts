import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blocking, modeOfHit, suggestRewrite, warnOnly } from '../../../lib/adapters/presend';
import { LiveDraftSessions } from '../../../lib/adapters/presend-session';
import { newId } from '../../../lib/ids';
import { Rulebook, presendModeOf } from '../../../lib/rules/schema';
import type { Utterance } from '../../../lib/utterance';
import { compile } from '../rules/helpers';

const L = (s: string) => ({ zh_CN: s, zh_TW: s, en: s });
const ex = { fire: [[{ speaker: 'agent', text: 'x' }]], noFire: [[{ speaker: 'agent', text: 'x' }]] };
const rule = (id: string, severity: string, when: unknown, extra: Record<string, unknown> = {}) => ({
  id,
  name: L(id),
  description: L(id),
  category: 'forbidden',
  severity,
  when,
  examples: ex,
  ...extra,
});

/** Three rules: one only in context (a reassurance after the customer asked about returns). */
const bookJson = {
  schemaVersion: 1,
  id: 'presend-test',
  version: '1',
  name: L('t'),
  rules: [
    rule('card', 'critical', { type: 'regex', pattern: '\\d{16}', speaker: 'agent' }),
    rule(
      'promise',
      'critical',
      { type: 'phrase', phrases: ['保证退款'], speaker: 'agent' },
      { presend: 'warn' },
    ),
    rule(
      'returns-context',
      'warning',
      {
        type: 'all',
        conditions: [
          { type: 'seen', condition: { type: 'phrase', phrases: ['保本吗'], speaker: 'customer' } },
          { type: 'phrase', phrases: ['放心'], speaker: 'agent' },
        ],
      },
      { presend: 'block' },
    ),
    rule('rude', 'warning', { type: 'phrase', phrases: ['烦不烦'], speaker: 'agent' }, { presend: 'off' }),
  ],
};

const u = (conversationId: string, seq: number, speaker: Utterance['speaker'], text: string): Utterance => ({
  conversationId,
  seq,
  speaker,
  text,
  ts: 1000 + seq,
  channel: 'chat',
  source: 'test',
});

describe('pre-send mode per rule', () => {
  it('defaults by severity and takes the rule setting when present', () => {
    expect(presendModeOf({ severity: 'critical' })).toBe('block');
    expect(presendModeOf({ severity: 'auto-fail' })).toBe('block');
    expect(presendModeOf({ severity: 'warning' })).toBe('warn');
    expect(presendModeOf({ severity: 'hint' })).toBe('warn');
    expect(presendModeOf({ severity: 'critical', presend: 'warn' })).toBe('warn');
    expect(presendModeOf({ severity: 'hint', presend: 'off' })).toBe('off');
    // Rules no chat draft can concern are off unless they say otherwise.
    expect(presendModeOf({ severity: 'critical', scope: { speaker: 'customer' } })).toBe('off');
    expect(presendModeOf({ severity: 'warning', scope: { speaker: 'agent', channel: 'voice' } })).toBe('off');
    expect(presendModeOf({ severity: 'critical', scope: { speaker: 'customer' }, presend: 'warn' })).toBe(
      'warn',
    );
  });

  it('is validated by the rulebook schema', () => {
    expect(Rulebook.safeParse(bookJson).success).toBe(true);
    const bad = structuredClone(bookJson);
    (bad.rules[0] as Record<string, unknown>).presend = 'sometimes';
    const r = Rulebook.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['rules', 0, 'presend']);
  });

  it('every shipped rulebook parses, and rules about the customer or voice stay off drafts', () => {
    const dir = join(import.meta.dirname, '../../../rulebooks');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const b = Rulebook.parse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      for (const r of b.rules)
        if (r.scope.speaker === 'customer' || r.scope.channel === 'voice')
          expect(presendModeOf(r), `${f} ${r.id}`).toBe('off');
    }
  });
});

describe('LiveDraftSessions', () => {
  const compiled = compile(bookJson);

  it('blocks and warns per rule and leaves out rules set to off', () => {
    const live = new LiveDraftSessions([compiled], newId);
    const hits = live.check('卡号 1234567812345678，保证退款，烦不烦');
    expect(hits.map((h) => [h.ruleId, h.mode]).sort()).toEqual([
      ['card', 'block'],
      ['promise', 'warn'],
    ]);
    expect(blocking(hits).map((h) => h.ruleId)).toEqual(['card']);
    expect(warnOnly(hits).map((h) => h.ruleId)).toEqual(['promise']);
    // The rewrite takes out the card number; evidence points into the draft.
    const card = hits.find((h) => h.ruleId === 'card')!;
    expect(card.evidence[0]!.text).toBe('1234567812345678');
    expect(suggestRewrite('卡号 1234567812345678，好的', [card], 'en')).toBe('卡号，好的');
  });

  it('checks the draft as the next turn of the live conversation, without changing it', () => {
    const live = new LiveDraftSessions([compiled], newId);
    const session = live.sessions('c1');
    // Without the customer's question the reassurance is harmless …
    expect(live.check('放心，没问题', 'c1')).toEqual([]);
    session.push(u('c1', 0, 'customer', '这个产品保本吗'), {});
    session.push(u('c1', 1, 'agent', '我帮您看一下'), {});
    // … after it, the same words in the same conversation are stopped once.
    const hits = live.check('放心，没问题', 'c1');
    expect(hits.map((h) => [h.ruleId, h.mode])).toEqual([['returns-context', 'block']]);
    // Only the draft's own span is evidence: the customer's earlier words are context, not draft.
    expect(hits[0]!.evidence).toEqual([{ start: 0, end: 2, text: '放心' }]);
    // Another conversation, and no conversation at all, know nothing of that question.
    live.sessions('c2');
    expect(live.check('放心，没问题', 'c2')).toEqual([]);
    expect(live.check('放心，没问题')).toEqual([]);
    // The preview left no trace: sending it for real still fires, once.
    const sent = session.push(u('c1', 2, 'agent', '放心，没问题'), {});
    expect(sent.map((f) => f.ruleId)).toEqual(['returns-context']);
  });

  it('remembers a bounded number of conversations', () => {
    const live = new LiveDraftSessions([compiled], newId, 3);
    for (let i = 0; i < 10; i++) live.sessions(`c${i}`).push(u(`c${i}`, 0, 'customer', '保本吗'), {});
    expect(live.size).toBe(3);
    // The most recent ones are kept with their context; the oldest are checked fresh.
    expect(live.check('放心', 'c9').map((h) => h.ruleId)).toEqual(['returns-context']);
    expect(live.check('放心', 'c0')).toEqual([]);
  });

  it('hits from an older worker without a mode fall back to severity', () => {
    const base = { names: L('x'), evidence: [] };
    expect(modeOfHit({ ...base, ruleId: 'a', severity: 'critical' })).toBe('block');
    expect(modeOfHit({ ...base, ruleId: 'b', severity: 'warning' })).toBe('warn');
  });
});
