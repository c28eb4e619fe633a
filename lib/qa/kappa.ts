/**
 * Inter-rater agreement for calibration sessions (issue 10). κ corrects raw agreement for the
 * agreement chance alone would give, so reviewers who all pass everything do not look calibrated.
 */

/** Cohen's κ for two raters over the same items; `null` where either rater skipped an item. */
export function cohensKappa<T>(a: readonly (T | null)[], b: readonly (T | null)[]): number | null {
  if (a.length !== b.length) throw new Error('both raters must rate the same items');
  const pairs: [T, T][] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== null && x !== undefined && y !== null && y !== undefined) pairs.push([x, y]);
  }
  const n = pairs.length;
  if (n === 0) return null;
  const ca = new Map<T, number>();
  const cb = new Map<T, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    if (x === y) agree++;
    ca.set(x, (ca.get(x) ?? 0) + 1);
    cb.set(y, (cb.get(y) ?? 0) + 1);
  }
  const po = agree / n;
  let pe = 0;
  for (const [k, v] of ca) pe += (v / n) * ((cb.get(k) ?? 0) / n);
  // Both raters used one and the same category throughout: agreement is perfect, κ is 1 by convention.
  if (pe === 1) return po === 1 ? 1 : 0;
  return (po - pe) / (1 - pe);
}

/**
 * Fleiss' κ for any number of raters: `ratings[item]` lists the categories the raters gave that
 * item. Items with fewer than two ratings are left out; items may have different rater counts
 * (the per-item agreement uses that item's own count).
 */
export function fleissKappa<T>(ratings: readonly (readonly T[])[]): number | null {
  const items = ratings.filter((r) => r.length >= 2);
  if (items.length === 0) return null;
  const total = new Map<T, number>();
  let allRatings = 0;
  let pBarSum = 0;
  for (const r of items) {
    const counts = new Map<T, number>();
    for (const c of r) {
      counts.set(c, (counts.get(c) ?? 0) + 1);
      total.set(c, (total.get(c) ?? 0) + 1);
    }
    allRatings += r.length;
    let s = 0;
    for (const v of counts.values()) s += v * (v - 1);
    pBarSum += s / (r.length * (r.length - 1));
  }
  const pBar = pBarSum / items.length;
  let pe = 0;
  for (const v of total.values()) pe += (v / allRatings) ** 2;
  if (pe === 1) return pBar === 1 ? 1 : 0;
  return (pBar - pe) / (1 - pe);
}

/** Landis & Koch's reading of κ, for the page label. */
export function kappaBand(
  k: number | null,
): 'none' | 'poor' | 'slight' | 'fair' | 'moderate' | 'substantial' | 'almost-perfect' {
  if (k === null) return 'none';
  if (k < 0) return 'poor';
  if (k <= 0.2) return 'slight';
  if (k <= 0.4) return 'fair';
  if (k <= 0.6) return 'moderate';
  if (k <= 0.8) return 'substantial';
  return 'almost-perfect';
}

/** Score bands reviewers are compared on: exact totals rarely match, the verdict should. */
export type Grade = 'fail' | 'pass' | 'excellent';
export function gradeOf(score: number, passScore = 60, excellentScore = 85): Grade {
  return score < passScore ? 'fail' : score >= excellentScore ? 'excellent' : 'pass';
}
