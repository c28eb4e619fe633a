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
export const HASHGRAM_VERSION = 4;
/** Versions this file still computes, so a customer's model trained on an older one keeps loading. */
export const HASHGRAM_VERSIONS: readonly number[] = [2, 3, 4];

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

/**
 * English contractions, typed with or without the apostrophe, spelled out (v3): "don't", "dont" and
 * "do not" then share their word grams, and "not" starts a negation scope.
 */
const CONTRACTIONS = new Map<string, readonly string[]>(
  Object.entries({
    "can't": ['can', 'not'],
    cant: ['can', 'not'],
    cannot: ['can', 'not'],
    "won't": ['will', 'not'],
    wont: ['will', 'not'],
    "shan't": ['shall', 'not'],
    "ain't": ['is', 'not'],
    aint: ['is', 'not'],
    "i'm": ['i', 'am'],
    im: ['i', 'am'],
    "i've": ['i', 'have'],
    ive: ['i', 'have'],
    "i'll": ['i', 'will'],
    "i'd": ['i', 'would'],
    "you're": ['you', 'are'],
    youre: ['you', 'are'],
    "you've": ['you', 'have'],
    youve: ['you', 'have'],
    "you'll": ['you', 'will'],
    "we're": ['we', 'are'],
    "we've": ['we', 'have'],
    "we'll": ['we', 'will'],
    "they're": ['they', 'are'],
    theyre: ['they', 'are'],
    "it's": ['it', 'is'],
    "that's": ['that', 'is'],
    thats: ['that', 'is'],
    "what's": ['what', 'is'],
    whats: ['what', 'is'],
    "there's": ['there', 'is'],
    "here's": ['here', 'is'],
    "let's": ['let', 'us'],
  }),
);
/** Words that end in "nt" typed without the apostrophe ("didnt", "isnt"). */
const NT_STEMS = new Set([
  'do',
  'does',
  'did',
  'is',
  'was',
  'are',
  'were',
  'has',
  'have',
  'had',
  'could',
  'would',
  'should',
  'must',
  'need',
  'might',
]);

/** v3: spells out contractions and drops the possessive 's ("driver's" → "driver"). */
function expandWord(w: string, out: string[]): void {
  const known = CONTRACTIONS.get(w);
  if (known) {
    for (const x of known) out.push(x);
    return;
  }
  if (w.endsWith("n't") && w.length > 3) {
    out.push(w.slice(0, -3), 'not');
    return;
  }
  if (w.endsWith('nt') && NT_STEMS.has(w.slice(0, -2))) {
    out.push(w.slice(0, -2), 'not');
    return;
  }
  if (w.endsWith("'s") && w.length > 2) {
    out.push(w.slice(0, -2));
    return;
  }
  const bare = w.replace(/^'+|'+$/g, '');
  if (bare) out.push(bare);
}

/** Splits normalised text into units (see the file comment); `words` are the Latin words among them. */
export function toUnits(norm: string, version: number = HASHGRAM_VERSION): Units {
  const units: string[] = [];
  const words: string[] = [];
  let word = '';
  const flush = () => {
    if (!word) return;
    if (version >= 3) {
      const start = units.length;
      expandWord(word, units);
      for (let i = start; i < units.length; i++) words.push(units[i]!);
    } else {
      units.push(word);
      words.push(word);
    }
    word = '';
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

/**
 * Receives features as they are generated. The same generator feeds two sinks: one that builds the
 * feature strings (the readable definition, used by tests and to explain a prediction) and one that
 * hashes them on the fly without building any string (the hot path in the worker). A feature is
 * `prefix + a [+ SEP + b [+ SEP + c]]`, or a piece `prefix + s.slice(start, end)`.
 */
interface Sink {
  one(prefix: string, a: string): void;
  two(prefix: string, a: string, b: string): void;
  three(prefix: string, a: string, b: string, c: string): void;
  piece(prefix: string, s: string, start: number, end: number): void;
}

const SEP = '\u0001';

class StringSink implements Sink {
  readonly out: string[] = [];
  one(prefix: string, a: string): void {
    this.out.push(prefix + a);
  }
  two(prefix: string, a: string, b: string): void {
    this.out.push(prefix + a + SEP + b);
  }
  three(prefix: string, a: string, b: string, c: string): void {
    this.out.push(prefix + a + SEP + b + SEP + c);
  }
  piece(prefix: string, s: string, start: number, end: number): void {
    this.out.push(prefix + s.slice(start, end));
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvMore(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

function fnvSep(h: number): number {
  return Math.imul(h ^ 1, FNV_PRIME);
}

/**
 * Hashes features straight into a reused id buffer: FNV-1a is a left fold over the characters, so
 * hashing the parts in order equals hashing their concatenation. `half` marks subword pieces.
 */
class HashSink implements Sink {
  ids = new Int32Array(512);
  half = new Uint8Array(512);
  n = 0;
  constructor(public rows: number) {}
  reset(buckets: number): void {
    this.rows = buckets - 1;
    this.n = 0;
  }
  private push(h: number, half: number): void {
    if (this.n === this.ids.length) {
      const ids = new Int32Array(this.n * 2);
      ids.set(this.ids);
      this.ids = ids;
      const hf = new Uint8Array(this.n * 2);
      hf.set(this.half);
      this.half = hf;
    }
    this.ids[this.n] = ((h >>> 0) % this.rows) + 1;
    this.half[this.n++] = half;
  }
  one(prefix: string, a: string): void {
    this.push(fnvMore(fnvMore(FNV_OFFSET, prefix), a), 0);
  }
  two(prefix: string, a: string, b: string): void {
    this.push(fnvMore(fnvSep(fnvMore(fnvMore(FNV_OFFSET, prefix), a)), b), 0);
  }
  three(prefix: string, a: string, b: string, c: string): void {
    const ab = fnvSep(fnvMore(fnvSep(fnvMore(fnvMore(FNV_OFFSET, prefix), a)), b));
    this.push(fnvMore(ab, c), 0);
  }
  piece(prefix: string, s: string, start: number, end: number): void {
    let h = fnvMore(FNV_OFFSET, prefix);
    for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
    this.push(h, prefix === 'w:' ? 1 : 0);
  }
}

const UNIT_PREFIX: Record<string, readonly [string, string, string]> = {
  u: ['u1:', 'u2:', 'u3:'],
  v: ['v1:', 'v2:', 'v3:'],
  c: ['c1:', 'c2:', 'c3:'],
};

function unitGrams(units: string[], maxN: number, ns: 'u' | 'v' | 'c', out: Sink): void {
  const [p1, p2, p3] = UNIT_PREFIX[ns]!;
  for (let i = 0; i < units.length; i++) {
    out.one(p1, units[i]!);
    if (maxN >= 2 && i + 1 < units.length) out.two(p2, units[i]!, units[i + 1]!);
    if (maxN >= 3 && i + 2 < units.length) out.three(p3, units[i]!, units[i + 1]!, units[i + 2]!);
  }
}

/** Crude English stemmer: enough to merge inflections; precision does not matter for hashing. */
const SUFFIX = /(ing|ed|ly|es|s|er|est|ness|ful)$/;

function stemOf(w: string): string {
  return w.length > 4 ? w.replace(SUFFIX, '') : w;
}

function skipBigrams(words: string[], out: Sink): void {
  for (let i = 0; i + 2 < words.length; i++) out.two('k:', words[i]!, words[i + 2]!);
}

/** v2: a stem of each longer word and skip-bigrams (w_i, w_i+2). */
function wordFeaturesV2(words: string[], out: Sink): void {
  for (const w of words) if (w.length > 4) out.one('st:', stemOf(w));
  skipBigrams(words, out);
}

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'nobody',
  'none',
  'nor',
  'without',
  'hardly',
  'barely',
]);
/** How many words after a negator it reaches, unless punctuation ends the clause first. */
const NEGATION_SCOPE = 3;
const CAPS_WORD = /\b[A-Z]{2,}\b/g;

function isLatinWord(u: string): boolean {
  return isWordChar(u[0]!, u.charCodeAt(0));
}

/**
 * v3 English features: stems of longer words and stem bigrams ("charged twice" ~ "charging
 * twice"), negation scope marks ("not happy at all" → n:happy n:at n:all, so "happy" after a
 * negator stops reading as praise), and all-caps words of the raw text ("AGAIN", "NOW") as emphasis.
 */
function englishFeaturesV3(units: string[], raw: string, out: Sink): void {
  let prev = '';
  let scope = 0;
  for (const u of units) {
    if (!isLatinWord(u)) {
      prev = '';
      scope = 0;
      continue;
    }
    const st = stemOf(u);
    if (u.length > 4) out.one('st:', st);
    if (prev) out.two('sb:', prev, st);
    prev = st;
    if (scope > 0) {
      out.one('n:', st);
      scope--;
    }
    if (NEGATORS.has(u)) scope = NEGATION_SCOPE;
  }
  if (/[A-Z][A-Z]/.test(raw)) for (const c of raw.match(CAPS_WORD) ?? []) out.one('C:', c.toLowerCase());
}

const LENGTH_BUCKETS = ['1', '1', '2', '4', '4', '8', '8', '8', '8'];

/** Coarse length of the turn in units: a three-word agent reply reads differently from a paragraph. */
function lengthBucket(n: number): string {
  return n < LENGTH_BUCKETS.length ? LENGTH_BUCKETS[n]! : n <= 16 ? '16' : '+';
}

/** Subword pieces carry the 'w:' prefix: they get half weight in featurise(). */
function subwordGrams(words: string[], out: Sink): void {
  for (const w of words) {
    if (w.length < 3 || /^[\d#]+$/.test(w)) continue;
    const s = '<' + (w.length > MAX_WORD_CHARS ? w.slice(0, MAX_WORD_CHARS) : w) + '>';
    for (let n = 3; n <= 5; n++) for (let i = 0; i + n <= s.length; i++) out.piece('w:', s, i, i + n);
  }
}

const HAN = /[\u3400-\u9fff]/;

/** Script of the turn after normalisation: Chinese, English, both, or neither (emoji, digits). */
function scriptOf(units: string[], words: string[]): 'zh' | 'en' | 'mx' | 'x' {
  const han = units.some((u) => HAN.test(u));
  return han ? (words.length ? 'mx' : 'zh') : words.length ? 'en' : 'x';
}

/**
 * v4: features that let the model learn per-language priors and where a turn starts and ends.
 * - the speaker crossed with the script (a per-language, per-speaker prior: English agent lines are
 *   curt far more often than the bare speaker token says);
 * - the turn-length bucket crossed with the script as well (four units are four characters in
 *   Chinese but four words in English);
 * - the first and last unit (and first and last two) with boundary marks: "Fantastic, …" and
 *   "… Top service." open and close sarcasm, "Policy is policy." ends on a full stop, 吧/呢/啊 end
 *   a Chinese turn;
 * - for English, each word crossed with the speaker: the same words read differently from an agent
 *   and from a customer ("pending means pending"), which v3 only had for agent unigrams.
 * Chosen with cross-validation on train+dev (models/train/cv.ts), one feature group at a time.
 */
function featuresV4(units: string[], words: string[], speaker: string, out: Sink): void {
  const script = scriptOf(units, words);
  out.two('sl:', speaker, script);
  if (units.length === 0) return;
  out.three('Ll:', speaker, script, lengthBucket(units.length));
  const last = units.length - 1;
  out.two('b2:', '^', units[0]!);
  out.two('b2:', units[last]!, '$');
  if (units.length > 1) {
    out.three('b3:', '^', units[0]!, units[1]!);
    out.three('b3:', units[last - 1]!, units[last]!, '$');
  }
  if (script === 'en') for (const w of words) out.two('sw:', speaker, w);
}

/** Runs the feature definition for one input into `main` and (previous turn) `context`. */
function generate(input: FeaturiseInput, version: number, main: Sink, context: Sink | undefined): void {
  // An unknown speaker gets a token no training line had: its row is zero, so it adds nothing.
  const speaker = input.speaker ?? 'unknown';
  main.one('s:', speaker);
  const raw = input.text ?? '';
  const { units, words } = toUnits(normalise(raw), version);
  // Empty or punctuation-free whitespace still needs one content feature: ORT cannot pool zero rows.
  if (units.length === 0) main.one('e:', 'empty');
  unitGrams(units, 3, 'u', main);
  unitGrams(units, 3, 'v', main);
  if (version >= 3) {
    englishFeaturesV3(units, raw, main);
    skipBigrams(words, main);
    if (units.length > 0) main.two('L:', speaker, lengthBucket(units.length));
    if (input.speaker === 'agent')
      for (let i = 0; i < units.length; i++) {
        main.one('a1:', units[i]!);
        if (i + 1 < units.length) main.two('a2:', units[i]!, units[i + 1]!);
      }
  } else {
    wordFeaturesV2(words, main);
    if (input.speaker === 'agent') for (const u of units) main.one('a1:', u);
  }
  if (version >= 4) featuresV4(units, words, speaker, main);
  subwordGrams(words, main);
  if (context && input.context) unitGrams(toUnits(normalise(input.context), version).units, 2, 'c', context);
}

/** Feature strings before hashing; exported for tests and for explaining a prediction. */
export function featureStrings(
  input: FeaturiseInput,
  version: number = HASHGRAM_VERSION,
): { main: string[]; context: string[] } {
  const main = new StringSink();
  const context = new StringSink();
  generate(input, version, main, context);
  return { main: main.out, context: context.out };
}

export function hashFeature(s: string, buckets: number): number {
  return (fnv1a(s) % (buckets - 1)) + 1;
}

/** Scratch buffers reused across calls: a worker featurises one utterance at a time. */
const mainSink = new HashSink(1);
const contextSink = new HashSink(1);

/**
 * Hashed features of one utterance: ids in [1, buckets) and weights summing to 1. Equal, id for id,
 * to hashing `featureStrings` (a test checks this over the training data), without building them.
 */
export function featurise(
  input: FeaturiseInput,
  params: HashgramParams,
  version: number = HASHGRAM_VERSION,
): Features {
  mainSink.reset(params.buckets);
  contextSink.reset(params.buckets);
  const wantContext = params.contextWeight > 0 && !!input.context;
  generate(input, version, mainSink, wantContext ? contextSink : undefined);
  const m = mainSink.n;
  const useContext = wantContext && contextSink.n > 0;
  const c = useContext ? contextSink.n : 0;
  const ids = new Int32Array(m + c);
  const weights = new Float32Array(m + c);
  ids.set(mainSink.ids.subarray(0, m));
  let total = 0;
  for (let i = 0; i < m; i++) total += mainSink.half[i] ? 1 : 2;
  const mainShare = useContext ? 1 - params.contextWeight : 1;
  for (let i = 0; i < m; i++) weights[i] = ((mainSink.half[i] ? 1 : 2) * mainShare) / total;
  if (useContext) {
    ids.set(contextSink.ids.subarray(0, c), m);
    for (let j = 0; j < c; j++) weights[m + j] = params.contextWeight / c;
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
