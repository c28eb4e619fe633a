/**
 * scoreConversation: findings + scorecard → total and breakdown. Pure and deterministic, so the
 * batch CLI, the endpoint and the QA console agree to the point, and every lost point names the
 * findings that cost it (explainable scores).
 */
import type { Finding } from '../finding';
import type { Scorecard } from './schema';

export interface ItemResult {
  itemId: string;
  /** Points lost (rule items) or not awarded (answered manual items). */
  deducted: number;
  findingIds: string[];
  /** Manual item nobody answered yet: counted as full marks until reviewed. */
  pending?: boolean;
}

export interface DimensionResult {
  dimensionId: string;
  score: number;
  max: number;
  weight: number;
  items: ItemResult[];
  /** Points lost to rules no item maps (their own action points), with the findings. */
  unmapped: { ruleId: string; deducted: number; findingId: string }[];
}

export interface ScoreResult {
  scorecardId: string;
  scorecardVersion: number;
  /** 0–100, rounded to two decimals; 0 when auto-failed. */
  total: number;
  passed: boolean;
  autoFailed: { itemId?: string; ruleId?: string; findingId: string }[];
  dimensions: DimensionResult[];
  pendingManual: number;
}

/** Reviewer answers for manual items: points awarded (clamped to 0…item points). */
export type ManualAnswers = Readonly<Record<string, number>>;

const round2 = (x: number) => Math.round(x * 100) / 100;

export function scoreConversation(
  findings: readonly Finding[],
  card: Scorecard,
  manual: ManualAnswers = {},
): ScoreResult {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.ruleId === undefined) continue;
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const mapped = new Set<string>();
  for (const d of card.dimensions)
    for (const it of d.items) if (it.kind === 'rule') for (const r of it.ruleIds) mapped.add(r);

  const autoFailed: ScoreResult['autoFailed'] = [];
  let pendingManual = 0;
  const dimensions: DimensionResult[] = card.dimensions.map((d) => {
    let lost = 0;
    const items: ItemResult[] = d.items.map((it) => {
      if (it.kind === 'manual') {
        const answer = manual[it.id];
        if (answer === undefined || !Number.isFinite(answer)) {
          pendingManual++;
          return { itemId: it.id, deducted: 0, findingIds: [], pending: true };
        }
        const awarded = Math.min(it.points, Math.max(0, answer));
        const deducted = it.points - awarded;
        if (it.autoFail && awarded === 0 && it.points > 0) autoFailed.push({ itemId: it.id, findingId: '' });
        lost += deducted;
        return { itemId: it.id, deducted, findingIds: [] };
      }
      const hits = it.ruleIds.flatMap((r) => byRule.get(r) ?? []);
      if (hits.length === 0) return { itemId: it.id, deducted: 0, findingIds: [] };
      const times = it.perFinding ? Math.min(hits.length, it.maxDeductions) : 1;
      const deducted = it.points * times;
      if (it.autoFail) autoFailed.push({ itemId: it.id, findingId: hits[0]!.id });
      lost += deducted;
      return { itemId: it.id, deducted, findingIds: hits.map((h) => h.id) };
    });
    const unmapped: DimensionResult['unmapped'] = [];
    if (card.useRulePoints) {
      for (const f of findings) {
        if (f.ruleId === undefined || mapped.has(f.ruleId)) continue;
        const pts = f.scores[d.id];
        if (pts === undefined || !Number.isFinite(pts) || pts === 0) continue;
        const deducted = Math.abs(pts);
        unmapped.push({ ruleId: f.ruleId, deducted, findingId: f.id });
        lost += deducted;
      }
    }
    return {
      dimensionId: d.id,
      // Rounding must not lift a score above its max (max 0.045 would round to 0.05 and push
      // the total past 100).
      score: Math.min(d.max, round2(Math.max(0, d.max - lost))),
      max: d.max,
      weight: d.weight,
      items,
      unmapped,
    };
  });

  // Severity-driven auto-fail (e.g. a guaranteed-return promise) holds whether or not an item maps the rule.
  const severities = new Set(card.autoFailSeverities);
  for (const f of findings)
    if (severities.has(f.severity) && !autoFailed.some((a) => a.findingId === f.id))
      autoFailed.push({ ...(f.ruleId === undefined ? {} : { ruleId: f.ruleId }), findingId: f.id });

  const weightSum = dimensions.reduce((s, d) => s + d.weight, 0);
  const weighted = dimensions.reduce((s, d) => s + d.weight * (d.score / d.max), 0);
  const total = autoFailed.length > 0 ? 0 : round2((100 * weighted) / weightSum);
  return {
    scorecardId: card.id,
    scorecardVersion: card.version,
    total,
    passed: total >= card.passScore,
    autoFailed,
    dimensions,
    pendingManual,
  };
}
