/**
 * Folds text for matching while keeping a map back to the original, so evidence highlights the
 * exact characters the user saw (issue 4): NFKC (full width → half width), lower case,
 * Traditional → Simplified, padding between Chinese characters removed ("保 本", "保*本", "稳.赚"),
 * other separator runs collapsed to one space, Chinese digit strings → digits, light English stemming.
 */
import { classOf, DIGIT, foldCodePoint, HAN, isClausePunct, LATIN, NUMERAL_DIGIT, SEP } from './chars';
import { stem } from './stem';

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

const classCache = new Uint8Array(0x10000).fill(255);
function cls(cp: number): number {
  if (cp >= 0x10000) return classOf(cp);
  let c = classCache[cp]!;
  if (c === 255) {
    c = classOf(cp);
    classCache[cp] = c;
  }
  return c;
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
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const folded = cp < 0x80 && !(cp >= 0x41 && cp <= 0x5a) ? text[i]! : foldCodePoint(cp);
    for (let k = 0; k < folded.length; ) {
      const fcp = folded.codePointAt(k)!;
      const flen = fcp > 0xffff ? 2 : 1;
      const c = cls(fcp);
      if (c === SEP) {
        if (sepStart < 0) {
          sepStart = i;
          sepClause = 0;
          sepApostrophe = true;
        }
        sepEnd = i + len;
        if (isClausePunct(fcp)) sepClause = 1;
        if (!APOSTROPHES.has(fcp)) sepApostrophe = false;
      } else {
        if (sepStart >= 0) {
          if (last === HAN || c === HAN || last < 0) pendingBreak = sepClause && last >= 0 ? 1 : 0;
          else if (!(sepApostrophe && last === LATIN && c === LATIN))
            out.push(0x20, sepStart, sepEnd, sepClause, SEP);
          sepStart = -1;
        }
        for (let u = 0; u < flen; u++) out.push(folded.charCodeAt(k + u), i, i + len, pendingBreak, c);
        pendingBreak = 0;
        last = c;
      }
      k += flen;
    }
    i += len;
  }
  return out;
}

/** Pass 2a: runs of three or more digits/numerals become digits (一二三一五 → 12315). */
function numerals(out: Out): void {
  const u = out.units;
  let runStart = -1;
  let hasNumeral = false;
  const flush = (end: number) => {
    if (runStart >= 0 && hasNumeral && end - runStart >= 3)
      for (let j = runStart; j < end; j++) {
        const d = NUMERAL_DIGIT.get(String.fromCharCode(u[j]!));
        if (d) {
          u[j] = d.charCodeAt(0);
          out.kinds[j] = DIGIT;
        }
      }
    runStart = -1;
    hasNumeral = false;
  };
  for (let j = 0; j < out.n; j++) {
    const isNumeral = NUMERAL_DIGIT.has(String.fromCharCode(u[j]!));
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
    const word = String.fromCharCode(...units.subarray(r, Math.min(e, r + 64)));
    const s = e - r > 64 ? { keep: e - r, yToI: false } : stem(word);
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

function decode(units: Uint16Array, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 8192) s += String.fromCharCode(...units.subarray(i, Math.min(n, i + 8192)));
  return s;
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
