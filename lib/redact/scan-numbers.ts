import {
  DIGIT,
  LOOSE_SEP,
  MAX_SEP_RUN,
  SCRIPT_WORD,
  SEP,
  WORD_DIGITS,
  digitScript,
  isAsciiAlnum,
  isAsciiDigit,
  isAsciiLetter,
} from './chars';
import { classifyNumber, type Classified } from './classify';
import { CUE_WINDOW, nearestCue } from './context';
import type { Candidate } from './candidate';
import { matchAlnumId } from './scan-alnum-ids';

// Module-local aliases: imported bindings can compile to accessor calls in some loaders, and these are
// read once per character.
const DIGIT_OF = DIGIT;
const SEP_OF = SEP;
const LOOSE_OF = LOOSE_SEP;
const isLetter = isAsciiLetter;
const isDigit = isAsciiDigit;
const isAlnum = isAsciiAlnum;
const scriptOf = digitScript;

/** Longest digit string any built-in number type needs: 19-digit card, or "00852"/"+886" + 9 digits. */
const MAX_CANDIDATE_DIGITS = 23;
const MAX_WORD_LEN = 6;

/**
 * One number being read: digit groups split by separators. Kept in parallel arrays that are reused
 * for every run so scanning ordinary text allocates nothing.
 */
class Run {
  starts: number[] = [];
  ends: number[] = [];
  digits: string[] = [];
  spoken: boolean[] = [];
  /** `loose[k]`: the separator before group k marks a new number rather than a new group. */
  loose: boolean[] = [];
  open = false;
  sepCount = 0;
  sepLoose = false;
  lastSep = 0;
  /** Digit script of the last group (SCRIPT_*). */
  script = -1;

  reset(): void {
    this.starts.length = 0;
    this.ends.length = 0;
    this.digits.length = 0;
    this.spoken.length = 0;
    this.loose.length = 0;
    this.open = false;
    this.sepCount = 0;
    this.sepLoose = false;
    this.script = -1;
  }
  get size(): number {
    return this.starts.length;
  }
  /** Starts a new group, returning false when the pending separator is too long to join it. */
  private newGroup(start: number, end: number, digit: string, spoken: boolean): void {
    this.loose.push(this.sepLoose);
    this.starts.push(start);
    this.ends.push(end);
    this.digits.push(digit);
    this.spoken.push(spoken);
    this.sepCount = 0;
    this.sepLoose = false;
    this.lastSep = 0;
  }
  addDigit(at: number, d: string, script: number): void {
    const k = this.size - 1;
    this.script = script;
    if (this.open && this.sepCount === 0 && k >= 0 && !this.spoken[k]) {
      this.ends[k] = at + 1;
      this.digits[k] += d;
    } else {
      this.newGroup(at, at + 1, d, false);
    }
    this.open = true;
  }
  addSpoken(start: number, end: number, d: string): void {
    this.script = SCRIPT_WORD;
    this.newGroup(start, end, d, true);
    this.open = true;
  }
  /** Appends the X check character of a resident ID to the last group. */
  addCheckX(at: number): void {
    const k = this.size - 1;
    this.ends[k] = at + 1;
    this.digits[k] += 'X';
  }
  /** Returns false when the separator run got too long: the number has ended. */
  addSep(c: number): boolean {
    // ". " ends a sentence and two spaces are a pause: both separate numbers rather than groups.
    const space = c === 0x20 || c === 0x3000 || c === 0x09 || c === 0xa0;
    const lastSpaceOrDot = this.lastSep === 0x2e || this.lastSep === 0x20 || this.lastSep === 0x3000;
    if (LOOSE_OF[c] || (space && this.sepCount > 0 && lastSpaceOrDot)) this.sepLoose = true;
    this.sepCount++;
    this.lastSep = c;
    return this.sepCount <= MAX_SEP_RUN;
  }
  /** True when a group in `script` would continue another group of a different script: a new number. */
  changesScript(script: number): boolean {
    const continuesGroup = this.open && this.sepCount === 0 && this.spoken[this.size - 1] === false;
    return this.size > 0 && !continuesGroup && this.script !== script;
  }
}

export interface NumberScanOptions {
  /** Sorted, non-overlapping spans already claimed (emails, organisation patterns); scanning skips them. */
  claimed: ReadonlyArray<{ start: number; end: number }>;
  /** Matches a placeholder at a position (sticky regex), so redacted text reads the same as before. */
  placeholder: RegExp;
}

/**
 * Single left-to-right pass over the text that finds numbers (ASCII, full-width, Chinese numerals,
 * English digit words, with separators) and letter-led IDs (HK/TW IDs, IBANs). Linear: every
 * character is visited once by the loop and each run's candidate search is bounded by
 * MAX_CANDIDATE_DIGITS groups per start.
 */
export function scanNumbers(text: string, opts: NumberScanOptions, out: Candidate[]): void {
  const n = text.length;
  const run = new Run();
  let barrier = 0;
  let claimedIdx = 0;
  const claimed = opts.claimed;
  const ph = opts.placeholder;

  const flush = (): void => {
    if (run.size === 0) return; // the common case on ordinary text: nothing to reset
    evaluateRun(text, run, barrier, out);
    barrier = run.ends[run.size - 1] ?? barrier;
    run.reset();
  };

  let i = 0;
  while (i < n) {
    const claim = claimed[claimedIdx];
    if (claim !== undefined && i >= claim.start) {
      flush();
      i = Math.max(i, claim.end);
      barrier = i;
      claimedIdx++;
      continue;
    }
    const c = text.charCodeAt(i);
    const d = DIGIT_OF[c] ?? -1;
    if (d >= 0) {
      const script = scriptOf(c);
      if (run.changesScript(script)) flush();
      run.addDigit(i, String(d), script);
      i++;
      continue;
    }
    if (isLetter(c)) {
      let j = i + 1;
      while (j < n && isLetter(text.charCodeAt(j))) j++;
      const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
      // "…0307123X": the check character of a resident ID, glued to the digits.
      // Read out, it follows the last digit word after a space ("… nine X").
      const afterDigit = run.sepCount === 0 && (DIGIT_OF[prev] ?? -1) >= 0;
      const afterWord = run.sepCount === 1 && prev === 0x20 && run.spoken[run.size - 1] === true;
      if ((c === 0x58 || c === 0x78) && j === i + 1 && run.open && (afterDigit || afterWord)) {
        if (j >= n || !isDigit(text.charCodeAt(j))) {
          run.addCheckX(i);
          flush();
          i = j;
          continue;
        }
      }
      if (!isAlnum(prev)) {
        const id = matchAlnumId(text, i);
        if (id) {
          flush();
          out.push(id);
          i = id.end;
          barrier = i;
          continue;
        }
      }
      const len = j - i;
      let digit: number | undefined;
      if (len >= 2 && len <= MAX_WORD_LEN && !isDigit(prev)) {
        const w = text.slice(i, j).toLowerCase();
        digit = WORD_DIGITS.get(w);
        // "oh" is a zero only inside a number being read out, never on its own.
        if (w === 'oh' && !(run.open && run.sepCount <= 1)) digit = undefined;
        if (digit === undefined && (w === 'double' || w === 'triple')) {
          const rep = readRepeated(text, j);
          if (rep) {
            if (run.changesScript(SCRIPT_WORD)) flush();
            run.addSpoken(i, rep.end, String(rep.digit).repeat(w === 'double' ? 2 : 3));
            i = rep.end;
            continue;
          }
        }
      }
      if (digit !== undefined && (j >= n || !isDigit(text.charCodeAt(j)))) {
        if (run.changesScript(SCRIPT_WORD)) flush();
        run.addSpoken(i, j, String(digit));
      } else {
        flush();
      }
      i = j;
      continue;
    }
    if (run.open && SEP_OF[c]) {
      if (!run.addSep(c)) flush();
      i++;
      continue;
    }
    if (c === 0x5b /* [ */) {
      ph.lastIndex = i;
      if (ph.test(text)) {
        flush();
        i = ph.lastIndex;
        barrier = i;
        continue;
      }
    }
    flush();
    i++;
  }
  flush();
}

function readRepeated(text: string, from: number): { end: number; digit: number } | null {
  let k = from;
  while (k < text.length && k < from + 2 && (text[k] === ' ' || text[k] === '-')) k++;
  if (k === from) return null;
  let j = k;
  while (j < text.length && isLetter(text.charCodeAt(j))) j++;
  const digit = WORD_DIGITS.get(text.slice(k, j).toLowerCase());
  return digit === undefined || j - k > MAX_WORD_LEN ? null : { end: j, digit };
}

const PAREN_OPEN = new Set([0x28, 0xff08]);
const PAREN_CLOSE = new Set([0x29, 0xff09]);
const PLUS = new Set([0x2b, 0xff0b]);

interface RunCandidate extends Candidate {
  digitCount: number;
  tier: number;
  /** First and last group of the run that the candidate covers. */
  a: number;
  b: number;
}

/** Tries every group range of the run that could be one number and keeps the best non-overlapping ones. */
function evaluateRun(text: string, run: Run, barrier: number, out: Candidate[]): void {
  const m = run.size;
  let total = 0;
  for (const g of run.digits) total += g.length;
  if (total < 8) return; // shortest built-in number is an 8-digit HK phone
  const single = (k: number): boolean => run.spoken[k] === true || (run.digits[k]?.length ?? 0) === 1;
  const allSingles = run.digits.every((_, k) => single(k));
  // A group may be part of a larger written number only if the separator next to it is tight;
  // a comma or an isolated digit marks a boundary where another number may begin or end.
  const canStartAt = (k: number): boolean => k === 0 || run.loose[k] === true || single(k - 1) || single(k);
  const canEndAt = (k: number): boolean =>
    k === m - 1 || run.loose[k + 1] === true || single(k) || single(k + 1);

  const found: RunCandidate[] = [];
  const firstStart = run.starts[0] ?? 0;
  const runCue = nearestCue(text.slice(Math.max(barrier, firstStart - CUE_WINDOW), firstStart));

  for (let a = 0; a < m; a++) {
    if (!canStartAt(a)) continue;
    const start0 = run.starts[a] ?? 0;
    const before = start0 > 0 ? text.charCodeAt(start0 - 1) : 0;
    if (isLetter(before) && !run.spoken[a]) continue; // "ORD13812345678", "v2…": part of a code
    let plus = false;
    let start = start0;
    if (a === 0) {
      if (PLUS.has(before)) {
        plus = true;
        start = start0 - 1;
      } else if (PAREN_OPEN.has(before) && start0 > 1 && PLUS.has(text.charCodeAt(start0 - 2))) {
        plus = true; // "(+86) 138…"
        start = start0 - 2;
      }
    }
    const paren = PAREN_OPEN.has(before) && PAREN_CLOSE.has(text.charCodeAt(run.ends[a] ?? 0));
    if (paren && !plus) start = start0 - 1;
    let digits = '';
    const sizes: number[] = [];
    let groupsOk = true;
    for (let b = a; b < m; b++) {
      const g = run.digits[b] ?? '';
      digits += g;
      sizes.push(g.length);
      // Groups of one digit only make sense when every group is one ("1 3 8 …"), or for the "1" of a
      // North American number ("+1 415 …", "1-800-…").
      if (!allSingles && g.length < 2 && !run.spoken[b] && !(b === a && g === '1')) groupsOk = false;
      if (digits.length > MAX_CANDIDATE_DIGITS) break;
      if (digits.length < 8 || !canEndAt(b)) continue;
      const end = run.ends[b] ?? 0;
      const after = end < text.length ? text.charCodeAt(end) : 0;
      if (isLetter(after) && !run.spoken[b]) continue;
      if (!groupsOk) continue;
      const cls: Classified | null = classifyNumber({
        digits,
        sizes,
        singles: allSingles || run.spoken[a] === true,
        plus,
        paren,
        cue: a === 0 ? runCue : undefined,
      });
      if (cls)
        found.push({
          start,
          end,
          type: cls.type,
          kind: cls.kind,
          digitCount: digits.length,
          tier: cls.tier,
          a,
          b,
        });
    }
  }
  if (found.length === 0) return;
  // Longest first (a 16-digit card beats the phone-shaped digits inside it), then stronger evidence.
  found.sort((x, y) => y.digitCount - x.digitCount || y.tier - x.tier || x.start - y.start);
  // Overlap is tracked per group (a candidate spans at most MAX_CANDIDATE_DIGITS groups), so a long
  // run with many candidates stays linear.
  const used = new Uint8Array(m);
  const kept: RunCandidate[] = [];
  for (const f of found) {
    let free = true;
    for (let k = f.a; k <= f.b && free; k++) free = used[k] === 0;
    if (!free) continue;
    used.fill(1, f.a, f.b + 1);
    kept.push(f);
  }
  kept.sort((x, y) => x.start - y.start);
  for (const k of kept) out.push({ start: k.start, end: k.end, type: k.type, kind: k.kind });
}
