/**
 * Language-gap check without the test split: the chosen emotion configuration is trained on train
 * and scored on dev (early stopping on dev, as in model selection), and k-fold cross-validation over
 * train+dev (folds by a stable hash of the normalised text, a fixed epoch count, test left out).
 * Prints per-language macro-F1, the widest gap, English confusions and, with --errors, the English
 * errors. Usage: npx tsx models/train/cv.ts [--folds 3] [--epochs 13] [--candidate 0] [--errors]
 *   [--repeats 1]             repeated CV: repeat r reshuffles the folds (salt r) and the seed (SEED + r);
 *                             numbers are pooled over all repeats
 *   [--weighting class|lang-class] [--set lr=0.01,featureDropout=0.5,dim=32,hidden=64,...]
 *                             variants of the candidate (config and shape keys), to measure one change at a time
 */
import { normalise } from '../../lib/featurise';
import { loadExamples } from '../data/check';
import { report } from './metrics';
import { initParams, train } from './model';
import { type Candidate, predictAll, toTrainExamples, trainCandidate, type Weighting } from './pipeline';
import { splitExamples } from './split';
import { TASK_SPECS } from './task';
import { CANDIDATES, SEED } from './train';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

function fold(text: string, k: number, repeat: number): number {
  let h = 0x811c9dc5;
  const s = `${repeat === 0 ? 'sotto-cv-v1' : `sotto-cv-v1-${repeat}`}|${normalise(text)}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % k;
}

const spec = TASK_SPECS.emotion;
const labels = spec.labels;
const k = Number(arg('--folds', '3'));
const epochs = Number(arg('--epochs', '13'));
const showErrors = process.argv.includes('--errors');
const repeats = Number(arg('--repeats', '1'));
const base = CANDIDATES[Number(arg('--candidate', '0'))]!;
const overrides = Object.fromEntries(
  arg('--set', '')
    .split(',')
    .filter(Boolean)
    .map((kv) => {
      const [key, v] = kv.split('=');
      return [key!, Number(v)];
    }),
);
const SHAPE_KEYS = ['buckets', 'dim', 'hidden'];
const c: Candidate = {
  ...base,
  shape: {
    ...base.shape,
    ...Object.fromEntries(Object.entries(overrides).filter(([key]) => SHAPE_KEYS.includes(key))),
  },
  config: {
    ...base.config,
    ...Object.fromEntries(Object.entries(overrides).filter(([key]) => !SHAPE_KEYS.includes(key))),
  },
  weighting: (arg('--weighting', base.weighting ?? 'class') as Weighting) ?? 'class',
};
console.log(`candidate ${c.id} weighting ${c.weighting} overrides ${JSON.stringify(overrides)}`);
const fp = { buckets: c.shape.buckets, contextWeight: c.contextWeight };
const { examples } = loadExamples('emotion', new URL('../data/', import.meta.url).pathname);
const split = splitExamples(examples);

type Row = { e: (typeof examples)[number]; pred: number; conf: number; where: string };
const rows: Row[] = [];
const pool = [...split.train, ...split.dev];
for (let r = 0; r < repeats; r++) {
  const seed = SEED + r;
  const dev = trainCandidate(c, spec, split.train, split.dev, seed);
  const devPreds = predictAll(dev.params, dev.dev);
  for (const [i, e] of split.dev.entries()) rows.push({ e, ...devPreds[i]!, where: 'dev' });
  for (let f = 0; f < k; f++) {
    const tr = pool.filter((e) => fold(e.text, k, r) !== f);
    const te = pool.filter((e) => fold(e.text, k, r) === f);
    const p = train(
      initParams({ ...c.shape, classes: labels.length }, seed),
      toTrainExamples(tr, spec, fp, c.weighting),
      { ...c.config, epochs, seed },
    );
    const preds = predictAll(p, toTrainExamples(te, spec, fp));
    for (const [i, e] of te.entries()) rows.push({ e, ...preds[i]!, where: 'cv' });
  }
}

const summary: Record<string, unknown> = {};
for (const where of ['dev', 'cv']) {
  const sel = rows.filter((r) => r.where === where);
  const score = (rs: Row[]) =>
    report(
      rs.map((r) => ({ gold: labels.indexOf(r.e.label), pred: r.pred, conf: r.conf })),
      labels,
    ).macroF1;
  const byLang: Record<string, number> = {};
  for (const lang of ['en', 'zh-Hans', 'zh-Hant']) byLang[lang] = score(sel.filter((r) => r.e.lang === lang));
  const v = Object.values(byLang);
  summary[where] = {
    macroF1: +score(sel).toFixed(4),
    byLang: Object.fromEntries(Object.entries(byLang).map(([l, x]) => [l, +x.toFixed(4)])),
    gap: +(Math.max(...v) - Math.min(...v)).toFixed(4),
  };
  const conf: Record<string, number> = {};
  for (const r of sel.filter((r) => r.e.lang === 'en' && labels[r.pred] !== r.e.label)) {
    const key = `${r.e.speaker}:${r.e.label}->${labels[r.pred]}`;
    conf[key] = (conf[key] ?? 0) + 1;
  }
  console.log(
    `${where} en confusions:`,
    Object.entries(conf)
      .sort((a, b) => b[1] - a[1])
      .map(([a, n]) => `${a} ${n}`)
      .join(', '),
  );
  const tagAcc: Record<string, string> = {};
  for (const tag of [...new Set(sel.flatMap((r) => (r.e.tags.length ? r.e.tags : ['(none)'])))].sort()) {
    const cell = (lang: string) => {
      const rs = sel.filter(
        (r) =>
          r.e.lang === lang && (r.e.tags.length ? (r.e.tags as string[]).includes(tag) : tag === '(none)'),
      );
      const ok = rs.filter((r) => labels[r.pred] === r.e.label).length;
      return rs.length ? `${(ok / rs.length).toFixed(2)}/${rs.length}` : '-';
    };
    tagAcc[tag] = ['en', 'zh-Hans', 'zh-Hant'].map(cell).join(' ');
  }
  if (where === 'cv')
    for (const [tag, v] of Object.entries(tagAcc))
      console.log(`${where} accuracy/n by tag (en zh-Hans zh-Hant) ${tag}: ${v}`);
  if (showErrors)
    for (const r of sel.filter((r) => r.e.lang === 'en' && labels[r.pred] !== r.e.label))
      console.log(
        `  ${where} ${r.e.speaker} ${r.e.label}->${labels[r.pred]} ${r.conf.toFixed(2)} [${r.e.tags.join(',')}] ${r.e.text}`,
      );
}
console.log(JSON.stringify({ cv: 'emotion', folds: k, epochs, repeats, ...summary }));
