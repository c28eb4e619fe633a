/**
 * Folds text for matching while keeping a map back to the original, so evidence highlights the
 * exact characters the user saw (issue 4): NFKC (full width → half width), lower case,
 * Traditional → Simplified, padding between Chinese characters removed ("保 本", "保*本", "稳.赚"),
 * other separator runs collapsed to one space, Chinese digit strings → digits, light English stemming.
 */
import { classOf, DIGIT, foldCodePoint, HAN, isClausePunct, LATIN, NUMERAL_DIGIT, SEP } from './chars';
import { stemUnits } from './stem';

export interface Normalised {
  original: string;
  /** The folded text matchers run on. */
  text: string;
  /** Original offset where normalised code unit i starts. */
  starts: Int32Array;
  /** Original offset (exclusive) where normalised code unit i ends. */
  ends: Int32Array;
  /** 1 where clause punctuation was removed or collapsed just before normalised code unit i. */
  breaks: Uint8Array;
}

export interface NormaliseOptions {
  stem?: boolean;
  numerals?: boolean;
}

/**
 * Per code unit caches for the common case where a BMP character folds to one BMP character:
 * the folded unit, and its class with bit 3 set for clause punctuation. 0 means not computed yet;
 * COMPLEX sends the character down the general path (expansions like ㎏ → kg, surrogates).
 */
const COMPLEX = 0xffff;
const foldUnit = new Uint16Array(0x10000);
const kindUnit = new Uint8Array(0x10000);
const CLAUSE_BIT = 8;

function cls(cp: number): number {
  return classOf(cp) | (isClausePunct(cp) ? CLAUSE_BIT : 0);
}

function fillUnit(c: number): void {
  if (c >= 0xd800 && c <= 0xdfff) {
    foldUnit[c] = COMPLEX;
    return;
  }
  const f = foldCodePoint(c);
  const fc = f.charCodeAt(0);
  if (f.length === 1 && fc !== COMPLEX && fc !== 0 && !(fc >= 0xd800 && fc <= 0xdfff)) {
    foldUnit[c] = fc;
    kindUnit[c] = cls(fc);
  } else foldUnit[c] = COMPLEX;
}

/** Growable output buffers: folding can expand a character (㎏ → kg). */
class Out {
  n = 0;
  units: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  breaks: Uint8Array;
  kinds: Uint8Array;
  constructor(cap: number) {
    this.units = new Uint16Array(cap);
    this.starts = new Int32Array(cap);
    this.ends = new Int32Array(cap);
    this.breaks = new Uint8Array(cap);
    this.kinds = new Uint8Array(cap);
  }
  push(unit: number, start: number, end: number, brk: number, kind: number): void {
    if (this.n === this.units.length) this.grow();
    const i = this.n++;
    this.units[i] = unit;
    this.starts[i] = start;
    this.ends[i] = end;
    this.breaks[i] = brk;
    this.kinds[i] = kind;
  }
  private grow(): void {
    const cap = this.units.length * 2 + 16;
    const g = <T extends Uint16Array | Int32Array | Uint8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.units = g(this.units, new Uint16Array(cap));
    this.starts = g(this.starts, new Int32Array(cap));
    this.ends = g(this.ends, new Int32Array(cap));
    this.breaks = g(this.breaks, new Uint8Array(cap));
    this.kinds = g(this.kinds, new Uint8Array(cap));
  }
}

const APOSTROPHES = new Set([0x27, 0x2019]);

/** Pass 1: fold every code point and decide what happens to separator runs. */
function fold(text: string): Out {
  const out = new Out(text.length + 16);
  let last = -1; // class of the last emitted unit, -1 before the first
  let sepStart = -1;
  let sepEnd = 0;
  let sepClause = 0;
  let sepApostrophe = true;
  let pendingBreak = 0;
  const emit = (unit: number, kind: number, i: number, len: number) => {
    if ((kind & 7) === SEP) {
      if (sepStart < 0) {
        sepStart = i;
        sepClause = 0;
        sepApostrophe = true;
      }
      sepEnd = i + len;
      if (kind & CLAUSE_BIT) sepClause = 1;
      if (!APOSTROPHES.has(unit)) sepApostrophe = false;
      return;
    }
    const c = kind & 7;
    if (sepStart >= 0) {
      if (last === HAN || c === HAN || last < 0) pendingBreak = sepClause && last >= 0 ? 1 : 0;
      else if (!(sepApostrophe && last === LATIN && c === LATIN))
        out.push(0x20, sepStart, sepEnd, sepClause, SEP);
      sepStart = -1;
    }
    out.push(unit, i, i + len, pendingBreak, c);
    pendingBreak = 0;
    last = c;
  };
  for (let i = 0; i < text.length; ) {
    const u = text.charCodeAt(i);
    let f = foldUnit[u]!;
    if (f === 0) {
      fillUnit(u);
      f = foldUnit[u]!;
    }
    if (f !== COMPLEX) {
      emit(f, kindUnit[u]!, i, 1);
      i++;
      continue;
    }
    // General path: surrogate pairs and characters that fold to several.
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const folded = foldCodePoint(cp);
    for (let k = 0; k < folded.length; ) {
      const fcp = folded.codePointAt(k)!;
      const flen = fcp > 0xffff ? 2 : 1;
      const kind = cls(fcp);
      if ((kind & 7) === SEP) emit(fcp, kind, i, len);
      else for (let x = 0; x < flen; x++) emit(folded.charCodeAt(k + x), kind, i, len);
      k += flen;
    }
    i += len;
  }
  return out;
}

/** Code unit → digit + 1 for Chinese numerals, 0 otherwise. */
const NUMERAL = new Uint8Array(0x10000);
for (const [ch, digit] of NUMERAL_DIGIT) NUMERAL[ch.charCodeAt(0)] = Number(digit) + 1;

/** Pass 2a: runs of three or more digits/numerals become digits (一二三一五 → 12315). */
function numerals(out: Out): void {
  const u = out.units;
  let runStart = -1;
  let hasNumeral = false;
  const flush = (end: number) => {
    if (runStart >= 0 && hasNumeral && end - runStart >= 3)
      for (let j = runStart; j < end; j++) {
        const d = NUMERAL[u[j]!]!;
        if (d) {
          u[j] = 0x2f + d;
          out.kinds[j] = DIGIT;
        }
      }
    runStart = -1;
    hasNumeral = false;
  };
  for (let j = 0; j < out.n; j++) {
    const isNumeral = NUMERAL[u[j]!]! > 0;
    if (isNumeral || out.kinds[j] === DIGIT) {
      if (runStart < 0) runStart = j;
      hasNumeral ||= isNumeral;
    } else flush(j);
  }
  flush(out.n);
}

/** Pass 2b: stem English words in place; a stem is a prefix, so only the last end moves. */
function stemWords(out: Out): void {
  const { units, starts, ends, breaks, kinds } = out;
  let w = 0;
  for (let r = 0; r < out.n; ) {
    if (kinds[r] !== LATIN) {
      units[w] = units[r]!;
      starts[w] = starts[r]!;
      ends[w] = ends[r]!;
      breaks[w] = breaks[r]!;
      kinds[w] = kinds[r]!;
      w++;
      r++;
      continue;
    }
    let e = r;
    while (e < out.n && kinds[e] === LATIN) e++;
    const s = e - r < 4 ? { keep: e - r, yToI: false } : stemUnits(units, r, e);
    for (let j = 0; j < s.keep; j++) {
      units[w] = units[r + j]!;
      starts[w] = starts[r + j]!;
      ends[w] = ends[r + j]!;
      breaks[w] = breaks[r + j]!;
      kinds[w] = LATIN;
      w++;
    }
    ends[w - 1] = ends[e - 1]!;
    if (s.yToI) units[w - 1] = 0x69;
    r = e;
  }
  out.n = w;
}

// Output never holds lone surrogates (they classify as separators), so UTF-16 decoding is exact.
const utf16 = new TextDecoder('utf-16le');

function decode(units: Uint16Array, n: number): string {
  if (n < 64) return String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]);
  return utf16.decode(units.subarray(0, n));
}

export function normalise(text: string, options: NormaliseOptions = {}): Normalised {
  const out = fold(text);
  if (options.numerals !== false) numerals(out);
  if (options.stem !== false) stemWords(out);
  return {
    original: text,
    text: decode(out.units, out.n),
    starts: out.starts.slice(0, out.n),
    ends: out.ends.slice(0, out.n),
    breaks: out.breaks.slice(0, out.n),
  };
}

/** Maps a normalised span [start, end) back to the original text. */
export function toOriginal(n: Normalised, start: number, end: number): { start: number; end: number } {
  if (end <= start || start >= n.starts.length) {
    const at = start < n.starts.length ? n.starts[start]! : n.original.length;
    return { start: at, end: at };
  }
  return { start: n.starts[start]!, end: n.ends[Math.min(end, n.ends.length) - 1]! };
}

/** Normalised form of a phrase, for building patterns that match normalised text. */
export function normalisePhrase(phrase: string): string {
  return normalise(phrase).text;
}
