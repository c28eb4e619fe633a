/**
 * Light English stemming that only ever truncates a word (and turns a final y into i), so the
 * stem is position-for-position a prefix of the word and offsets map back trivially.
 * guarantee / guaranteed / guarantees / guaranteeing → guarant; policy / policies → polici.
 */
export interface Stem {
  /** How many leading characters of the word to keep. */
  keep: number;
  /** Replace the last kept character (a `y`) by `i`. */
  yToI: boolean;
}

const endsWith = (w: string, n: number, suffix: string) =>
  n >= suffix.length && w.slice(n - suffix.length, n) === suffix;

export function stem(word: string): Stem {
  let n = word.length;
  if (n > 5 && endsWith(word, n, 'ing')) n -= 3;
  else if (n > 4 && (endsWith(word, n, 'ies') || endsWith(word, n, 'ied'))) n -= 2;
  else if (n > 4 && endsWith(word, n, 'ed')) n -= 2;
  else if (n > 3 && word[n - 1] === 's' && !/(?:ss|us|is)$/.test(word.slice(0, n))) n -= 1;
  while (n > 3 && word[n - 1] === 'e') n -= 1;
  const yToI = n > 3 && word[n - 1] === 'y';
  return { keep: n, yToI };
}

/** The stemmed form of a lowercase ASCII word. */
export function stemWord(word: string): string {
  const s = stem(word);
  const kept = word.slice(0, s.keep);
  return s.yToI ? kept.slice(0, -1) + 'i' : kept;
}
