import { describe, expect, it } from 'vitest';
import {
  assignReviewers,
  cohensKappa,
  fleissKappa,
  gradeOf,
  hotTopics,
  kappaBand,
  moodTrend,
  riskOf,
  rulePrecision,
  sampleRandom,
  sampleRiskWeighted,
  toCsv,
  weakestDimensions,
} from '../../../lib/qa';

describe('Cohen κ', () => {
  it('matches the textbook example (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → 0.4)', () => {
    const a = [...Array(25).fill('yes'), ...Array(25).fill('no')];
    const b = [
      ...Array(20).fill('yes'),
      ...Array(5).fill('no'),
      ...Array(10).fill('yes'),
      ...Array(15).fill('no'),
    ];
    expect(cohensKappa(a, b)).toBeCloseTo(0.4, 10);
  });
  it('is 1 for identical ratings, skips missing ratings and is null with nothing shared', () => {
    expect(cohensKappa(['a', 'b', 'a'], ['a', 'b', 'a'])).toBe(1);
    expect(cohensKappa(['a', null, 'b'], ['a', 'b', 'b'])).toBe(1);
    expect(cohensKappa([null], ['a'])).toBeNull();
    expect(cohensKappa(['x', 'x'], ['x', 'x'])).toBe(1);
  });
});

describe('Fleiss κ', () => {
  it('matches the Fleiss (1971) worked example: 10 items, 14 raters, 5 categories → 0.210', () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const ratings = table.map((row) => row.flatMap((n, cat) => Array(n).fill(cat) as number[]));
    expect(fleissKappa(ratings)).toBeCloseTo(0.21, 3);
  });
  it('equals Cohen for two raters only up to its own chance model, and is 1 on full agreement', () => {
    expect(
      fleissKappa([
        ['a', 'a', 'a'],
        ['b', 'b', 'b'],
      ]),
    ).toBe(1);
    expect(fleissKappa([['a']])).toBeNull();
    expect(kappaBand(0.65)).toBe('substantial');
    expect(kappaBand(null)).toBe('none');
    expect(gradeOf(59)).toBe('fail');
    expect(gradeOf(85)).toBe('excellent');
  });
});

describe('sampling', () => {
  const ids = Array.from({ length: 200 }, (_, i) => `c${i}`);
  it('takes the asked share, reproducibly, without duplicates', () => {
    const a = sampleRandom(ids, 10, 7);
    expect(a).toHaveLength(20);
    expect(new Set(a).size).toBe(20);
    expect(sampleRandom(ids, 10, 7)).toEqual(a);
    expect(sampleRandom(ids, 10, 8)).not.toEqual(a);
    expect(sampleRandom(ids.slice(0, 50), 1, 1)).toHaveLength(1);
  });
  it('risk weighting draws risky conversations far more often', () => {
    const cands = ids.map((id, i) => ({
      id,
      score: i < 20 ? 30 : 95,
      emotion: i < 20 ? 'angry' : 'neutral',
      agentTenureDays: 400,
      minRulePrecision: 1,
    }));
    let risky = 0;
    for (let seed = 1; seed <= 20; seed++)
      risky += sampleRiskWeighted(cands, 20, seed).filter((s) => Number(s.id.slice(1)) < 20).length;
    // 10 % of the population; with the default weights well over a third of each draw.
    expect(risky / (20 * 20)).toBeGreaterThan(0.35);
    expect(riskOf(cands[0]!).reasons).toEqual(['low-score', 'angry']);
  });
  it('assigns reviewers by open load', () => {
    const out = assignReviewers(
      ['a', 'b', 'c'],
      [
        { id: 'r1', open: 2 },
        { id: 'r2', open: 0 },
      ],
    );
    expect(out.map(([, r]) => r)).toEqual(['r2', 'r2', 'r1']);
  });
});

describe('analytics helpers', () => {
  it('rule precision counts each wrong finding once', () => {
    expect(rulePrecision(10, ['a', 'b', 'a'])).toBeCloseTo(0.8);
    expect(rulePrecision(0, [])).toBeNull();
    expect(rulePrecision(1, ['a', 'b'])).toBe(0);
  });
  it('hot topics rank rises with smoothing and drop falling topics', () => {
    const t = hotTopics([
      { key: 'refund', thisWeek: 30, lastWeek: 10 },
      { key: 'new', thisWeek: 5, lastWeek: 0 },
      { key: 'falling', thisWeek: 2, lastWeek: 9 },
      { key: 'noise', thisWeek: 1, lastWeek: 0 },
    ]);
    expect(t.map((x) => x.key)).toEqual(['new', 'refund']);
  });
  it('mood trend keeps the worst label per slice', () => {
    expect(moodTrend(['neutral', 'angry', 'neutral', 'positive'], 2)).toEqual(['angry', 'neutral']);
    expect(moodTrend(['neutral'], 8)).toEqual(['neutral']);
  });
  it('CSV quotes, defuses formulas and starts with a BOM', () => {
    const csv = toCsv(
      ['a', 'b'],
      [
        ['x,y', '=1+1'],
        ['他说"好"', 3],
      ],
    );
    expect(csv).toBe('\uFEFFa,b\r\n"x,y",\'=1+1\r\n"他说""好""",3\r\n');
  });
  it('weakest dimensions first', () => {
    const w = weakestDimensions([
      [
        { dimensionId: 'a', score: 5, max: 10 },
        { dimensionId: 'b', score: 10, max: 10 },
      ],
      [
        { dimensionId: 'a', score: 10, max: 10 },
        { dimensionId: 'b', score: 2, max: 10 },
      ],
    ]);
    expect(w.map((d) => d.dimensionId)).toEqual(['b', 'a']);
  });
});
