import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../lib/finding';
import { type ScorecardInput, Scorecard, parseScorecard, scoreConversation } from '../../../lib/scoring';

const L = (s: string) => ({ zh_CN: s, zh_TW: s, en: s });
let n = 0;
function finding(
  ruleId: string,
  severity: Finding['severity'] = 'warning',
  scores: Record<string, number> = {},
): Finding {
  n++;
  return {
    id: `01KB90YSM0M51E46DZFF3S4Q${String(n)
      .padStart(2, '0')
      .replace(/[ILOU]/g, '0')}`,
    conversationId: 'c',
    ruleId,
    kind: 'warning',
    severity,
    evidence: [],
    scores,
    ts: 0,
  };
}

const card: ScorecardInput = {
  id: 'test',
  version: 3,
  name: L('test'),
  passScore: 80,
  dimensions: [
    {
      id: 'script',
      name: L('script'),
      weight: 1,
      max: 10,
      items: [
        { id: 'greet', kind: 'rule', name: L('greet'), ruleIds: ['r.greet'], points: 4 },
        {
          id: 'rude',
          kind: 'rule',
          name: L('rude'),
          ruleIds: ['r.rude'],
          points: 3,
          perFinding: true,
          maxDeductions: 2,
        },
      ],
    },
    {
      id: 'compliance',
      name: L('compliance'),
      weight: 3,
      max: 20,
      items: [
        {
          id: 'promise',
          kind: 'rule',
          name: L('promise'),
          ruleIds: ['r.promise'],
          points: 20,
          autoFail: true,
        },
        { id: 'resolved', kind: 'manual', name: L('resolved'), question: L('resolved?'), points: 5 },
      ],
    },
  ],
};
const parsed = Scorecard.parse(card);

describe('scoreConversation', () => {
  it('gives full marks without findings and leaves manual items pending', () => {
    const s = scoreConversation([], parsed);
    expect(s.total).toBe(100);
    expect(s.passed).toBe(true);
    expect(s.pendingManual).toBe(1);
    expect(s.scorecardVersion).toBe(3);
  });

  it('deducts once per item, or per finding up to the cap, and weights dimensions', () => {
    const s = scoreConversation(
      [finding('r.greet'), finding('r.greet'), finding('r.rude'), finding('r.rude'), finding('r.rude')],
      parsed,
    );
    const script = s.dimensions.find((d) => d.dimensionId === 'script')!;
    expect(script.items.map((i) => i.deducted)).toEqual([4, 6]);
    expect(script.score).toBe(0);
    // (1·0/10 + 3·20/20) / 4 = 75 %
    expect(s.total).toBe(75);
    expect(s.passed).toBe(false);
    expect(script.items[1]!.findingIds).toHaveLength(3);
  });

  it('zeroes the score for an auto-fail item and names the finding', () => {
    const f = finding('r.promise');
    const s = scoreConversation([f], parsed);
    expect(s.total).toBe(0);
    expect(s.autoFailed).toEqual([{ itemId: 'promise', findingId: f.id }]);
  });

  it('zeroes the score for an auto-fail severity even when no item maps the rule', () => {
    const f = finding('r.other', 'auto-fail');
    expect(scoreConversation([f], parsed).autoFailed).toEqual([{ ruleId: 'r.other', findingId: f.id }]);
  });

  it('charges unmapped rules their own action points in the dimension of that name', () => {
    const s = scoreConversation([finding('r.other', 'warning', { compliance: -5 })], parsed);
    const c = s.dimensions.find((d) => d.dimensionId === 'compliance')!;
    expect(c.score).toBe(15);
    expect(c.unmapped).toHaveLength(1);
    const off = scoreConversation([finding('r.other', 'warning', { compliance: -5 })], {
      ...parsed,
      useRulePoints: false,
    });
    expect(off.total).toBe(100);
  });

  it('uses reviewer answers for manual items, clamped to the item points', () => {
    expect(scoreConversation([], parsed, { resolved: 0 }).dimensions[1]!.score).toBe(15);
    expect(scoreConversation([], parsed, { resolved: 99 }).dimensions[1]!.score).toBe(20);
    expect(scoreConversation([], parsed, { resolved: 2 }).pendingManual).toBe(0);
  });

  it('keeps totals within 0–100 whatever the findings', () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      finding(['r.greet', 'r.rude', 'r.x'][i % 3]!, 'critical', { script: -50 }),
    );
    const s = scoreConversation(many, parsed);
    expect(s.total).toBeGreaterThanOrEqual(0);
    expect(s.total).toBeLessThanOrEqual(100);
    for (const d of s.dimensions) expect(d.score).toBeGreaterThanOrEqual(0);
  });
});

describe('scorecard schema', () => {
  it('lists every problem with its path', () => {
    const bad = {
      ...card,
      dimensions: [{ ...card.dimensions[0]!, id: 'script', weight: -1 }, card.dimensions[0]!],
    };
    const r = parseScorecard(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.some((e) => e.startsWith('$.dimensions[0].weight'))).toBe(true);
      expect(r.errors.some((e) => e.includes('duplicate id script'))).toBe(true);
    }
  });

  it('parses every shipped scorecard, and each maps only rule ids the shipped rulebooks define', () => {
    const root = new URL('../../../', import.meta.url);
    const ruleIds = new Set<string>();
    for (const f of readdirSync(new URL('rulebooks/', root)).filter((x) => x.endsWith('.json'))) {
      const book = JSON.parse(readFileSync(new URL(`rulebooks/${f}`, root), 'utf8')) as {
        rules: { id: string }[];
      };
      for (const r of book.rules) ruleIds.add(r.id);
    }
    const files = readdirSync(new URL('scorecards/', root)).filter((x) => x.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = parseScorecard(JSON.parse(readFileSync(new URL(`scorecards/${f}`, root), 'utf8')));
      expect(r.ok, f).toBe(true);
      if (!r.ok) continue;
      for (const d of r.scorecard.dimensions)
        for (const it of d.items)
          if (it.kind === 'rule') for (const id of it.ruleIds) expect(ruleIds, `${f}: ${id}`).toContain(id);
    }
  });
});
