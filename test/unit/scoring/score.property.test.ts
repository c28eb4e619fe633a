/**
 * Property tests for the scorer (issue 12, fuzzing and property tests): random valid scorecards
 * and random findings. Scores stay within bounds, auto-fail zeroes, removing a finding never
 * lowers a score, and neither the order of findings nor the order of dimensions changes it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../../lib/finding';
import { Scorecard, type ScorecardInput, type ScoreResult, scoreConversation } from '../../../lib/scoring';

const L = (s: string) => ({ zh_CN: s, zh_TW: s, en: s });
const RULES = ['r.a', 'r.b', 'r.c', 'r.d', 'r.e', 'r.f'];
const DIMS = ['d0', 'd1', 'd2', 'd3'];
const SEVERITIES: Severity[] = ['info', 'hint', 'warning', 'critical', 'auto-fail'];

const points = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 50 }),
  fc.double({ min: 0, max: 1000, noNaN: true }),
);

const ruleItem = fc.record({
  kind: fc.constant('rule' as const),
  ruleIds: fc.uniqueArray(fc.constantFrom(...RULES), { minLength: 1, maxLength: 3 }),
  points,
  perFinding: fc.boolean(),
  maxDeductions: fc.integer({ min: 1, max: 5 }),
  autoFail: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});
const manualItem = fc.record({ kind: fc.constant('manual' as const), points, autoFail: fc.boolean() });

const cardArb: fc.Arbitrary<Scorecard> = fc
  .record({
    passScore: fc.integer({ min: 0, max: 100 }),
    useRulePoints: fc.boolean(),
    autoFailSeverities: fc.subarray(SEVERITIES),
    dimensions: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(...DIMS),
        weight: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.double({ min: 0.001, max: 1000, noNaN: true })),
        max: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0.001, max: 1000, noNaN: true })),
        items: fc.array(fc.oneof(ruleItem, manualItem), { maxLength: 5 }),
      }),
      { minLength: 1, maxLength: DIMS.length, selector: (d) => d.id },
    ),
  })
  .map((c) => {
    let item = 0;
    const input: ScorecardInput = {
      id: 'prop',
      version: 1,
      name: L('prop'),
      ...c,
      dimensions: c.dimensions.map((d) => ({
        ...d,
        name: L(d.id),
        items: d.items.map((it) => {
          const id = `i${item++}`;
          return it.kind === 'rule'
            ? { ...it, id, name: L(id) }
            : { ...it, id, name: L(id), question: L(id) };
        }),
      })),
    };
    return Scorecard.parse(input);
  });

const findingArb = fc.record({
  ruleId: fc.option(fc.constantFrom(...RULES, 'r.unmapped'), { nil: undefined }),
  severity: fc.constantFrom(...SEVERITIES),
  scores: fc.dictionary(
    fc.constantFrom(...DIMS),
    fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ min: -100, max: 100, noNaN: true })),
  ),
});

const findingsArb = fc.array(findingArb, { maxLength: 12 }).map((fs) =>
  fs.map(
    (f, i): Finding => ({
      id: `f${i}`,
      conversationId: 'c',
      ...(f.ruleId === undefined ? {} : { ruleId: f.ruleId }),
      kind: 'warning',
      severity: f.severity,
      evidence: [],
      scores: f.scores,
      ts: i,
    }),
  ),
);

/** Reviewer answers for some manual items, including nonsense a client might send. */
const answersArb = fc.dictionary(
  fc.constantFrom('i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'),
  fc.oneof(fc.integer({ min: -10, max: 60 }), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY)),
);

const RUNS = { numRuns: 400 };

function expectWithinBounds(r: ScoreResult, card: Scorecard): void {
  expect(Number.isFinite(r.total)).toBe(true);
  expect(r.total).toBeGreaterThanOrEqual(0);
  expect(r.total).toBeLessThanOrEqual(100);
  expect(r.passed).toBe(r.total >= card.passScore);
  for (const d of r.dimensions) {
    const dim = card.dimensions.find((x) => x.id === d.dimensionId)!;
    expect(d.score).toBeGreaterThanOrEqual(0);
    expect(d.score).toBeLessThanOrEqual(dim.max);
    for (const it of d.items) expect(it.deducted).toBeGreaterThanOrEqual(0);
  }
}

describe('scoreConversation properties', () => {
  it('keeps the total in 0…100 and every dimension in 0…max', () => {
    fc.assert(
      fc.property(cardArb, findingsArb, answersArb, (card, findings, answers) => {
        expectWithinBounds(scoreConversation(findings, card, answers), card);
      }),
      RUNS,
    );
  });

  it('scores 0 and fails whenever an auto-fail item triggers or an auto-fail severity occurs', () => {
    fc.assert(
      fc.property(cardArb, findingsArb, answersArb, (card, findings, answers) => {
        const r = scoreConversation(findings, card, answers);
        const severities = new Set(card.autoFailSeverities);
        const bySeverity = findings.some((f) => severities.has(f.severity));
        const byItem = card.dimensions.some((d) =>
          d.items.some(
            (it) =>
              it.autoFail &&
              (it.kind === 'rule'
                ? findings.some((f) => f.ruleId !== undefined && it.ruleIds.includes(f.ruleId))
                : Number.isFinite(answers[it.id]) && Math.max(0, answers[it.id]!) === 0 && it.points > 0),
          ),
        );
        expect(r.autoFailed.length > 0).toBe(bySeverity || byItem);
        if (bySeverity || byItem) {
          expect(r.total).toBe(0);
          if (card.passScore > 0) expect(r.passed).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('never lowers a score when a finding is removed', () => {
    fc.assert(
      fc.property(cardArb, findingsArb, fc.nat(), answersArb, (card, findings, pick, answers) => {
        fc.pre(findings.length > 0);
        const without = findings.filter((_, i) => i !== pick % findings.length);
        const a = scoreConversation(findings, card, answers);
        const b = scoreConversation(without, card, answers);
        expect(b.total).toBeGreaterThanOrEqual(a.total);
        for (const d of a.dimensions) {
          const after = b.dimensions.find((x) => x.dimensionId === d.dimensionId)!;
          expect(after.score).toBeGreaterThanOrEqual(d.score);
        }
      }),
      RUNS,
    );
  });

  it('gives the same scores whatever the order of findings and of dimensions', () => {
    fc.assert(
      fc.property(
        cardArb,
        findingsArb,
        answersArb,
        fc.integer({ min: 1, max: 1000 }),
        (card, findings, answers, seed) => {
          const shuffle = <T>(xs: readonly T[]): T[] => {
            const out = [...xs];
            let s = seed;
            for (let i = out.length - 1; i > 0; i--) {
              s = (s * 16807) % 2147483647;
              const j = s % (i + 1);
              [out[i], out[j]] = [out[j]!, out[i]!];
            }
            return out;
          };
          const a = scoreConversation(findings, card, answers);
          const b = scoreConversation(shuffle(findings), card, answers);
          const reordered: Scorecard = { ...card, dimensions: shuffle(card.dimensions) };
          const c = scoreConversation(findings, reordered, answers);
          expect(b.total).toBe(a.total);
          // Summing weights in another order may differ in the last bit before rounding to 0.01.
          expect(Math.abs(c.total - a.total)).toBeLessThanOrEqual(0.01);
          expect(c.passed === a.passed || Math.abs(a.total - card.passScore) <= 0.01).toBe(true);
          const dims = (r: ScoreResult) =>
            Object.fromEntries(r.dimensions.map((d) => [d.dimensionId, d.score]));
          expect(dims(b)).toEqual(dims(a));
          expect(dims(c)).toEqual(dims(a));
        },
      ),
      RUNS,
    );
  });

  it('is unchanged when every weight is scaled by the same factor', () => {
    fc.assert(
      fc.property(cardArb, findingsArb, fc.integer({ min: 2, max: 50 }), (card, findings, k) => {
        const scaled: Scorecard = {
          ...card,
          dimensions: card.dimensions.map((d) => ({ ...d, weight: d.weight * k })),
        };
        const a = scoreConversation(findings, card);
        const b = scoreConversation(findings, scaled);
        expect(Math.abs(b.total - a.total)).toBeLessThanOrEqual(0.01);
      }),
      RUNS,
    );
  });
});
