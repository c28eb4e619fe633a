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

/** Output buffers, grown when folding expands characters (㎏ → kg). */
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
  grow(): void {
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

/**
 * Pass 1: fold every code point and decide what happens to separator runs. The common case
 * (a BMP character folding to one character) is inlined: this loop is most of normalising.
 */
function fold(text: string): Out {
  const out = new Out(text.length + 16);
  let last = -1; // class of the last emitted unit, -1 before the first
  let sepStart = -1;
  let sepEnd = 0;
  let sepClause = 0;
  let sepApostrophe = true;
  let pendingBreak = 0;
  let n = 0;
  let { units, starts, ends, breaks, kinds } = out;
  const len = text.length;
  for (let i = 0; i < len; ) {
    const u = text.charCodeAt(i);
    let f = foldUnit[u]!;
    if (f === 0) {
      fillUnit(u);
      f = foldUnit[u]!;
    }
    let folded: string | undefined;
    let srcLen = 1;
    if (f === COMPLEX) {
      const cp = text.codePointAt(i)!;
      srcLen = cp > 0xffff ? 2 : 1;
      folded = foldCodePoint(cp);
    }
    // Iterate the folded units: one in the fast path, several for expansions and surrogates.
    for (let k = 0; folded === undefined ? k < 1 : k < folded.length; ) {
      let unit = f;
      let kind: number;
      let flen = 1;
      if (folded === undefined) kind = kindUnit[u]!;
      else {
        const fcp = folded.codePointAt(k)!;
        flen = fcp > 0xffff ? 2 : 1;
        kind = cls(fcp);
        unit = folded.charCodeAt(k);
      }
      if ((kind & 7) === SEP) {
        if (sepStart < 0) {
          sepStart = i;
          sepClause = 0;
          sepApostrophe = true;
        }
        sepEnd = i + srcLen;
        if (kind & CLAUSE_BIT) sepClause = 1;
        if (unit !== 0x27 && unit !== 0x2019) sepApostrophe = false;
      } else {
        const c = kind & 7;
        if (n + flen + 1 >= units.length) {
          out.n = n;
          out.grow();
          ({ units, starts, ends, breaks, kinds } = out);
        }
        if (sepStart >= 0) {
          if (last === HAN || c === HAN || last < 0) pendingBreak = sepClause && last >= 0 ? 1 : 0;
          else if (!(sepApostrophe && last === LATIN && c === LATIN)) {
            units[n] = 0x20;
            starts[n] = sepStart;
            ends[n] = sepEnd;
            breaks[n] = sepClause;
            kinds[n++] = SEP;
          }
          sepStart = -1;
        }
        for (let x = 0; x < flen; x++) {
          units[n] = folded === undefined ? unit : folded.charCodeAt(k + x);
          starts[n] = i;
          ends[n] = i + srcLen;
          breaks[n] = pendingBreak;
          kinds[n++] = c;
        }
        pendingBreak = 0;
        last = c;
      }
      k += flen;
    }
    i += srcLen;
  }
  out.n = n;
  return out;
}

/** Code unit → digit + 1 for Chinese numerals, 0 otherwise. */
const NUMERAL = new Uint8Array(0x10000);
for (const [ch, digit] of NUMERAL_DIGIT) NUMERAL[ch.charCodeAt(0)] = Number(digit) + 1;

/** Pass 2a: runs of three or more digits/numerals become digits (一二三一五 → 12315). */
function numerals(out: Out): void {
  const { units: u, kinds } = out;
  const n = out.n;
  for (let j = 0; j < n; j++) {
    if (!NUMERAL[u[j]!]) continue;
    // A numeral: extend over the surrounding run of numerals and ASCII digits.
    let a = j;
    while (a > 0 && (NUMERAL[u[a - 1]!] || kinds[a - 1] === DIGIT)) a--;
    let b = j + 1;
    while (b < n && (NUMERAL[u[b]!] || kinds[b] === DIGIT)) b++;
    if (b - a >= 3)
      for (let x = a; x < b; x++)
        if (NUMERAL[u[x]!]) {
          u[x] = 0x2f + NUMERAL[u[x]!]!;
          kinds[x] = DIGIT;
        }
    j = b - 1;
  }
}

/** Pass 2b: stem English words in place; a stem is a prefix, so only the last end moves. */
function stemWords(out: Out): void {
  const { units, starts, ends, breaks, kinds } = out;
  let w = 0;
  for (let r = 0; r < out.n; ) {
    if (kinds[r] !== LATIN) {
      if (w !== r) {
        units[w] = units[r]!;
        starts[w] = starts[r]!;
        ends[w] = ends[r]!;
        breaks[w] = breaks[r]!;
        kinds[w] = kinds[r]!;
      }
      w++;
      r++;
      continue;
    }
    let e = r;
    while (e < out.n && kinds[e] === LATIN) e++;
    const packed = e - r < 4 ? (e - r) * 2 : stemUnits(units, r, e);
    const keep = packed >> 1;
    if (w === r) w += keep;
    else
      for (let j = 0; j < keep; j++) {
        units[w] = units[r + j]!;
        starts[w] = starts[r + j]!;
        ends[w] = ends[r + j]!;
        breaks[w] = breaks[r + j]!;
        kinds[w] = LATIN;
        w++;
      }
    ends[w - 1] = ends[e - 1]!;
    if (packed & 1) units[w - 1] = 0x69;
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
    // Views, not copies: a 1 MB turn would otherwise copy three large arrays.
    starts: out.starts.subarray(0, out.n),
    ends: out.ends.subarray(0, out.n),
    breaks: out.breaks.subarray(0, out.n),
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
