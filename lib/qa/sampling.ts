/**
 * Review sampling (issue 10): every conversation is scored automatically; these pick which ones
 * a person also reviews. Seeded, so a queue can be reproduced and tested.
 */

/** mulberry32: small, fast, good enough to draw samples; not for secrets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform random `percent` % of the ids (rounded up, so 1 % of 50 is still one). */
export function sampleRandom<T>(ids: readonly T[], percent: number, seed: number): T[] {
  const k = Math.min(ids.length, Math.ceil((ids.length * Math.max(0, Math.min(100, percent))) / 100));
  const rnd = seededRandom(seed);
  const a = [...ids];
  // Partial Fisher–Yates: only the first k places are shuffled.
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rnd() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}

export interface RiskCandidate {
  id: string;
  score: number;
  /** Worst customer emotion. */
  emotion: string | null;
  /** Days since the agent's first conversation. */
  agentTenureDays: number;
  /** Precision (0–1) of the least precise rule that fired in the conversation; 1 when none fired. */
  minRulePrecision: number;
}

export interface RiskWeights {
  lowScore: number;
  angry: number;
  newAgent: number;
  lowPrecision: number;
}

export const DEFAULT_RISK_WEIGHTS: RiskWeights = { lowScore: 3, angry: 2, newAgent: 1.5, lowPrecision: 1.5 };

/** Why a conversation is risky, as weights that add up; 1 is the floor so every conversation can be drawn. */
export function riskOf(
  c: RiskCandidate,
  w: RiskWeights = DEFAULT_RISK_WEIGHTS,
): { weight: number; reasons: string[] } {
  let weight = 1;
  const reasons: string[] = [];
  if (c.score < 60) {
    weight += w.lowScore * (1 + (60 - c.score) / 60);
    reasons.push('low-score');
  }
  if (c.emotion === 'angry') {
    weight += w.angry;
    reasons.push('angry');
  } else if (c.emotion === 'frustrated') weight += w.angry / 2;
  if (c.agentTenureDays < 30) {
    weight += w.newAgent;
    reasons.push('new-agent');
  }
  if (c.minRulePrecision < 0.8) {
    weight += w.lowPrecision * (1 - c.minRulePrecision) * 5;
    reasons.push('low-precision-rule');
  }
  return { weight, reasons };
}

/**
 * `n` candidates drawn without replacement with probability proportional to their risk weight
 * (Efraimidis–Spirakis: key u^(1/w), keep the n largest).
 */
export function sampleRiskWeighted(
  candidates: readonly RiskCandidate[],
  n: number,
  seed: number,
  w: RiskWeights = DEFAULT_RISK_WEIGHTS,
): { id: string; weight: number; reasons: string[] }[] {
  const rnd = seededRandom(seed);
  return candidates
    .map((c) => {
      const r = riskOf(c, w);
      return { id: c.id, ...r, key: rnd() ** (1 / r.weight) };
    })
    .sort((a, b) => b.key - a.key)
    .slice(0, Math.max(0, n))
    .map(({ id, weight, reasons }) => ({ id, weight, reasons }));
}

/** Round-robin reviewer assignment that starts from the reviewer with the fewest open items. */
export function assignReviewers<T>(
  items: readonly T[],
  reviewers: readonly { id: string; open: number }[],
): [T, string][] {
  if (reviewers.length === 0) return [];
  const load = reviewers.map((r) => ({ ...r }));
  return items.map((it) => {
    load.sort((a, b) => a.open - b.open || a.id.localeCompare(b.id));
    const r = load[0]!;
    r.open++;
    return [it, r.id];
  });
}
