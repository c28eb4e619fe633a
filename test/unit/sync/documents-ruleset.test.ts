/**
 * The analysis worker's swappable rule set (lib/analysis/ruleset.ts): a team's published
 * rulebooks replace the shipped ones atomically, a rulebook that does not compile keeps its
 * previous version, and live conversations keep their engine state for unchanged rulebooks.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiveDraftSessions } from '../../../lib/adapters/presend-session';
import { LiveRuleSet, rulebooksOf, validateRulebookDocument } from '../../../lib/analysis/ruleset';
import type { Utterance } from '../../../lib/utterance';

const L = (s: string) => ({ zh_CN: s, zh_TW: s, en: s });
const example = [{ speaker: 'agent', text: 'x' }];

function rule(id: string, when: unknown, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: L(id),
    description: L(id),
    category: 'forbidden',
    severity: 'warning',
    when,
    actions: { warning: { text: L(`warning ${id}`) } },
    examples: { fire: [example], noFire: [example] },
    ...extra,
  };
}

function rulebook(id: string, version: string, rules: unknown[]) {
  return { schemaVersion: 1, id, version, name: L(id), rules };
}

const phrase = (...phrases: string[]) => ({ type: 'phrase', phrases });
/** Fires on the second customer turn in a row that says "refund": needs state across turns. */
const twice = (id: string) =>
  rule(
    id,
    { type: 'streak', length: 2, speaker: 'customer', condition: phrase('refund') },
    {
      scope: { speaker: 'customer' },
    },
  );

const shipped = rulebook('general', '1', [rule('general.rude', phrase('whatever')), twice('general.twice')]);

let seq = 0;
const turn = (conversationId: string, speaker: 'agent' | 'customer', text: string): Utterance => ({
  conversationId,
  seq: seq++,
  speaker,
  text,
  ts: 1_000 + seq,
  channel: 'chat',
  source: 'test',
});

function setup() {
  let n = 0;
  const set = new LiveRuleSet(() => `F${n++}`);
  const first = set.swap([shipped], 'bundled', ['general.json']);
  expect(first).toMatchObject({ applied: true, source: 'bundled', versions: ['general@1'], errors: [] });
  return set;
}

const ruleIds = (fs: { ruleId?: string }[]) => fs.map((f) => f.ruleId);

describe('LiveRuleSet.swap', () => {
  it("runs the team's set instead of the shipped one, in a conversation that was already live", () => {
    const set = setup();
    const s = set.sessions('c1');
    expect(ruleIds(s.push(turn('c1', 'agent', 'whatever you say'), {}))).toEqual(['general.rude']);
    expect(ruleIds(s.push(turn('c1', 'agent', 'I will escalate this'), {}))).toEqual([]);

    const team = rulebook('team-a', '7', [rule('team-a.escalate', phrase('escalate'))]);
    expect(set.swap([team], 'team')).toMatchObject({
      applied: true,
      source: 'team',
      versions: ['team-a@7'],
      errors: [],
    });
    // The same session object the pipeline cached: the new rule fires, the shipped one no longer does.
    expect(ruleIds(s.push(turn('c1', 'agent', 'I will escalate this'), {}))).toEqual(['team-a.escalate']);
    expect(ruleIds(s.push(turn('c1', 'agent', 'whatever you say'), {}))).toEqual([]);
    // A conversation that starts later gets the team's set too, and so do pre-send checks.
    expect(ruleIds(set.sessions('c2').push(turn('c2', 'agent', 'escalate'), {}))).toEqual([
      'team-a.escalate',
    ]);
    expect(set.check('let me escalate', 'c1').map((h) => h.ruleId)).toEqual(['team-a.escalate']);
    expect(set.check('whatever', 'c1')).toEqual([]);
  });

  it('keeps the previous version of a rulebook whose new version does not compile, and says why', () => {
    const set = setup();
    const broken = rulebook('general', '2', [rule('general.rude', { type: 'regex', pattern: '(a+)+b' })]);
    const r = set.swap([broken], 'team');
    expect(r.applied).toBe(true);
    expect(r.versions).toEqual(['general@1']);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]).toMatch(/^general: rules\.0\.when\.pattern: /);
    expect(ruleIds(set.sessions('c3').push(turn('c3', 'agent', 'whatever'), {}))).toEqual(['general.rude']);
  });

  it('leaves the running set untouched when nothing in the new one compiles', () => {
    const set = setup();
    const r = set.swap([{ id: 'team-b', rules: 'not rules' }], 'team');
    expect(r).toMatchObject({ applied: false, source: 'bundled', versions: ['general@1'] });
    expect(r.errors.length).toBeGreaterThan(0);
    expect(set.source).toBe('bundled');
  });

  it('keeps live state for an unchanged rulebook and starts a changed one fresh from the next turn', () => {
    const set = setup();
    const kept = set.sessions('k');
    const restarted = set.sessions('r');
    expect(kept.push(turn('k', 'customer', 'I want a refund'), {})).toEqual([]);
    expect(restarted.push(turn('r', 'customer', 'I want a refund'), {})).toEqual([]);

    // Same general rulebook (byte for byte) plus a new one: the streak carries over.
    const extra = rulebook('team-a', '1', [rule('team-a.escalate', phrase('escalate'))]);
    set.swap([shipped, extra], 'team');
    expect(ruleIds(kept.push(turn('k', 'customer', 'refund now please'), {}))).toEqual(['general.twice']);

    // A new version of general: its state starts over, so one more turn does not complete a streak.
    const changed = rulebook('general', '2', [
      rule('general.rude', phrase('whatever')),
      twice('general.twice'),
    ]);
    set.swap([changed, extra], 'team');
    expect(set.versions).toEqual(['general@2', 'team-a@1']);
    expect(restarted.push(turn('r', 'customer', 'refund now please'), {})).toEqual([]);
    expect(ruleIds(restarted.push(turn('r', 'customer', 'still no refund'), {}))).toEqual(['general.twice']);
  });

  it('goes back to the shipped rulebooks when asked', () => {
    const set = setup();
    set.swap([rulebook('team-a', '1', [rule('team-a.escalate', phrase('escalate'))])], 'team');
    expect(set.swap([shipped], 'bundled')).toMatchObject({ source: 'bundled', versions: ['general@1'] });
    expect(ruleIds(set.sessions('b').push(turn('b', 'agent', 'escalate, whatever'), {}))).toEqual([
      'general.rude',
    ]);
  });
});

describe('team rulebook documents', () => {
  const good = rulebook('team-a', '1', [rule('team-a.escalate', phrase('escalate'))]);

  it('hold one rulebook or a list of them', () => {
    expect(rulebooksOf(good)).toEqual([good]);
    expect(rulebooksOf([good, shipped])).toEqual([good, shipped]);
    expect(rulebooksOf({ rulebooks: [shipped] })).toEqual([shipped]);
  });

  it('are accepted only when every rulebook compiles', () => {
    expect(validateRulebookDocument(good)).toEqual({ ok: true });
    expect(validateRulebookDocument([good, shipped])).toEqual({ ok: true });
    const bad = validateRulebookDocument([good, { ...shipped, rules: [{ id: 'x' }] }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/^rulebook 2: /);
    expect(validateRulebookDocument([]).ok).toBe(false);
  });
});

describe('LiveRuleSet as the pre-send check', () => {
  it('answers like the fixed-set LiveDraftSessions it replaces, over the shipped rulebooks', () => {
    const dir = join(process.cwd(), 'rulebooks');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const jsons = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
    const set = new LiveRuleSet(() => 'F');
    set.swap(jsons, 'bundled', files);
    const fixed = new LiveDraftSessions(set.compiled, () => 'F');
    const a = set.sessions('p');
    const b = fixed.sessions('p');
    const turns: [speaker: 'agent' | 'customer', text: string][] = [
      ['customer', '你好，我想问一下这个理财产品保本吗？'],
      ['agent', '您好，我帮您查一下'],
      ['customer', 'My refund still has not arrived, this is ridiculous'],
      ['agent', 'I already told you, whatever'],
      ['customer', '我要投诉你们，太差劲了'],
    ];
    const drafts = [
      '放心，保证稳赚不赔',
      '说了多少遍了，你自己去查',
      'Sorry, let me check that for you',
      '卡号 6222020200112233445',
    ];
    const pushed: (string | undefined)[] = [];
    turns.forEach(([speaker, text], i) => {
      const u: Utterance = {
        conversationId: 'p',
        seq: i,
        speaker,
        text,
        ts: 1_000 * (i + 1),
        channel: 'chat',
        source: 't',
      };
      const fired = ruleIds(a.push(u, {}));
      expect(fired).toEqual(ruleIds(b.push(u, {})));
      pushed.push(...fired);
      for (const d of drafts) expect(set.check(d, 'p', 50_000)).toEqual(fixed.check(d, 'p', 50_000));
    });
    const hits = drafts.flatMap((d) => set.check(d, 'p', 50_000));
    expect(hits.length).toBeGreaterThan(0);
    expect(pushed.length).toBeGreaterThan(0);
    expect(set.check('放心，保证稳赚不赔', undefined, 50_000)).toEqual(
      fixed.check('放心，保证稳赚不赔', undefined, 50_000),
    );
  });
});
