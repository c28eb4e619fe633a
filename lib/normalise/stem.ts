/**
 * Light English stemming that only ever truncates a word (and turns a final y into i), so the
 * stem is position-for-position a prefix of the word and offsets map back trivially.
 * guarantee / guaranteed / guarantees / guaranteeing → guarant; policy / policies → polici.
 * Works on UTF-16 code units in place: normalising 1 MB must not build a string per word.
 */
export interface Stem {
  /** How many leading characters of the word to keep. */
  keep: number;
  /** Replace the last kept character (a `y`) by `i`. */
  yToI: boolean;
}

const d = 0x64;
const e = 0x65;
const g = 0x67;
const i = 0x69;
const n = 0x6e;
const s = 0x73;
const u = 0x75;
const y = 0x79;

/**
 * Stem of the lowercase ASCII word in w[from, to), packed as keep * 2 + (yToI ? 1 : 0): this runs
 * once per word of every turn, so it allocates nothing.
 */
export function stemUnits(w: ArrayLike<number>, from: number, to: number): number {
  let end = to; // exclusive end of the kept stem
  const len = to - from;
  const l1 = w[to - 1];
  const l2 = w[to - 2];
  const l3 = w[to - 3];
  if (len > 5 && l3 === i && l2 === n && l1 === g) end -= 3;
  else if (len > 4 && l3 === i && l2 === e && (l1 === s || l1 === d)) end -= 2;
  else if (len > 4 && l2 === e && l1 === d) end -= 2;
  else if (len > 3 && l1 === s && l2 !== s && l2 !== u && l2 !== i) end -= 1;
  while (end - from > 3 && w[end - 1] === e) end -= 1;
  return (end - from) * 2 + (end - from > 3 && w[end - 1] === y ? 1 : 0);
}

export function stem(word: string): Stem {
  const units = Array.from(word, (ch) => ch.charCodeAt(0));
  const packed = stemUnits(units, 0, units.length);
  return { keep: packed >> 1, yToI: (packed & 1) === 1 };
}

/** The stemmed form of a lowercase ASCII word. */
export function stemWord(word: string): string {
  const st = stem(word);
  const kept = word.slice(0, st.keep);
  return st.yToI ? kept.slice(0, -1) + 'i' : kept;
}
