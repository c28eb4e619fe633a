import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAutomaton, MatchBuffer, scan } from '../../../lib/rules/automaton';
import { scanFast, wasmAvailable } from '../../../lib/rules/wasm-scan';

function pairs(fn: typeof scan, patterns: string[], text: string): number[] {
  const a = buildAutomaton(patterns);
  const buf = new MatchBuffer();
  fn(a, text, buf);
  return Array.from(buf.data.subarray(0, buf.count * 2));
}

describe('WASM scanner', () => {
  it('is available in Node', () => {
    expect(wasmAvailable(buildAutomaton(['保本']))).toBe(true);
  });

  it('reports exactly what the JavaScript scan reports, in the same order', () => {
    const unit = fc.constantFrom(...'ab保本稳赚 x');
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit, minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 20 }),
        fc.string({ unit, minLength: 32, maxLength: 400 }),
        (patterns, text) => {
          expect(pairs(scanFast, patterns, text)).toEqual(pairs(scan, patterns, text));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('resumes when its match buffer fills up', () => {
    const patterns = ['a', 'aa', 'aaa'];
    const text = 'a'.repeat(30_000);
    const fast = pairs(scanFast, patterns, text);
    expect(fast.length / 2).toBe(30_000 * 3 - 3);
    expect(fast).toEqual(pairs(scan, patterns, text));
  });
});
