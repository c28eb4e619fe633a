import { featurise, type HashgramParams } from '../../lib/featurise';
import type { Example } from '../data/check';
import { report, type Report, type Scored } from './metrics';
import {
  forward,
  initParams,
  type ModelShape,
  type Params,
  type TrainConfig,
  type TrainExample,
  train,
} from './model';
import { dequantise, type Quantised, quantise } from './quantise';
import { splitExamples } from './split';
import type { TaskSpec } from './task';

/** One point of the model-selection grid. */
export interface Candidate {
  id: string;
  shape: Omit<ModelShape, 'classes'>;
  contextWeight: number;
  config: Omit<TrainConfig, 'epochs' | 'seed'>;
  /** Loss weights (default 'class'); see Weighting. */
  weighting?: Weighting;
}

/**
 * How examples are weighted in the loss. 'class': √inverse class frequency over all languages.
 * 'lang-class': the same inside each language, and each language's lines together weigh as much as
 * any other language's (a language with more lines does not set the shared decision boundaries).
 */
export type Weighting = 'class' | 'lang-class';

export interface SelectionRow {
  id: string;
  bestEpoch: number;
  devMacroF1: number;
  /** Dev macro-F1 per language at the best epoch. */
  devByLang: Record<string, number>;
  /** Widest difference between two languages' dev macro-F1 at the best epoch. */
  devLangGap: number;
}

/** The per-language gap target: selection prefers candidates that meet it on dev. */
export const MAX_LANG_GAP = 0.05;

export interface TaskResult {
  spec: TaskSpec;
  chosen: Candidate;
  epochs: number;
  temperature: number;
  selection: SelectionRow[];
  quantised: Quantised;
  featuriser: HashgramParams;
  split: { train: Example[]; dev: Example[]; test: Example[] };
  test: Evaluation;
  lexiconTest: Evaluation;
}

export interface Evaluation {
  overall: Report;
  byLang: Record<string, Report>;
  bySpeaker: Record<string, Report>;
  byChannel: Record<string, Report>;
  hard: Report;
  byTag: Record<string, Report>;
  errors: { text: string; lang: string; gold: string; pred: string; conf: number }[];
}

export const MAX_EPOCHS = 40;
const PATIENCE = 6;

function classWeights(examples: Example[], labels: readonly string[]): number[] {
  const n = new Array<number>(labels.length).fill(0);
  for (const e of examples) n[labels.indexOf(e.label)]! += 1;
  const present = n.filter((x) => x > 0).length || 1;
  // Square-root inverse frequency: rare labels count more without letting a handful of lines dominate.
  return n.map((x) => (x > 0 ? Math.sqrt(examples.length / (present * x)) : 0));
}

function exampleWeights(examples: Example[], labels: readonly string[], weighting: Weighting): number[] {
  if (weighting === 'class') {
    const cw = classWeights(examples, labels);
    return examples.map((e) => cw[labels.indexOf(e.label)]!);
  }
  const langs = [...new Set(examples.map((e) => e.lang))];
  const byLang = new Map(langs.map((l) => [l, examples.filter((e) => e.lang === l)]));
  const perLang = new Map(langs.map((l) => [l, classWeights(byLang.get(l)!, labels)]));
  // Each language's weights sum to N / languages, so the mean weight stays 1 as with 'class'.
  const scale = new Map(
    langs.map((l) => {
      const cw = perLang.get(l)!;
      const sum = byLang.get(l)!.reduce((a, e) => a + cw[labels.indexOf(e.label)]!, 0);
      return [l, examples.length / langs.length / sum];
    }),
  );
  return examples.map((e) => perLang.get(e.lang)![labels.indexOf(e.label)]! * scale.get(e.lang)!);
}

export function toTrainExamples(
  examples: Example[],
  spec: TaskSpec,
  fp: HashgramParams,
  weighting: Weighting = 'class',
): TrainExample[] {
  const w = exampleWeights(examples, spec.labels, weighting);
  return examples.map((e, i) => {
    const label = spec.labels.indexOf(e.label);
    const allowed = spec.allowed(e.speaker);
    return {
      features: featurise({ text: e.text, speaker: e.speaker, context: e.context }, fp),
      label,
      weight: w[i]!,
      ...(allowed ? { allowed } : {}),
    };
  });
}

export function predictAll(p: Params, xs: TrainExample[], temperature = 1): { pred: number; conf: number }[] {
  return xs.map((x) => {
    const probs = forward(scaleHead(p, temperature), x.features, x.allowed);
    let best = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c]! > probs[best]!) best = c;
    return { pred: best, conf: probs[best]! };
  });
}

function macroF1(p: Params, xs: TrainExample[], labels: readonly string[]): number {
  const preds = predictAll(p, xs);
  return report(
    xs.map((x, i) => ({ gold: x.label, pred: preds[i]!.pred, conf: preds[i]!.conf })),
    labels,
  ).macroF1;
}

const headCache = new WeakMap<Params, Map<number, Params>>();

/** Dividing the output layer by T is temperature scaling folded into the weights (no graph change). */
export function scaleHead(p: Params, temperature: number): Params {
  if (temperature === 1) return p;
  let m = headCache.get(p);
  if (!m) {
    m = new Map();
    headCache.set(p, m);
  }
  const hit = m.get(temperature);
  if (hit) return hit;
  const scaled = { ...p, w2: p.w2.map((v) => v / temperature), b2: p.b2.map((v) => v / temperature) };
  m.set(temperature, scaled);
  return scaled;
}

/** Temperature that minimises dev negative log-likelihood (grid search, coarse is enough). */
function fitTemperature(p: Params, xs: TrainExample[]): number {
  let best = 1;
  let bestNll = Number.POSITIVE_INFINITY;
  for (let t = 0.5; t <= 3.0001; t += 0.1) {
    const T = Math.round(t * 10) / 10;
    const sp = scaleHead(p, T);
    let nll = 0;
    for (const x of xs) nll -= Math.log(Math.max(1e-9, forward(sp, x.features, x.allowed)[x.label]!));
    if (nll < bestNll) {
      bestNll = nll;
      best = T;
    }
  }
  return best;
}

export function trainCandidate(
  c: Candidate,
  spec: TaskSpec,
  trainEx: Example[],
  devEx: Example[],
  seed: number,
): { row: SelectionRow; params: Params; dev: TrainExample[] } {
  const fp = { buckets: c.shape.buckets, contextWeight: c.contextWeight };
  const tr = toTrainExamples(trainEx, spec, fp, c.weighting);
  const dv = toTrainExamples(devEx, spec, fp);
  const params = initParams({ ...c.shape, classes: spec.labels.length }, seed);
  let bestF1 = -1;
  let bestEpoch = 0;
  let bestParams: Params = params;
  train(params, tr, { ...c.config, epochs: MAX_EPOCHS, seed }, (epoch, p) => {
    const f1 = macroF1(p, dv, spec.labels);
    if (f1 > bestF1 + 1e-9) {
      bestF1 = f1;
      bestEpoch = epoch;
      bestParams = {
        ...p,
        emb: p.emb.slice(),
        w1: p.w1.slice(),
        b1: p.b1.slice(),
        w2: p.w2.slice(),
        b2: p.b2.slice(),
      };
    }
    return epoch - bestEpoch >= PATIENCE;
  });
  const preds = predictAll(bestParams, dv);
  const devByLang: Record<string, number> = {};
  for (const lang of [...new Set(devEx.map((e) => e.lang))].sort())
    devByLang[lang] = report(
      dv.flatMap((x, i) =>
        devEx[i]!.lang === lang ? [{ gold: x.label, pred: preds[i]!.pred, conf: preds[i]!.conf }] : [],
      ),
      spec.labels,
    ).macroF1;
  const langF1 = Object.values(devByLang);
  const devLangGap = langF1.length ? Math.max(...langF1) - Math.min(...langF1) : 0;
  return {
    row: { id: c.id, bestEpoch, devMacroF1: bestF1, devByLang, devLangGap },
    params: bestParams,
    dev: dv,
  };
}

export function evaluate(
  examples: Example[],
  labels: readonly string[],
  predict: (e: Example) => { pred: number; conf: number },
): Evaluation {
  const scored: (Scored & { e: Example })[] = examples.map((e) => ({
    ...predict(e),
    gold: labels.indexOf(e.label),
    e,
  }));
  const group = (key: (e: Example) => string[]) => {
    const out: Record<string, Report> = {};
    const keys = [...new Set(scored.flatMap((s) => key(s.e)))].sort();
    for (const k of keys)
      out[k] = report(
        scored.filter((s) => key(s.e).includes(k)),
        labels,
      );
    return out;
  };
  return {
    overall: report(scored, labels),
    byLang: group((e) => [e.lang]),
    bySpeaker: group((e) => [e.speaker]),
    byChannel: group((e) => [e.channel]),
    hard: report(
      scored.filter((s) => s.e.tags.length > 0),
      labels,
    ),
    byTag: group((e) => e.tags),
    errors: scored
      .filter((s) => s.gold !== s.pred)
      .map((s) => ({
        text: s.e.text,
        lang: s.e.lang,
        gold: labels[s.gold]!,
        pred: labels[s.pred]!,
        conf: s.conf,
      })),
  };
}

/**
 * Model selection on dev only: every candidate trains on train with early stopping on dev macro-F1.
 * The winner is the best dev macro-F1 among the candidates whose languages stay within
 * MAX_LANG_GAP of each other on dev (all candidates when none does): a model that is best overall
 * only because it is much better in one language is not what the targets ask for. The winner is retrained on train+dev for its best epoch count (more data for the shipped model;
 * the test split is still untouched), its temperature is fitted on dev with the train-only model,
 * then it is quantised and scored on test exactly as the exported graph computes.
 */
export function runTask(
  spec: TaskSpec,
  examples: Example[],
  candidates: Candidate[],
  seed: number,
  log: (s: string) => void = () => {},
): TaskResult {
  const split = splitExamples(examples);
  log(`${spec.name}: train ${split.train.length}, dev ${split.dev.length}, test ${split.test.length}`);
  const selection: SelectionRow[] = [];
  let best: { c: Candidate; row: SelectionRow; params: Params; dev: TrainExample[] } | undefined;
  for (const c of candidates) {
    const t0 = performance.now();
    const r = trainCandidate(c, spec, split.train, split.dev, seed);
    selection.push(r.row);
    log(
      `  ${c.id}: dev macro-F1 ${r.row.devMacroF1.toFixed(4)} @ epoch ${r.row.bestEpoch} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    log(
      `    dev by language: ${Object.entries(r.row.devByLang)
        .map(([l, f]) => `${l} ${f.toFixed(4)}`)
        .join(', ')} (gap ${r.row.devLangGap.toFixed(4)})`,
    );
    const fits = r.row.devLangGap <= MAX_LANG_GAP + 1e-9;
    const bestFits = best ? best.row.devLangGap <= MAX_LANG_GAP + 1e-9 : false;
    if (!best || (fits && !bestFits) || (fits === bestFits && r.row.devMacroF1 > best.row.devMacroF1 + 1e-9))
      best = { c, ...r };
  }
  if (!best) throw new Error('no candidates');
  const temperature = fitTemperature(best.params, best.dev);
  const chosen = best.c;
  const epochs = Math.max(1, best.row.bestEpoch);
  const fp = { buckets: chosen.shape.buckets, contextWeight: chosen.contextWeight };
  const full = toTrainExamples([...split.train, ...split.dev], spec, fp, chosen.weighting);
  const finalParams = train(initParams({ ...chosen.shape, classes: spec.labels.length }, seed), full, {
    ...chosen.config,
    epochs,
    seed,
  });
  const quantised = quantise(scaleHead(finalParams, temperature));
  const shipped = dequantise(quantised);
  const test = evaluate(split.test, spec.labels, (e) => {
    const x = toTrainExamples([e], spec, fp)[0]!;
    return predictAll(shipped, [x])[0]!;
  });
  const lexiconTest = evaluate(split.test, spec.labels, (e) => ({
    pred: spec.labels.indexOf(spec.lexicon(e.text, e.speaker)),
    conf: 1,
  }));
  log(
    `  chosen ${chosen.id}, ${epochs} epochs, T=${temperature}: test macro-F1 ${test.overall.macroF1.toFixed(4)} (lexicon ${lexiconTest.overall.macroF1.toFixed(4)})`,
  );
  for (const [lang, r] of Object.entries(test.byLang))
    log(
      `    ${lang}: ${r.macroF1.toFixed(4)} (n=${r.n}) lexicon ${lexiconTest.byLang[lang]?.macroF1.toFixed(4)}`,
    );
  return {
    spec,
    chosen,
    epochs,
    temperature,
    selection,
    quantised,
    featuriser: fp,
    split,
    test,
    lexiconTest,
  };
}
