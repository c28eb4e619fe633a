/**
 * Property tests for the rulebook parser and the engine on hostile input: a rulebook comes from
 * an endpoint or an options-page import, so any JSON must give a clear error (never a throw),
 * and a compiled rulebook must survive any utterance text with its evidence inside the text.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRulebook, createConversation } from '../../../lib/rules';

const shipped = ['general', 'ecommerce', 'finance', 'telecom'].map(
  (id) => JSON.parse(readFileSync(`rulebooks/${id}.json`, 'utf8')) as Record<string, unknown>,
);

function expectClearResult(json: unknown) {
  const r = compileRulebook(json);
  if (r.ok) return r;
  expect(r.errors.length).toBeGreaterThan(0);
  for (const e of r.errors) {
    expect(typeof e.path).toBe('string');
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
  }
  return r;
}

/** Every JSON path of a value, so a mutation can land anywhere in a rulebook. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(v)) for (const [i, x] of v.entries()) paths(x, [...at, i], out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

type Mutation = { kind: 'delete' } | { kind: 'replace'; value: unknown } | { kind: 'wrap' };

function mutate(root: unknown, at: (string | number)[], m: Mutation): unknown {
  const copy = structuredClone(root);
  if (at.length === 0) return m.kind === 'replace' ? m.value : m.kind === 'wrap' ? [copy] : undefined;
  let parent = copy as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at[at.length - 1] as string | number;
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (m.kind === 'wrap') parent[last] = [parent[last]];
  else parent[last] = m.value;
  return copy;
}

const hostileValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    '(a+)+$',
    '(?<x>a|a)*b',
    '\\',
    '[',
    '',
    ' ',
    '\u0000',
    '\ud800',
    'a'.repeat(100_000),
    -1,
    1e308,
    Number.NaN,
    null,
    [],
    {},
    { type: 'regex', pattern: '(x+x+)+y' },
    { type: 'all', of: [] },
    { type: 'near', a: 'x', b: 'y', within: -5 },
  ),
);

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc
    .array(
      fc.constantFrom(
        '保证',
        '稳赚不赔',
        '保 證',
        '退款',
        '加我微信',
        'guaranteed',
        'refund',
        '1234 5678 9012 3456',
        '不',
        'not',
        '，',
        '！',
        ' ',
        '😡',
        '\u200b',
        '一三八',
      ),
      { maxLength: 60 },
    )
    .map((xs) => xs.join('')),
);

describe('rulebook parser on hostile input', () => {
  it('answers any JSON value with a result or path-tagged errors, never a throw', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (json) => {
        expectClearResult(json);
      }),
      { numRuns: 300, seed: 4242 },
    );
  });

  it('answers any single mutation of a shipped rulebook clearly', () => {
    const book = shipped[0]!;
    const all = paths(book);
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.constant({ kind: 'delete' as const }),
      fc.constant({ kind: 'wrap' as const }),
      hostileValue.map((value) => ({ kind: 'replace' as const, value })),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), mutation, (i, m) => {
        const r = expectClearResult(mutate(book, all[i]!, m));
        // A mutation that still compiles must still run.
        if (r.ok)
          createConversation(r.compiled, 'c').push({
            seq: 0,
            speaker: 'agent',
            text: '保证',
            ts: 0,
            channel: 'chat',
          });
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('rejects catastrophic regular expressions instead of hanging on them', () => {
    const base = shipped[0]!;
    const rule = structuredClone((base.rules as Record<string, unknown>[])[0]!);
    rule.when = { type: 'regex', pattern: '(a+)+$' };
    const r = compileRulebook({ ...base, rules: [rule] });
    expect(r.ok).toBe(false);
  });
});

describe('compiled rulebooks on hostile text', () => {
  const compiled = shipped.map((b) => {
    const r = compileRulebook(b);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.compiled;
  });

  it('keep every piece of evidence inside the turn it quotes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ speaker: fc.constantFrom('agent', 'customer' as const), text }), {
          minLength: 1,
          maxLength: 8,
        }),
        (turns) => {
          for (const book of compiled) {
            const conv = createConversation(book, 'c');
            const hits = turns.flatMap((t, seq) =>
              conv.push({
                seq,
                speaker: t.speaker as 'agent' | 'customer',
                text: t.text,
                ts: seq * 1000,
                channel: 'chat',
              }),
            );
            hits.push(...conv.finish());
            for (const h of hits)
              for (const e of h.evidence) {
                const turn = turns[e.seq];
                expect(turn, `${h.ruleId} quotes a turn that exists`).toBeDefined();
                expect(e.start).toBeGreaterThanOrEqual(0);
                expect(e.end).toBeGreaterThanOrEqual(e.start);
                expect(e.end).toBeLessThanOrEqual(turn!.text.length);
                expect(turn!.text.slice(e.start, e.end).startsWith(e.text.slice(0, 50))).toBe(true);
              }
          }
        },
      ),
      { numRuns: 150, seed: 99 },
    );
  });
});
