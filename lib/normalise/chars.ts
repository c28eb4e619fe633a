/**
 * Per-code-point folding (NFKC, lower case, Traditional → Simplified) and classification, cached
 * in tables so normalising a 1 MB utterance is a linear pass of lookups.
 */
import { simplifiedOf } from './t2s';

/** Character classes of folded text. */
export const SEP = 0; // space, punctuation, symbol, emoji, control: candidates for removal
export const HAN = 1; // CJK ideograph
export const LATIN = 2; // a-z
export const DIGIT = 3; // 0-9
export const OTHER = 4; // letters, digits and marks of other scripts

/** Punctuation that ends a clause: negation does not reach across it. */
const CLAUSE_RE = /[\n\r,.;:!?，。；：！？、…]/u;
const WORD_RE = /[\p{L}\p{N}\p{M}]/u;
// Variation selectors, zero-width and bidi controls are "marks" to Unicode but invisible padding here.
function isInvisible(cp: number): boolean {
  return (
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

export function isHan(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x20000 && cp <= 0x3134f) ||
    cp === 0x3007 // 〇
  );
}

export function classOf(cp: number): number {
  if (cp >= 0x61 && cp <= 0x7a) return LATIN;
  if (cp >= 0x30 && cp <= 0x39) return DIGIT;
  if (isHan(cp)) return HAN;
  if (cp < 0x80) return SEP;
  const ch = String.fromCodePoint(cp);
  if (isInvisible(cp)) return SEP;
  return WORD_RE.test(ch) ? OTHER : SEP;
}

export function isClausePunct(cp: number): boolean {
  return CLAUSE_RE.test(String.fromCodePoint(cp));
}

function computeFold(cp: number): string {
  const nfkc = String.fromCodePoint(cp).normalize('NFKC').toLowerCase();
  let out = '';
  for (const ch of nfkc) out += simplifiedOf(ch.codePointAt(0)!) ?? ch;
  return out;
}

const bmpFold: (string | undefined)[] = new Array(0x10000);
const astralFold = new Map<number, string>();

/** NFKC + lower case + Simplified for one code point; cached. */
export function foldCodePoint(cp: number): string {
  if (cp < 0x10000) {
    let f = bmpFold[cp];
    if (f === undefined) {
      f = computeFold(cp);
      bmpFold[cp] = f;
    }
    return f;
  }
  let f = astralFold.get(cp);
  if (f === undefined) {
    f = computeFold(cp);
    astralFold.set(cp, f);
  }
  return f;
}

/** Chinese numerals that spell digit strings (phone numbers, 12315): one character per digit. */
export const NUMERAL_DIGIT: ReadonlyMap<string, string> = new Map([
  ['〇', '0'],
  ['零', '0'],
  ['一', '1'],
  ['幺', '1'],
  ['二', '2'],
  ['三', '3'],
  ['四', '4'],
  ['五', '5'],
  ['六', '6'],
  ['七', '7'],
  ['八', '8'],
  ['九', '9'],
]);
