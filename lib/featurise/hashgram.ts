import { normalise } from './normalise';

/**
 * Hashed n-gram featuriser for the emotion and intent models.
 *
 * The text is normalised (see normalise.ts) and cut into units: one unit per Han/kana character,
 * one per Latin word (letters, digits, apostrophes), one per punctuation mark or emoji. Features:
 * - unit 1-, 2- and 3-grams: character n-grams for Chinese, word n-grams for English, and mixed
 *   grams for code-switched lines ("refund 什么时候到" yields "refund|什");
 * - character 3–5-grams of each English word with boundary marks ("<refund>" → "<re", "ref", …),
 *   so typos and inflections still share most features with the clean word;
 * - for English, a crude suffix-stripped stem of each longer word and skip-bigrams (w_i, w_i+2),
 *   so "refunded"/"refunding" and "not really happy"/"not happy" share features;
 * - a speaker token, and for agent turns the unigrams again in an agent namespace: the same words
 *   ("ok.", 「知道了」) read as neutral from a customer and as curt from an agent;
 * - optionally the previous turn's unit 1- and 2-grams in their own namespace, down-weighted.
 * Each feature string is hashed (FNV-1a, 32 bit) into `buckets - 1` rows; row 0 is padding. Unit
 * grams are hashed twice (two namespaces), so a collision in one row rarely hurts both copies.
 * Weights sum to 1 per utterance, so the model's pooling is a weighted mean (an EmbeddingBag);
 * subword pieces weigh half as much as whole-unit features, or they would swamp English lines.
 */

export const HASHGRAM_ID = 'sotto-hashgram';
/** Bump whenever a change would move any id or weight: models record the version they were trained with. */
export const HASHGRAM_VERSION = 2;

export interface HashgramParams {
  /** Embedding rows, including the padding row 0. */
  buckets: number;
  /** Share of the pooled weight given to previous-turn features when a context is present (0 disables). */
  contextWeight: number;
}

export interface FeaturiseInput {
  text: string;
  speaker?: 'agent' | 'customer' | 'system';
  /** The previous turn in the conversation, if any. */
  context?: string;
}

export interface Features {
  ids: Int32Array;
  weights: Float32Array;
}

/** Cap on subword grams per word: a pasted URL must not flood the bag. */
const MAX_WORD_CHARS = 24;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function isWordChar(ch: string, cp: number): boolean {
  return (
    (cp >= 0x61 && cp <= 0x7a) ||
    (cp >= 0x30 && cp <= 0x39) ||
    ch === "'" ||
    ch === '#' ||
    (cp >= 0xc0 && cp <= 0x24f)
  );
}

/** Joiners and variation selectors change an emoji's look, not what it says. */
function isIgnorable(cp: number): boolean {
  return cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1f3fb && cp <= 0x1f3ff);
}

export interface Units {
  units: string[];
  words: string[];
}

/** Splits normalised text into units (see the file comment); `words` are the Latin words among them. */
export function toUnits(norm: string): Units {
  const units: string[] = [];
  const words: string[] = [];
  let word = '';
  const flush = () => {
    if (word) {
      units.push(word);
      words.push(word);
      word = '';
    }
  };
  for (const ch of norm) {
    const cp = ch.codePointAt(0)!;
    if (isWordChar(ch, cp)) {
      word += ch;
      continue;
    }
    flush();
    if (ch === ' ' || isIgnorable(cp)) continue;
    units.push(ch);
  }
  flush();
  return { units, words };
}

function unitGrams(units: string[], maxN: number, ns: string, out: string[]): void {
  for (let i = 0; i < units.length; i++) {
    out.push(ns + '1:' + units[i]);
    if (maxN >= 2 && i + 1 < units.length) out.push(ns + '2:' + units[i] + '\u0001' + units[i + 1]);
    if (maxN >= 3 && i + 2 < units.length)
      out.push(ns + '3:' + units[i] + '\u0001' + units[i + 1] + '\u0001' + units[i + 2]);
  }
}

/** Crude English stemmer: enough to merge inflections; precision does not matter for hashing. */
const SUFFIX = /(ing|ed|ly|es|s|er|est|ness|ful)$/;

function wordFeatures(words: string[], out: string[]): void {
  for (const w of words) if (w.length > 4) out.push('st:' + w.replace(SUFFIX, ''));
  for (let i = 0; i + 2 < words.length; i++) out.push('k:' + words[i] + '\u0001' + words[i + 2]);
}

/** Subword pieces are marked by their 'w:' prefix: they get half weight in featurise(). */
function subwordGrams(words: string[], out: string[]): void {
  for (const w of words) {
    if (w.length < 3 || /^[\d#]+$/.test(w)) continue;
    const s = '<' + w.slice(0, MAX_WORD_CHARS) + '>';
    for (let n = 3; n <= 5; n++) for (let i = 0; i + n <= s.length; i++) out.push('w:' + s.slice(i, i + n));
  }
}

/** Feature strings before hashing; exported for tests and for explaining a prediction. */
export function featureStrings(input: FeaturiseInput): { main: string[]; context: string[] } {
  // An unknown speaker gets a token no training line had: its row is zero, so it adds nothing.
  const main: string[] = ['s:' + (input.speaker ?? 'unknown')];
  const { units, words } = toUnits(normalise(input.text ?? ''));
  // Empty or punctuation-free whitespace still needs one content feature: ORT cannot pool zero rows.
  if (units.length === 0) main.push('e:empty');
  unitGrams(units, 3, 'u', main);
  unitGrams(units, 3, 'v', main);
  wordFeatures(words, main);
  if (input.speaker === 'agent') for (const u of units) main.push('a1:' + u);
  subwordGrams(words, main);
  const context: string[] = [];
  if (input.context) unitGrams(toUnits(normalise(input.context)).units, 2, 'c', context);
  return { main, context };
}

export function hashFeature(s: string, buckets: number): number {
  return (fnv1a(s) % (buckets - 1)) + 1;
}

export function featurise(input: FeaturiseInput, params: HashgramParams): Features {
  const { main, context } = featureStrings(input);
  const useContext = params.contextWeight > 0 && context.length > 0;
  const n = main.length + (useContext ? context.length : 0);
  const ids = new Int32Array(n);
  const weights = new Float32Array(n);
  const mainShare = useContext ? 1 - params.contextWeight : 1;
  let total = 0;
  for (let i = 0; i < main.length; i++) {
    ids[i] = hashFeature(main[i]!, params.buckets);
    weights[i] = main[i]!.startsWith('w:') ? 1 : 2;
    total += weights[i]!;
  }
  for (let i = 0; i < main.length; i++) weights[i] = (weights[i]! * mainShare) / total;
  if (useContext) {
    for (let j = 0; j < context.length; j++) {
      ids[main.length + j] = hashFeature(context[j]!, params.buckets);
      weights[main.length + j] = params.contextWeight / context.length;
    }
  }
  return { ids, weights };
}

/** Pads a batch into [batch, width] tensors; padding rows point at id 0 with weight 0. */
export function packBatch(items: Features[]): { ids: Int32Array; weights: Float32Array; width: number } {
  const width = Math.max(1, ...items.map((f) => f.ids.length));
  const ids = new Int32Array(items.length * width);
  const weights = new Float32Array(items.length * width);
  items.forEach((f, b) => {
    ids.set(f.ids, b * width);
    weights.set(f.weights, b * width);
  });
  return { ids, weights, width };
}
