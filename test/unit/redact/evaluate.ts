// Precision and recall of the redactor over labelled lines.
// A labelled span counts as found when one detection of the same type covers all of its letters and
// digits (what matters for privacy is that nothing of it is left); a detection counts as correct when
// it overlaps a labelled span of the same type.
import { detect } from '../../../lib/redact/index';
import type { LabelledLine } from './fixtures';

export interface Score {
  tp: number;
  fn: number;
  fp: number;
  recall: number;
  precision: number;
}
export interface Miss {
  source: string;
  text: string;
  what: string;
}

const SIGNIFICANT = /[\p{L}\p{N}]/u;

function covered(
  text: string,
  s: { start: number; end: number },
  d: { start: number; end: number },
): boolean {
  for (let i = s.start; i < s.end; i++) {
    if (SIGNIFICANT.test(text[i] ?? '') && (i < d.start || i >= d.end)) return false;
  }
  return true;
}

function score(tp: number, fn: number, fp: number): Score {
  return {
    tp,
    fn,
    fp,
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
  };
}

export function evaluate(lines: LabelledLine[]): {
  overall: Score;
  byKey: Map<string, Score>;
  misses: Miss[];
} {
  const counts = new Map<string, { tp: number; fn: number; fp: number }>();
  const bump = (key: string, field: 'tp' | 'fn' | 'fp'): void => {
    const c = counts.get(key) ?? { tp: 0, fn: 0, fp: 0 };
    c[field]++;
    counts.set(key, c);
  };
  const misses: Miss[] = [];
  for (const line of lines) {
    const found = detect(line.text);
    for (const s of line.spans) {
      const hit = found.some((d) => d.type === s.type && covered(line.text, s, d));
      for (const key of ['all', `lang:${line.lang}`, `type:${s.type}`, `style:${line.style}`])
        bump(key, hit ? 'tp' : 'fn');
      if (!hit)
        misses.push({
          source: line.source,
          text: line.text,
          what: `missed ${s.type} "${line.text.slice(s.start, s.end)}"`,
        });
    }
    for (const d of found) {
      const ok = line.spans.some((s) => s.type === d.type && d.start < s.end && s.start < d.end);
      if (ok) continue;
      for (const key of ['all', `lang:${line.lang}`, `type:${d.type}`, `style:${line.style}`])
        bump(key, 'fp');
      misses.push({
        source: line.source,
        text: line.text,
        what: `false ${d.type} (${d.kind}) "${line.text.slice(d.start, d.end)}"`,
      });
    }
  }
  const byKey = new Map<string, Score>();
  for (const [k, c] of counts) byKey.set(k, score(c.tp, c.fn, c.fp));
  return { overall: byKey.get('all') ?? score(0, 0, 0), byKey, misses };
}
