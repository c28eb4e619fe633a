import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePatterns, detect, redact } from '../../../lib/redact/index';

// Pieces that drive the scanners into their corners: every digit script, separators, the letters that
// start IDs and IBANs, placeholders, "@", and lone surrogates.
const PIECES = [
  '1',
  '3',
  '8',
  '0',
  '9',
  '6',
  '4',
  '5',
  '２',
  '８',
  '一',
  '幺',
  '两',
  '〇',
  '三',
  '八',
  'one',
  'oh',
  'double',
  ' nine',
  ' ',
  '  ',
  '-',
  '.',
  '. ',
  ',',
  '，',
  '、',
  '(',
  ')',
  '（',
  '+',
  '＋',
  '@',
  '＠',
  '.com',
  'X',
  'x',
  'A',
  'GB82',
  'DE89',
  '电话',
  '手机',
  '订单号',
  '发票号码',
  'phone',
  'order',
  'SSN',
  'card',
  '[PHONE]',
  '[手机号]',
  '[',
  ']',
  '\uD800',
  '\uDC00',
  '😀',
  'é',
  '\n',
  '\t',
  'WEST',
  'qq',
  'a',
  '_',
];
const adversarial = fc.array(fc.constantFrom(...PIECES), { maxLength: 120 }).map((xs) => xs.join(''));
const digitsOnly = fc
  .array(fc.constantFrom(...'0123456789 -'.split('')), { maxLength: 400 })
  .map((xs) => xs.join(''));
const anyText = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.string({ maxLength: 200, unit: 'grapheme' }),
  adversarial,
  digitsOnly,
);

const patterns = compilePatterns({
  version: 1,
  patterns: [{ id: 'order', type: 'ORDER', pattern: 'ORD-\\d{6,10}', placeholder: { 'zh-Hans': '订单' } }],
});

const RUNS = { numRuns: 1500 };

describe('redactor properties', () => {
  it('spans lie inside the text, in order, without overlap; outputs line up with the redacted text', () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (text, org) => {
        const r = redact(text, org ? { patterns } : {});
        let lastEnd = 0;
        let lastOut = 0;
        for (const s of r.spans) {
          expect(s.start).toBeGreaterThanOrEqual(lastEnd);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.end).toBeLessThanOrEqual(text.length);
          expect(s.outStart).toBeGreaterThanOrEqual(lastOut);
          expect(s.outEnd).toBeLessThanOrEqual(r.text.length);
          expect(r.text.slice(s.outStart, s.outEnd)).toMatch(/^\[[^\]]+\]$/);
          lastEnd = s.end;
          lastOut = s.outEnd;
        }
        // Text between spans is copied unchanged.
        let o = 0;
        let p = 0;
        for (const s of r.spans) {
          expect(r.text.slice(p, s.outStart)).toBe(text.slice(o, s.start));
          o = s.end;
          p = s.outEnd;
        }
        expect(r.text.slice(p)).toBe(text.slice(o));
      }),
      RUNS,
    );
  });

  it('the offset map is monotonic, stays inside the redacted text and is exact outside spans', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const r = redact(text);
        let prev = 0;
        for (let i = 0; i <= text.length; i++) {
          const m = r.map(i);
          const e = r.map(i, 'end');
          expect(m).toBeGreaterThanOrEqual(prev);
          expect(e).toBeGreaterThanOrEqual(m);
          expect(e).toBeLessThanOrEqual(r.text.length);
          prev = m;
        }
        expect(r.map(-5)).toBe(0);
        expect(r.map(text.length + 5)).toBe(r.text.length);
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent: redacting redacted text changes nothing', () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (text, org) => {
        const opts = org ? { patterns } : {};
        const once = redact(text, opts).text;
        const twice = redact(once, opts);
        expect(twice.text).toBe(once);
        expect(twice.spans).toEqual([]);
      }),
      RUNS,
    );
  });

  it('placeholders carry none of the original characters', () => {
    fc.assert(
      fc.property(adversarial, (text) => {
        const r = redact(text);
        for (const s of r.spans) {
          const ph = r.text.slice(s.outStart, s.outEnd);
          expect(ph).not.toMatch(/[0-9０-９@＠]/);
          expect(ph).not.toMatch(/[零〇一幺二两三四五六七八九]/);
        }
        // detect and redact agree on what they found.
        expect(detect(text).map((d) => [d.start, d.end, d.type])).toEqual(
          r.spans.map((s) => [s.start, s.end, s.type]),
        );
      }),
      RUNS,
    );
  });

  it('handles long digit runs, spaced digits and "@" floods in linear work', () => {
    // Each 200k-character input must finish; a quadratic scan would not finish in any reasonable
    // time. The generous timeout is a hang guard, not a speed assertion.
    const inputs = [
      '1'.repeat(200_000),
      '1 '.repeat(100_000),
      '138 '.repeat(50_000),
      '一'.repeat(200_000),
      'a@'.repeat(100_000),
      `${'a'.repeat(100_000)}@${'b.'.repeat(50_000)}`,
      'GB82 '.repeat(40_000),
      'A123456('.repeat(25_000),
      '+86 '.repeat(50_000),
      '\uD800'.repeat(200_000),
    ];
    for (const text of inputs) {
      const r = redact(text);
      expect(r.text.length).toBeLessThanOrEqual(text.length + r.spans.length * 8);
    }
    // Many valid numbers in one line all get redacted.
    const many = '电话13812345678，'.repeat(20_000);
    expect(redact(many).spans.length).toBe(20_000);
    // A Chinese text with no script-specific characters must not recount the script per match.
    expect(redact('号13812345678，'.repeat(20_000)).spans.length).toBe(20_000);
  }, 300_000);
});
