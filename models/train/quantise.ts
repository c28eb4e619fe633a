import type { Params } from './model';

/**
 * Symmetric int8 quantisation. Embedding rows get one scale each (rows differ a lot in norm:
 * frequent n-grams grow large, rare ones stay small); the dense heads get one scale per output column,
 * which is what DequantizeLinear's per-axis mode expresses.
 */
export interface Quantised {
  shape: Params['shape'];
  embQ: Int8Array;
  embScale: Float32Array;
  w1Q: Int8Array;
  w1Scale: Float32Array;
  b1: Float32Array;
  w2Q: Int8Array;
  w2Scale: Float32Array;
  b2: Float32Array;
}

function quantRows(w: Float32Array, rows: number, cols: number): { q: Int8Array; scale: Float32Array } {
  const q = new Int8Array(rows * cols);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(w[r * cols + c]!));
    const s = Math.fround(max / 127);
    scale[r] = s;
    if (s === 0) continue;
    for (let c = 0; c < cols; c++)
      q[r * cols + c] = Math.max(-127, Math.min(127, Math.round(w[r * cols + c]! / s)));
  }
  return { q, scale };
}

function quantCols(w: Float32Array, rows: number, cols: number): { q: Int8Array; scale: Float32Array } {
  const q = new Int8Array(rows * cols);
  const scale = new Float32Array(cols);
  for (let c = 0; c < cols; c++) {
    let max = 0;
    for (let r = 0; r < rows; r++) max = Math.max(max, Math.abs(w[r * cols + c]!));
    // DequantizeLinear needs a positive scale even for an all-zero column.
    const s = Math.fround(max > 0 ? max / 127 : 1);
    scale[c] = s;
    for (let r = 0; r < rows; r++)
      q[r * cols + c] = Math.max(-127, Math.min(127, Math.round(w[r * cols + c]! / s)));
  }
  return { q, scale };
}

export function quantise(p: Params): Quantised {
  const { buckets, dim, hidden, classes } = p.shape;
  const emb = quantRows(p.emb, buckets, dim);
  const w1 = hidden > 0 ? quantCols(p.w1, dim, hidden) : { q: new Int8Array(0), scale: new Float32Array(0) };
  const w2 = quantCols(p.w2, hidden > 0 ? hidden : dim, classes);
  return {
    shape: p.shape,
    embQ: emb.q,
    embScale: emb.scale,
    w1Q: w1.q,
    w1Scale: w1.scale,
    b1: p.b1.slice(),
    w2Q: w2.q,
    w2Scale: w2.scale,
    b2: p.b2.slice(),
  };
}

/** The float parameters the exported graph actually computes with. */
export function dequantise(q: Quantised): Params {
  const { buckets, dim, hidden, classes } = q.shape;
  const emb = new Float32Array(buckets * dim);
  for (let r = 0; r < buckets; r++)
    for (let d = 0; d < dim; d++) emb[r * dim + d] = q.embQ[r * dim + d]! * q.embScale[r]!;
  const w1 = new Float32Array(q.w1Q.length);
  for (let i = 0; i < w1.length; i++) w1[i] = q.w1Q[i]! * q.w1Scale[i % hidden]!;
  const w2 = new Float32Array(q.w2Q.length);
  for (let i = 0; i < w2.length; i++) w2[i] = q.w2Q[i]! * q.w2Scale[i % classes]!;
  return { shape: q.shape, emb, w1, b1: q.b1.slice(), w2, b2: q.b2.slice() };
}
