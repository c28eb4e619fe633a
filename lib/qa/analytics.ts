/** Analytics helpers for the QA console (issue 10): pure, so the numbers can be tested. */
import type { Severity } from '../finding';

export const SEVERITY_RANK: Record<Severity, number> = {
  info: 1,
  hint: 2,
  warning: 3,
  critical: 4,
  'auto-fail': 5,
};

export function severityRank(s: string): number {
  return SEVERITY_RANK[s as Severity] ?? 0;
}

/**
 * Precision of a rule as QA sees it: of the findings it produced, the share nobody showed to be
 * wrong (an accepted appeal, or a "this is wrong" from an agent that QA did not overturn).
 * `null` with no findings. Each finding counts as wrong at most once.
 */
export function rulePrecision(fired: number, wrongFindingIds: Iterable<string>): number | null {
  if (fired <= 0) return null;
  const wrong = new Set(wrongFindingIds).size;
  return Math.max(0, (fired - Math.min(wrong, fired)) / fired);
}

export interface TopicCount {
  key: string;
  thisWeek: number;
  lastWeek: number;
}

export interface HotTopic extends TopicCount {
  /** Rise against last week; a topic new this week gets its count plus one as its lift. */
  lift: number;
}

/**
 * Topics rising this week against last: add-one smoothing keeps a jump from 0 to 1 out of the
 * top, and `minCount` drops noise.
 */
export function hotTopics(counts: readonly TopicCount[], limit = 10, minCount = 2): HotTopic[] {
  return counts
    .filter((c) => c.thisWeek >= minCount && c.thisWeek > c.lastWeek)
    .map((c) => ({ ...c, lift: (c.thisWeek + 1) / (c.lastWeek + 1) }))
    .sort((a, b) => b.lift - a.lift || b.thisWeek - a.thisWeek || a.key.localeCompare(b.key))
    .slice(0, limit);
}

/** A mood trend of at most `points` labels: the worst label in each equal slice of the sequence. */
const MOOD_RANK: Record<string, number> = { positive: 0, neutral: 1, frustrated: 2, angry: 3 };
export function moodTrend(labels: readonly string[], points = 8): string[] {
  if (labels.length <= points) return [...labels];
  const out: string[] = [];
  for (let i = 0; i < points; i++) {
    const slice = labels.slice(
      Math.floor((i * labels.length) / points),
      Math.floor(((i + 1) * labels.length) / points),
    );
    out.push(
      slice.reduce((w, l) => ((MOOD_RANK[l] ?? 0) > (MOOD_RANK[w] ?? 0) ? l : w), slice[0] ?? 'neutral'),
    );
  }
  return out;
}

export function worstEmotion(labels: Iterable<string>): string | null {
  let worst: string | null = null;
  for (const l of labels) if (worst === null || (MOOD_RANK[l] ?? -1) > (MOOD_RANK[worst] ?? -1)) worst = l;
  return worst;
}

/** RFC 4180 CSV (quotes doubled, fields with separators quoted), with a BOM so Excel reads UTF-8 Chinese. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    // A leading =, +, - or @ would run as a formula in a spreadsheet.
    const safe = /^[=+\-@]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Per dimension, the agent's share of full marks, weakest first. */
export function weakestDimensions(
  breakdowns: readonly { dimensionId: string; score: number; max: number }[][],
): { dimensionId: string; ratio: number; n: number }[] {
  const acc = new Map<string, { sum: number; n: number }>();
  for (const b of breakdowns)
    for (const d of b) {
      const a = acc.get(d.dimensionId) ?? { sum: 0, n: 0 };
      a.sum += d.max > 0 ? d.score / d.max : 1;
      a.n++;
      acc.set(d.dimensionId, a);
    }
  return [...acc]
    .map(([dimensionId, a]) => ({ dimensionId, ratio: a.sum / a.n, n: a.n }))
    .sort((x, y) => x.ratio - y.ratio || x.dimensionId.localeCompare(y.dimensionId));
}
