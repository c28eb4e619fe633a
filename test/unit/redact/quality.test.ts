import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatePiiFixture } from '../../../scripts/gen-pii';
import { evaluate } from './evaluate';
import { FIXTURE_DIR, loadPiiTestSet } from './fixtures';

describe('PII test set', () => {
  it('generated.txt is what the generator makes with its fixed seed', () => {
    expect(readFileSync(new URL('generated.txt', FIXTURE_DIR), 'utf8')).toBe(generatePiiFixture());
  });

  it('covers every language, both styles, every built-in type and plenty of look-alikes', () => {
    const lines = loadPiiTestSet();
    expect(new Set(lines.map((l) => l.lang))).toEqual(new Set(['zh-Hans', 'zh-Hant', 'en']));
    expect(new Set(lines.map((l) => l.style))).toEqual(new Set(['chat', 'voice']));
    expect(new Set(lines.flatMap((l) => l.spans.map((s) => s.type)))).toEqual(
      new Set(['PHONE', 'ID', 'CARD', 'EMAIL', 'SSN', 'IBAN']),
    );
    const withNumbersButNoPii = lines.filter((l) => l.spans.length === 0 && /\d/.test(l.text));
    expect(withNumbersButNoPii.length).toBeGreaterThan(200);
  });

  it('meets recall ≥ 0.99 and precision ≥ 0.95', () => {
    const { overall, byKey, misses } = evaluate(loadPiiTestSet());
    const rows = [...byKey].sort(([a], [b]) => a.localeCompare(b));
    for (const [key, s] of rows) {
      console.log(
        `${key.padEnd(14)} recall ${s.recall.toFixed(4)} precision ${s.precision.toFixed(4)} (tp ${s.tp}, fn ${s.fn}, fp ${s.fp})`,
      );
    }
    for (const m of misses.slice(0, 20)) console.log(`${m.source}: ${m.what} | ${m.text}`);
    expect(overall.recall).toBeGreaterThanOrEqual(0.99);
    expect(overall.precision).toBeGreaterThanOrEqual(0.95);
  });
});
