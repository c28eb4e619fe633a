import { DataType, type OnnxModel, type OnnxTensor, readOnnx } from './onnx-reader';

/**
 * A plain-TypeScript evaluator of the one graph Sotto's trainer exports (models/train/export-onnx.ts:
 * int8 EmbeddingBag → optional ReLU layer → softmax), read from the same verified ONNX bytes.
 *
 * Why: onnxruntime-web needs 0.5–1.5 s on a cold two-core machine before its first session answers
 * (fetching and compiling its 14 MB WASM, running its static initialisers, creating the session),
 * while this graph is a few hundred multiply-adds per utterance. The analysis worker answers with
 * this evaluator from the moment a model's bytes are verified and hands over to onnxruntime-web as
 * soon as its session is open (lib/models/runtime.ts, `openModel`). The answers are the same up to
 * float32 rounding (test/unit/models/reference.test.ts compares both on the dev split).
 *
 * It recognises the exported graph node by node (ops, wiring, attributes, initialiser types and
 * shapes) and returns undefined for anything else, e.g. a customer's own export: such a model
 * waits for onnxruntime-web as before.
 */

export interface ReferenceModel {
  readonly classes: number;
  /** ids/weights are [batch, width] row-major; returns probs [batch, classes]. */
  run(ids: Int32Array, weights: Float32Array, batch: number, width: number): Float32Array;
}

/** One node of the expected graph. `$x` names bind on first use; IDS/WEIGHTS/PROBS are the entry's I/O names. */
type Step = [op: string, inputs: string[], outputs: string[], ints: Record<string, number>];

const EMBEDDING_BAG: Step[] = [
  ['Gather', ['$emb_q', 'IDS'], ['$rows_q'], { axis: 0 }],
  ['Cast', ['$rows_q'], ['$rows_f'], { to: DataType.FLOAT }],
  ['Gather', ['$emb_scale', 'IDS'], ['$row_scale'], { axis: 0 }],
  ['Mul', ['$row_scale', 'WEIGHTS'], ['$row_coef'], {}],
  ['Unsqueeze', ['$row_coef', '$axis_last'], ['$row_coef3'], {}],
  ['Mul', ['$rows_f', '$row_coef3'], ['$rows_weighted'], {}],
  ['ReduceSum', ['$rows_weighted', '$axis_width'], ['$pooled'], { keepdims: 0 }],
];
const HIDDEN: Step[] = [
  ['DequantizeLinear', ['$w1_q', '$w1_scale', '$w1_zp'], ['$w1'], { axis: 1 }],
  ['MatMul', ['$pooled', '$w1'], ['$h_mm'], {}],
  ['Add', ['$h_mm', '$b1'], ['$h_pre'], {}],
  ['Relu', ['$h_pre'], ['$top'], {}],
];
const HEAD = (top: string): Step[] => [
  ['DequantizeLinear', ['$w2_q', '$w2_scale', '$w2_zp'], ['$w2'], { axis: 1 }],
  ['MatMul', [top, '$w2'], ['$logits_mm'], {}],
  ['Add', ['$logits_mm', '$b2'], ['$logits'], {}],
  ['Softmax', ['$logits'], ['PROBS'], { axis: -1 }],
];

function match(model: OnnxModel, steps: Step[], io: Record<string, string>): Map<string, string> | undefined {
  if (model.nodes.length !== steps.length) return undefined;
  const bound = new Map<string, string>();
  const bind = (pattern: string, actual: string): boolean => {
    if (!pattern.startsWith('$')) return io[pattern] === actual;
    const prev = bound.get(pattern);
    if (prev !== undefined) return prev === actual;
    // Two pattern names must not bind the same tensor.
    for (const v of bound.values()) if (v === actual) return false;
    bound.set(pattern, actual);
    return true;
  };
  for (let i = 0; i < steps.length; i++) {
    const [op, ins, outs, ints] = steps[i]!;
    const n = model.nodes[i]!;
    if (n.opType !== op || (n.domain !== '' && n.domain !== 'ai.onnx')) return undefined;
    if (n.inputs.length !== ins.length || n.outputs.length !== outs.length || n.other.length)
      return undefined;
    if (!ins.every((p, k) => bind(p, n.inputs[k]!)) || !outs.every((p, k) => bind(p, n.outputs[k]!)))
      return undefined;
    const names = Object.keys(n.ints);
    // Defaults that mean the same thing: Softmax axis 1 on [batch, classes] is the last axis.
    for (const name of names) if (!(name in ints)) return undefined;
    for (const [name, want] of Object.entries(ints)) {
      const got = n.ints[name];
      const ok =
        got === want ||
        (op === 'Softmax' && name === 'axis' && (got === 1 || got === undefined)) ||
        (op === 'Gather' && name === 'axis' && got === undefined) ||
        (op === 'DequantizeLinear' && name === 'axis' && got === undefined);
      if (!ok) return undefined;
    }
  }
  return bound;
}

function f32(t: OnnxTensor): Float32Array {
  // Copied when raw_data is not 4-byte aligned inside the file (a Float32Array view needs that).
  const r = t.raw;
  return r.byteOffset % 4 === 0
    ? new Float32Array(r.buffer, r.byteOffset, r.byteLength / 4)
    : new Float32Array(r.slice().buffer);
}
function i8(t: OnnxTensor): Int8Array {
  // A view, not a copy: the embedding table is most of the file.
  return new Int8Array(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
}
function i64(t: OnnxTensor): number[] {
  const v = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 8 <= t.raw.byteLength; i += 8) out.push(Number(v.getBigInt64(i, true)));
  return out;
}

/**
 * The evaluator for `bytes` when they hold the exported EmbeddingBag graph with input and output
 * names `io`, or undefined when they hold anything else (ORT then runs it alone).
 */
export function referenceFor(
  bytes: Uint8Array,
  io: { ids: string; weights: string; probs: string },
  buckets: number,
): ReferenceModel | undefined {
  let model: OnnxModel;
  try {
    model = readOnnx(bytes);
  } catch {
    return undefined;
  }
  const names = { IDS: io.ids, WEIGHTS: io.weights, PROBS: io.probs };
  const hidden = model.nodes.length === EMBEDDING_BAG.length + HIDDEN.length + 4;
  const steps = hidden
    ? [...EMBEDDING_BAG, ...HIDDEN, ...HEAD('$top')]
    : [...EMBEDDING_BAG, ...HEAD('$pooled')];
  const bound = match(model, steps, names);
  if (!bound) return undefined;
  if (model.inputs.length !== 2 || !model.inputs.includes(io.ids) || !model.inputs.includes(io.weights))
    return undefined;
  const init = (k: string, type: number, rank: number): OnnxTensor | undefined => {
    const t = model.initializers.get(bound.get(k)!);
    return t && t.dataType === type && t.dims.length === rank ? t : undefined;
  };
  const embQ = init('$emb_q', DataType.INT8, 2);
  const embScale = init('$emb_scale', DataType.FLOAT, 1);
  const axisLast = init('$axis_last', DataType.INT64, 1);
  const axisWidth = init('$axis_width', DataType.INT64, 1);
  const w2q = init('$w2_q', DataType.INT8, 2);
  const w2s = init('$w2_scale', DataType.FLOAT, 1);
  const w2z = init('$w2_zp', DataType.INT8, 1);
  const b2t = init('$b2', DataType.FLOAT, 1);
  if (!embQ || !embScale || !axisLast || !axisWidth || !w2q || !w2s || !w2z || !b2t) return undefined;
  const [rows = 0, dim = 0] = embQ.dims;
  if (rows !== buckets || embScale.dims[0] !== rows) return undefined;
  const lastAxis = i64(axisLast)[0];
  if ((lastAxis !== 2 && lastAxis !== -1) || i64(axisWidth)[0] !== 1) return undefined;

  let w1: Float32Array | undefined;
  let b1: Float32Array | undefined;
  let hid = 0;
  if (hidden) {
    const w1q = init('$w1_q', DataType.INT8, 2);
    const w1s = init('$w1_scale', DataType.FLOAT, 1);
    const w1z = init('$w1_zp', DataType.INT8, 1);
    const b1t = init('$b1', DataType.FLOAT, 1);
    if (!w1q || !w1s || !w1z || !b1t) return undefined;
    hid = w1q.dims[1] ?? 0;
    if (w1q.dims[0] !== dim || w1s.dims[0] !== hid || w1z.dims[0] !== hid || b1t.dims[0] !== hid)
      return undefined;
    w1 = dequantise(i8(w1q), f32(w1s), i8(w1z), dim, hid);
    b1 = f32(b1t);
  }
  const inDim = hidden ? hid : dim;
  const classes = w2q.dims[1] ?? 0;
  if (w2q.dims[0] !== inDim || w2s.dims[0] !== classes || w2z.dims[0] !== classes || b2t.dims[0] !== classes)
    return undefined;
  const w2 = dequantise(i8(w2q), f32(w2s), i8(w2z), inDim, classes);
  const b2 = f32(b2t);
  const table = i8(embQ);
  const scales = f32(embScale);
  if (table.length !== rows * dim || scales.length !== rows) return undefined;

  // Scratch rows, reused: float32 like ORT's tensors, so each op's result rounds as there.
  const pooled = new Float32Array(dim);
  const h = new Float32Array(Math.max(hid, 1));
  const logits = new Float32Array(classes);
  const coef = new Float32Array(1);
  return {
    classes,
    run(ids, weights, batch, width) {
      const out = new Float32Array(batch * classes);
      for (let b = 0; b < batch; b++) {
        pooled.fill(0);
        for (let w = 0; w < width; w++) {
          const id = ids[b * width + w]!;
          if (id < 0 || id >= rows) throw new Error(`feature id ${id} outside the table`);
          coef[0] = scales[id]! * weights[b * width + w]!;
          const c = coef[0]!;
          if (c === 0) continue;
          const base = id * dim;
          for (let d = 0; d < dim; d++) pooled[d] = pooled[d]! + Math.fround(table[base + d]! * c);
        }
        let top: Float32Array = pooled;
        if (w1 && b1) {
          for (let j = 0; j < hid; j++) {
            let s = 0;
            for (let d = 0; d < dim; d++) s += pooled[d]! * w1[d * hid + j]!;
            h[j] = Math.max(0, Math.fround(s) + b1[j]!);
          }
          top = h;
        }
        let max = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < classes; c++) {
          let s = 0;
          for (let d = 0; d < inDim; d++) s += top[d]! * w2[d * classes + c]!;
          logits[c] = Math.fround(s) + b2[c]!;
          if (logits[c]! > max) max = logits[c]!;
        }
        let sum = 0;
        for (let c = 0; c < classes; c++) {
          logits[c] = Math.exp(logits[c]! - max);
          sum += logits[c]!;
        }
        for (let c = 0; c < classes; c++) out[b * classes + c] = logits[c]! / sum;
      }
      return out;
    },
  };
}

/** DequantizeLinear with a per-column (axis 1) scale and zero point: (q − zp) · scale. */
function dequantise(
  q: Int8Array,
  scale: Float32Array,
  zp: Int8Array,
  rows: number,
  cols: number,
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[r * cols + c] = (q[r * cols + c]! - zp[c]!) * scale[c]!;
  return out;
}
