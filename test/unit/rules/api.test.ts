import { describe, expect, it } from 'vitest';
import { Finding } from '../../../lib/finding';
import { newId } from '../../../lib/ids';
import {
  checkDraft,
  checkRegex,
  compileOrKeep,
  compileRulebook,
  createConversation,
  hitsToFindings,
  renderText,
} from '../../../lib/rules';
import { book, compile } from './helpers';

const turn = (seq: number, speaker: 'agent' | 'customer', text: string) => ({
  seq,
  speaker,
  text,
  ts: 1_000 + seq * 1000,
  channel: 'chat' as const,
});

describe('compileRulebook', () => {
  it('reports every problem with its JSON path instead of throwing', () => {
    const bad = book({
      type: 'all',
      conditions: [
        { type: 'phrase', phrases: ['!!!'] },
        { type: 'regex', pattern: '(a+)+b' },
      ],
    });
    const twice = { ...bad, rules: [...bad.rules, bad.rules[0]] };
    const r = compileRulebook(twice);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('rules.0.when.conditions.0.phrases.0');
    expect(paths).toContain('rules.0.when.conditions.1.pattern');
    expect(paths).toContain('rules.1.id');
    expect(r.errors.every((e) => e.message.length > 0)).toBe(true);
  });

  it('reports schema problems with paths', () => {
    const r = compileRulebook({ ...book({ type: 'phrase', phrases: [] }), version: 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path).sort()).toEqual(['rules.0.when.phrases', 'version']);
  });

  it('keeps the previous good rulebook when a new version is invalid', () => {
    const good = compile(book({ type: 'phrase', phrases: ['保本'] }));
    const kept = compileOrKeep(good, { ...book({ type: 'phrase', phrases: ['保本'] }), schemaVersion: 2 });
    expect(kept.compiled).toBe(good);
    expect(kept.errors.map((e) => e.path)).toEqual(['schemaVersion']);
    const next = compileOrKeep(good, book({ type: 'phrase', phrases: ['稳赚'] }));
    expect(next.errors).toEqual([]);
    expect(next.compiled).not.toBe(good);
  });

  it('rejects non-rulebooks', () => {
    expect(compileRulebook(null).ok).toBe(false);
    expect(compileRulebook('{').ok).toBe(false);
  });
});

describe('checkRegex', () => {
  it('accepts bounded patterns', () => {
    expect(checkRegex('1[3-9]\\d{9}')).toEqual({ ok: true, width: 22 });
    expect(checkRegex('(?:退|换)货{0,2}')).toMatchObject({ ok: true });
  });

  it.each([
    ['(a+)+b', 'unbounded'],
    ['a*', 'unbounded'],
    ['\\d{2,}', 'unbounded'],
    ['(a{1,10}){1,10}', 'nested'],
    ['(a)\\1', 'back-reference'],
    ['(?<=a)b', 'look-behind'],
    ['.{300}', 'limit'],
    ['(', 'invalid'],
  ])('rejects %s', (src, why) => {
    const r = checkRegex(src);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(why);
  });
});

describe('conversations', () => {
  const c = compile(book({ type: 'phrase', phrases: ['保本'], speaker: 'agent' }));

  it('checks a draft without changing the conversation', () => {
    const conv = createConversation(c, 'c1');
    conv.push(turn(0, 'customer', '这个保本吗'));
    const draft = checkDraft(c, '放心，保本的', { conversation: conv, ts: 5000 });
    expect(draft).toHaveLength(1);
    expect(draft[0]!.seq).toBe(1);
    expect(conv.lastSeq).toBe(0);
    expect(conv.textOf(1)).toBeUndefined();
    // The same words sent for real still fire: the preview left no trace.
    expect(conv.push(turn(1, 'agent', '放心，保本的'))).toHaveLength(1);
    expect(checkDraft(c, '不保本也没关系的产品')).toHaveLength(1);
  });

  it('sees what the conversation already reported when checking a draft', () => {
    const once = compile(book({ type: 'phrase', phrases: ['保本'], speaker: 'agent' }, { once: true }));
    const conv = createConversation(once, 'c3');
    expect(conv.push(turn(0, 'agent', '保本的'))).toHaveLength(1);
    // A rule that fires once per conversation has fired: the draft does not raise it again.
    expect(checkDraft(once, '还是保本的', { conversation: conv, ts: 5000 })).toHaveLength(0);
    expect(checkDraft(once, '还是保本的')).toHaveLength(1);
  });

  it('re-evaluates an edited turn and reports only new hits', () => {
    const conv = createConversation(c, 'c2');
    expect(conv.push(turn(0, 'agent', '您好'))).toHaveLength(0);
    conv.push(turn(1, 'agent', '请稍等'));
    const edited = conv.push(turn(0, 'agent', '您好，保本的'));
    expect(edited.map((h) => h.evidence[0]!.seq)).toEqual([0]);
    expect(conv.push(turn(0, 'agent', '您好，保本的!'))).toHaveLength(0);
    // A duplicate delivery of the same turn costs nothing and reports nothing.
    const work = conv.work;
    expect(conv.push(turn(1, 'agent', '请稍等'))).toHaveLength(0);
    expect(conv.work).toBe(work);
  });

  it('closes time windows on a tick, without a new turn', () => {
    const must = compile(
      book({
        type: 'absent',
        condition: { type: 'window', firstSeconds: 30, condition: { type: 'phrase', phrases: ['录音'] } },
      }),
    );
    const conv = createConversation(must, 'c4');
    conv.push(turn(0, 'agent', '您好'));
    expect(conv.tick(20_000)).toHaveLength(0);
    const hits = conv.tick(40_000);
    expect(hits.map((h) => [h.at, h.seq])).toEqual([['tick', 0]]);
    expect(conv.finish()).toHaveLength(0);
  });

  it('skips rules scoped to another channel', () => {
    const voice = compile(
      book({ type: 'phrase', phrases: ['保本'] }, { scope: { speaker: 'any', channel: 'voice' } }),
    );
    const conv = createConversation(voice, 'c5');
    expect(conv.push(turn(0, 'agent', '保本'))).toHaveLength(0);
    expect(conv.push({ ...turn(1, 'agent', '保本'), channel: 'voice' })).toHaveLength(1);
  });

  it('gives the same hits for the same input', () => {
    const run = () => {
      const conv = createConversation(c, 'c3');
      return [conv.push(turn(0, 'agent', '保本保本')), conv.finish()];
    };
    const a = run();
    const b = run();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a[0]).toHaveLength(1);
    expect(a[0]![0]!.evidence).toHaveLength(2);
  });
});

describe('findings', () => {
  it('turns hits into valid Findings with scores and a localized title', () => {
    const c = compile(
      book(
        { type: 'phrase', phrases: ['保本'] },
        {
          actions: {
            warning: {
              text: { zh_CN: '勿承诺{match}', zh_TW: '勿承諾{match}', en: 'Do not promise {match}' },
            },
            score: { dimension: 'compliance', points: -20 },
          },
        },
      ),
    );
    const conv = createConversation(c, 'conv-1');
    const hits = conv.push(turn(3, 'agent', '绝对保 本'));
    const findings = hitsToFindings(hits, { newId, lang: 'zh_CN', agentId: 'a1' });
    expect(findings).toHaveLength(1);
    const f = Finding.parse(findings[0]);
    expect(f).toMatchObject({ ruleId: 'r', kind: 'warning', scores: { compliance: -20 }, agentId: 'a1' });
    expect(f.evidence).toEqual([{ seq: 3, start: 2, end: 5, text: '保 本' }]);
    expect(renderText(hits[0]!.actions.warning!.text.en, hits[0]!.vars)).toBe('Do not promise 保 本');
    expect(renderText('Hi {customerName}', {})).toBe('Hi {customerName}');
  });
});
