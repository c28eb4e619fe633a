import type { Features } from '../../lib/featurise';
import { mulberry32 } from './rng';

/**
 * EmbeddingBag classifier trained in plain TypeScript:
 *   pooled = Σ weight_i · E[id_i]        (weights sum to 1: a weighted mean of feature rows)
 *   h      = relu(pooled · W1 + b1)      (only when hidden > 0)
 *   logits = h · W2 + b2 ;  probs = softmax(logits)
 * Trained with Adam (lazy on embedding rows: only the rows a batch touched are updated, which is
 * what keeps an epoch over 65k×64 parameters cheap), decoupled weight decay, feature dropout,
 * hidden dropout and label smoothing.
 */

export interface ModelShape {
  buckets: number;
  dim: number;
  hidden: number;
  classes: number;
}

export interface Params {
  shape: ModelShape;
  emb: Float32Array; // buckets × dim
  w1: Float32Array; // dim × hidden (empty when hidden = 0)
  b1: Float32Array;
  w2: Float32Array; // (hidden || dim) × classes
  b2: Float32Array;
}

export interface TrainConfig {
  epochs: number;
  batch: number;
  lr: number;
  embLr: number;
  weightDecay: number;
  featureDropout: number;
  hiddenDropout: number;
  labelSmoothing: number;
  seed: number;
}

export interface TrainExample {
  features: Features;
  label: number;
  /** Loss weight (class balancing). */
  weight: number;
  /** Labels this example's speaker may take; others are masked out of the softmax. */
  allowed?: readonly number[];
}

export function initParams(shape: ModelShape, seed: number): Params {
  const rand = mulberry32(seed);
  const inDim = shape.hidden > 0 ? shape.hidden : shape.dim;
  const xavier = (fanIn: number, fanOut: number, n: number) => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * a;
    return out;
  };
  return {
    shape,
    // Zero rows: a bucket no training feature ever hit contributes nothing at inference.
    emb: new Float32Array(shape.buckets * shape.dim),
    w1: shape.hidden > 0 ? xavier(shape.dim, shape.hidden, shape.dim * shape.hidden) : new Float32Array(0),
    // Positive bias keeps every ReLU open at the start: with zero embeddings nothing else would.
    b1: new Float32Array(shape.hidden).fill(0.1),
    w2: xavier(inDim, shape.classes, inDim * shape.classes),
    b2: new Float32Array(shape.classes),
  };
}

function softmaxInPlace(z: Float32Array, allowed?: readonly number[]): void {
  if (allowed) {
    const keep = new Uint8Array(z.length);
    for (const a of allowed) keep[a] = 1;
    for (let c = 0; c < z.length; c++) if (!keep[c]) z[c] = Number.NEGATIVE_INFINITY;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < z.length; c++) if (z[c]! > max) max = z[c]!;
  let sum = 0;
  for (let c = 0; c < z.length; c++) {
    const e = Math.exp(z[c]! - max);
    z[c] = e;
    sum += e;
  }
  for (let c = 0; c < z.length; c++) z[c] = z[c]! / sum;
}

/** Inference forward pass; the ONNX graph computes exactly this (see export-onnx.ts). */
export function forward(p: Params, f: Features, allowed?: readonly number[]): Float32Array {
  const { dim, hidden, classes } = p.shape;
  const pooled = new Float32Array(dim);
  for (let i = 0; i < f.ids.length; i++) {
    const w = f.weights[i]!;
    if (w === 0) continue;
    const row = f.ids[i]! * dim;
    for (let d = 0; d < dim; d++) pooled[d] = pooled[d]! + w * p.emb[row + d]!;
  }
  let h = pooled;
  if (hidden > 0) {
    h = new Float32Array(hidden);
    for (let k = 0; k < hidden; k++) {
      let s = p.b1[k]!;
      for (let d = 0; d < dim; d++) s += pooled[d]! * p.w1[d * hidden + k]!;
      h[k] = Math.max(s, 0);
    }
  }
  const inDim = h.length;
  const z = new Float32Array(classes);
  for (let c = 0; c < classes; c++) {
    let s = p.b2[c]!;
    for (let k = 0; k < inDim; k++) s += h[k]! * p.w2[k * classes + c]!;
    z[c] = s;
  }
  softmaxInPlace(z, allowed);
  return z;
}

class Adam {
  m: Float32Array;
  v: Float32Array;
  constructor(n: number) {
    this.m = new Float32Array(n);
    this.v = new Float32Array(n);
  }
}

const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;

function adamDense(w: Float32Array, g: Float32Array, st: Adam, lr: number, wd: number, t: number): void {
  const c1 = 1 - B1 ** t;
  const c2 = 1 - B2 ** t;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    st.m[i] = B1 * st.m[i]! + (1 - B1) * gi;
    st.v[i] = B2 * st.v[i]! + (1 - B2) * gi * gi;
    w[i] = w[i]! - lr * (st.m[i]! / c1 / (Math.sqrt(st.v[i]! / c2) + EPS) + wd * w[i]!);
  }
}

export type EpochHook = (epoch: number, params: Params) => boolean | undefined;

/**
 * Trains for `cfg.epochs`, calling `onEpoch` after each; returning true from it stops early.
 * Deterministic for a given seed and example order.
 */
export function train(params: Params, data: TrainExample[], cfg: TrainConfig, onEpoch?: EpochHook): Params {
  const { dim, hidden, classes } = params.shape;
  const rand = mulberry32(cfg.seed ^ 0x9e3779b9);
  const inDim = hidden > 0 ? hidden : dim;
  const embSt = new Adam(params.emb.length);
  const embStep = new Int32Array(params.shape.buckets); // per-row step count for lazy Adam bias correction
  const w1St = new Adam(params.w1.length);
  const b1St = new Adam(params.b1.length);
  const w2St = new Adam(params.w2.length);
  const b2St = new Adam(params.b2.length);
  const gEmb = new Float32Array(params.emb.length);
  const touched = new Uint8Array(params.shape.buckets);
  const gW1 = new Float32Array(params.w1.length);
  const gB1 = new Float32Array(params.b1.length);
  const gW2 = new Float32Array(params.w2.length);
  const gB2 = new Float32Array(params.b2.length);
  const pooled = new Float32Array(dim);
  const h = new Float32Array(inDim);
  const hMask = new Float32Array(inDim);
  const z = new Float32Array(classes);
  const dz = new Float32Array(classes);
  const dh = new Float32Array(inDim);
  const dPooled = new Float32Array(dim);
  const order = data.map((_, i) => i);
  let t = 0;
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += cfg.batch) {
      const end = Math.min(order.length, start + cfg.batch);
      const rows: number[] = [];
      gW1.fill(0);
      gB1.fill(0);
      gW2.fill(0);
      gB2.fill(0);
      let wsum = 0;
      for (let bi = start; bi < end; bi++) wsum += data[order[bi]!]!.weight;
      for (let bi = start; bi < end; bi++) {
        const ex = data[order[bi]!]!;
        const scale = ex.weight / wsum;
        // Feature dropout: drop whole n-grams, renormalise the rest, so the model cannot lean on one
        // phrase and still works when a typo or an unseen word removes it.
        const { ids, weights } = ex.features;
        const keep = new Float32Array(ids.length);
        let kept = 0;
        for (let i = 0; i < ids.length; i++) {
          if (i === 0 || rand() >= cfg.featureDropout) {
            keep[i] = weights[i]!;
            kept += weights[i]!;
          }
        }
        if (kept <= 0) continue;
        for (let i = 0; i < ids.length; i++) keep[i] = keep[i]! / kept;
        pooled.fill(0);
        for (let i = 0; i < ids.length; i++) {
          const w = keep[i]!;
          if (w === 0) continue;
          const row = ids[i]! * dim;
          for (let d = 0; d < dim; d++) pooled[d] = pooled[d]! + w * params.emb[row + d]!;
        }
        if (hidden > 0) {
          for (let k = 0; k < hidden; k++) {
            let s = params.b1[k]!;
            for (let d = 0; d < dim; d++) s += pooled[d]! * params.w1[d * hidden + k]!;
            const drop = cfg.hiddenDropout > 0 && rand() < cfg.hiddenDropout;
            hMask[k] = s > 0 && !drop ? 1 / (1 - cfg.hiddenDropout) : 0;
            h[k] = s * hMask[k]!;
          }
        } else {
          for (let d = 0; d < dim; d++) {
            const drop = cfg.hiddenDropout > 0 && rand() < cfg.hiddenDropout;
            hMask[d] = drop ? 0 : 1 / (1 - cfg.hiddenDropout);
            h[d] = pooled[d]! * hMask[d]!;
          }
        }
        for (let c = 0; c < classes; c++) {
          let s = params.b2[c]!;
          for (let k = 0; k < inDim; k++) s += h[k]! * params.w2[k * classes + c]!;
          z[c] = s;
        }
        softmaxInPlace(z, ex.allowed);
        const nAllowed = ex.allowed ? ex.allowed.length : classes;
        const eps = cfg.labelSmoothing;
        for (let c = 0; c < classes; c++) {
          const inSet = !ex.allowed || ex.allowed.includes(c);
          const target = inSet ? (c === ex.label ? 1 - eps : 0) + eps / nAllowed : 0;
          dz[c] = (z[c]! - target) * scale;
        }
        for (let c = 0; c < classes; c++) gB2[c] = gB2[c]! + dz[c]!;
        dh.fill(0);
        for (let k = 0; k < inDim; k++) {
          const hk = h[k]!;
          let s = 0;
          for (let c = 0; c < classes; c++) {
            gW2[k * classes + c] = gW2[k * classes + c]! + hk * dz[c]!;
            s += params.w2[k * classes + c]! * dz[c]!;
          }
          dh[k] = s * hMask[k]!;
        }
        if (hidden > 0) {
          dPooled.fill(0);
          for (let k = 0; k < hidden; k++) {
            const dk = dh[k]!;
            if (dk === 0) continue;
            gB1[k] = gB1[k]! + dk;
            for (let d = 0; d < dim; d++) {
              gW1[d * hidden + k] = gW1[d * hidden + k]! + pooled[d]! * dk;
              dPooled[d] = dPooled[d]! + params.w1[d * hidden + k]! * dk;
            }
          }
        } else {
          dPooled.set(dh);
        }
        for (let i = 0; i < ids.length; i++) {
          const w = keep[i]!;
          if (w === 0) continue;
          const id = ids[i]!;
          if (!touched[id]) {
            touched[id] = 1;
            rows.push(id);
          }
          const row = id * dim;
          for (let d = 0; d < dim; d++) gEmb[row + d] = gEmb[row + d]! + w * dPooled[d]!;
        }
      }
      t++;
      if (hidden > 0) {
        adamDense(params.w1, gW1, w1St, cfg.lr, cfg.weightDecay, t);
        adamDense(params.b1, gB1, b1St, cfg.lr, 0, t);
      }
      adamDense(params.w2, gW2, w2St, cfg.lr, cfg.weightDecay, t);
      adamDense(params.b2, gB2, b2St, cfg.lr, 0, t);
      for (const id of rows) {
        const st = ++embStep[id]!;
        const c1 = 1 - B1 ** st;
        const c2 = 1 - B2 ** st;
        const base = id * dim;
        for (let d = 0; d < dim; d++) {
          const i = base + d;
          const g = gEmb[i]!;
          embSt.m[i] = B1 * embSt.m[i]! + (1 - B1) * g;
          embSt.v[i] = B2 * embSt.v[i]! + (1 - B2) * g * g;
          params.emb[i] =
            params.emb[i]! -
            cfg.embLr *
              (embSt.m[i]! / c1 / (Math.sqrt(embSt.v[i]! / c2) + EPS) + cfg.weightDecay * params.emb[i]!);
          gEmb[i] = 0;
        }
        touched[id] = 0;
      }
    }
    if (onEpoch?.(epoch, params)) break;
  }
  return params;
}
