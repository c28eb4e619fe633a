/**
 * Is a phrase occurrence negated? (issue 4: "不保本" / "not guaranteed" must not fire 保本 /
 * guaranteed.) Works on normalised text (Simplified, lower case, stemmed), looking back from the
 * match start within the same clause.
 *
 * Chinese: a negator character followed only by linking words (是, 会, 能, 有, 一定, 保证, 任何…)
 * negates; anything else in between breaks it, so "无风险保本" and "不仅保本" still count.
 * English: a negator word within `window` words, with no conjunction in between.
 */
import { type Normalised, stemWord } from '../normalise';

const ZH_NEGATORS = new Set([...'不没别未无非勿莫甭否']);
const ZH_LINKS =
  /^(?:是|会|能|能够|可|可以|可能|一定|必|必定|保证|承诺|担保|有|得|敢|要|想|用|需要|都|算|任何|再|太|会是|就|也|并|绝对|完全|确保)*$/;
const EN_NEGATORS = new Set(
  'not no never dont doesnt didnt isnt arent wasnt werent cant cannot couldnt wont wouldnt shouldnt without nor neither hardly'
    .split(' ')
    // Same stemming as the text they are compared with ("hardly" → "hardli").
    .map(stemWord),
);
const EN_STOPS = new Set('and but or so because however although while though if'.split(' ').map(stemWord));

const isHanUnit = (c: number) => c >= 0x3400 && c <= 0x9fff;
const isLatinUnit = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);

export const ZH_NEGATION_WINDOW = 6; // characters, linking words included
export const EN_NEGATION_WINDOW = 3; // words: "are not (fully) guaranteed"

/** `start` is the normalised offset of the match; `window` counts characters (zh) or words (en). */
export function isNegated(n: Normalised, start: number, window?: number): boolean {
  const first = n.text.charCodeAt(start);
  if (isHanUnit(first)) return zhNegated(n, start, window ?? ZH_NEGATION_WINDOW);
  return enNegated(n, start, window ?? EN_NEGATION_WINDOW);
}

function zhNegated(n: Normalised, start: number, window: number): boolean {
  const t = n.text;
  for (let p = start - 1; p >= 0 && p >= start - window; p--) {
    if (n.breaks[p + 1] && p + 1 <= start) return false;
    const c = t.charCodeAt(p);
    if (!isHanUnit(c)) return false;
    if (ZH_NEGATORS.has(t[p]!) && ZH_LINKS.test(t.slice(p + 1, start))) return true;
  }
  return false;
}

function enNegated(n: Normalised, start: number, window: number): boolean {
  const t = n.text;
  let p = start - 1;
  for (let words = 0; words < window; words++) {
    // Step over the separator before the word; a removed clause mark ends the search.
    while (p >= 0 && t[p] === ' ') {
      if (n.breaks[p]) return false;
      p--;
    }
    if (p < 0 || n.breaks[p + 1]) return false;
    const end = p + 1;
    while (p >= 0 && isLatinUnit(t.charCodeAt(p))) p--;
    if (end === p + 1) return false; // not a word (Chinese text or symbol): out of English scope
    const word = t.slice(p + 1, end);
    if (EN_NEGATORS.has(word)) return true;
    if (EN_STOPS.has(word)) return false;
  }
  return false;
}
