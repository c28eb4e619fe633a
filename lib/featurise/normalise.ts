import { Converter } from 'opencc-js/t2cn';

/**
 * Text normalisation shared by training and inference, so that a model sees the same string
 * in Node and in the analysis worker.
 *
 * - NFKC folds full-width forms (？！ＡＢＣ１２３) onto their ASCII twins.
 * - Lowercase, so "REFUND" and "refund" share features.
 * - Traditional → Simplified (OpenCC t2cn, character level): one model serves zh-Hans and zh-Hant
 *   and a customer typing in either script lands on the same n-grams.
 * - Runs of one character longer than 3 collapse to 3 ("？？？？？？" → "???", "soooooo" → "sooo"),
 *   keeping the emphasis signal without inventing a new n-gram per run length.
 * - Digit runs of 6 or more (order, card, phone numbers) become one placeholder; short numbers such
 *   as the 12315 consumer hotline stay, they carry meaning.
 */

let t2cn: ((s: string) => string) | undefined;

/** Built on first use: the dictionary trie costs a few milliseconds we only pay when text arrives. */
function toSimplified(s: string): string {
  t2cn ??= Converter({ from: 't', to: 'cn' });
  return t2cn(s);
}

/**
 * Builds the Traditional → Simplified converter now rather than on the first Chinese utterance
 * (tens of milliseconds on a busy machine). A worker calls it while its model downloads and ORT's
 * WASM compile are in flight, so the first answer does not pay for it.
 */
export function prepareNormaliser(): void {
  toSimplified('點');
}

const HAS_HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
const LONG_DIGITS = /\d{6,}/g;
const WHITESPACE = /\s+/g;
/** Phones type ’ where keyboards type ': "don’t" and "don't" are one word. */
const CURLY_APOSTROPHE = /[\u2018\u2019\u02bc]/g;

/** Longest utterance we featurise in full; longer ones keep their head and tail (code points). */
export const MAX_CODE_POINTS = 400;

export function normalise(text: string): string {
  let s = text.normalize('NFKC').toLowerCase().replace(CURLY_APOSTROPHE, "'");
  if (HAS_HAN.test(s)) s = toSimplified(s);
  s = s.replace(LONG_DIGITS, '#').replace(WHITESPACE, ' ').trim();
  const cps = Array.from(s);
  const out: string[] = [];
  let run = 0;
  for (let i = 0; i < cps.length; i++) {
    run = i > 0 && cps[i] === cps[i - 1] ? run + 1 : 1;
    if (run <= 3) out.push(cps[i]!);
  }
  if (out.length > MAX_CODE_POINTS) {
    const half = MAX_CODE_POINTS / 2;
    return out.slice(0, half).join('') + ' ' + out.slice(out.length - half).join('');
  }
  return out.join('');
}
