import onnxProto from 'onnx-proto';
import type { Quantised } from './quantise';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** Opset 18: Unsqueeze/ReduceSum take axes as inputs, DequantizeLinear has per-axis scales. */
export const OPSET = 18;
export const INPUT_IDS = 'ids';
export const INPUT_WEIGHTS = 'weights';
export const OUTPUT_PROBS = 'probs';

function bytesOf(a: Float32Array | Int8Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function tensor(
  name: string,
  dataType: number,
  dims: number[],
  data: Float32Array | Int8Array | BigInt64Array,
) {
  return onnx.TensorProto.create({ name, dataType, dims, rawData: bytesOf(data) });
}

function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, number> = {}) {
  return onnx.NodeProto.create({
    opType,
    input: inputs,
    output: outputs,
    name: outputs[0],
    attribute: Object.entries(attrs).map(([name, i]) =>
      onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i }),
    ),
  });
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) =>
            typeof d === 'number'
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
          ),
        }),
      }),
    }),
  });
}

/**
 * Writes the EmbeddingBag graph (see model.ts) as ONNX:
 *   Gather(int8 table, ids) → Cast → × Gather(row scales, ids)·weights → ReduceSum(axis 1)
 *   → [DequantizeLinear(W1) MatMul, Add, Relu] → DequantizeLinear(W2) MatMul, Add → Softmax.
 * The embedding table is dequantised after the Gather, row by row, so a call touches only the
 * ~100 rows an utterance uses rather than dequantising the whole table on every run.
 * Inputs: ids int32 [batch, width], weights float32 [batch, width]. Output: probs [batch, classes].
 */
export function exportOnnx(q: Quantised, metadata: Record<string, string>): Uint8Array {
  const { buckets, dim, hidden, classes } = q.shape;
  const inits = [
    tensor('emb_q', T.INT8, [buckets, dim], q.embQ),
    tensor('emb_scale', T.FLOAT, [buckets], q.embScale),
    tensor('axis_last', T.INT64, [1], BigInt64Array.of(2n)),
    tensor('axis_width', T.INT64, [1], BigInt64Array.of(1n)),
    tensor('b2', T.FLOAT, [classes], q.b2),
    tensor('w2_q', T.INT8, [hidden > 0 ? hidden : dim, classes], q.w2Q),
    tensor('w2_scale', T.FLOAT, [classes], q.w2Scale),
    tensor('w2_zp', T.INT8, [classes], new Int8Array(classes)),
  ];
  const nodes = [
    node('Gather', ['emb_q', INPUT_IDS], ['rows_q'], { axis: 0 }),
    node('Cast', ['rows_q'], ['rows_f'], { to: T.FLOAT }),
    node('Gather', ['emb_scale', INPUT_IDS], ['row_scale'], { axis: 0 }),
    node('Mul', ['row_scale', INPUT_WEIGHTS], ['row_coef']),
    node('Unsqueeze', ['row_coef', 'axis_last'], ['row_coef3']),
    node('Mul', ['rows_f', 'row_coef3'], ['rows_weighted']),
    node('ReduceSum', ['rows_weighted', 'axis_width'], ['pooled'], { keepdims: 0 }),
  ];
  let top = 'pooled';
  if (hidden > 0) {
    inits.push(
      tensor('w1_q', T.INT8, [dim, hidden], q.w1Q),
      tensor('w1_scale', T.FLOAT, [hidden], q.w1Scale),
      tensor('w1_zp', T.INT8, [hidden], new Int8Array(hidden)),
      tensor('b1', T.FLOAT, [hidden], q.b1),
    );
    nodes.push(
      node('DequantizeLinear', ['w1_q', 'w1_scale', 'w1_zp'], ['w1'], { axis: 1 }),
      node('MatMul', ['pooled', 'w1'], ['h_mm']),
      node('Add', ['h_mm', 'b1'], ['h_pre']),
      node('Relu', ['h_pre'], ['h']),
    );
    top = 'h';
  }
  nodes.push(
    node('DequantizeLinear', ['w2_q', 'w2_scale', 'w2_zp'], ['w2'], { axis: 1 }),
    node('MatMul', [top, 'w2'], ['logits_mm']),
    node('Add', ['logits_mm', 'b2'], ['logits']),
    node('Softmax', ['logits'], [OUTPUT_PROBS], { axis: -1 }),
  );
  const graph = onnx.GraphProto.create({
    name: metadata.name ?? 'sotto',
    node: nodes,
    initializer: inits,
    input: [
      valueInfo(INPUT_IDS, T.INT32, ['batch', 'width']),
      valueInfo(INPUT_WEIGHTS, T.FLOAT, ['batch', 'width']),
    ],
    output: [valueInfo(OUTPUT_PROBS, T.FLOAT, ['batch', classes])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'sotto-train',
    producerVersion: '1',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) =>
      onnx.StringStringEntryProto.create({ key, value }),
    ),
  });
  // protobufjs hands back a Node Buffer, whose slice() aliases instead of copying: return a plain array.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}

/** The layer sizes of an exported file, read from its initialisers. */
export function shapeOf(bytes: Uint8Array): Quantised['shape'] {
  const model = onnx.ModelProto.decode(bytes);
  const dims = (name: string) =>
    model.graph?.initializer?.find((t) => t.name === name)?.dims?.map((d) => Number(d)) ?? [];
  const [buckets = 0, dim = 0] = dims('emb_q');
  const hidden = dims('w1_q')[1] ?? 0;
  const classes = dims('w2_q')[1] ?? 0;
  return { buckets, dim, hidden, classes };
}

/** Reads the quantised weights back out of an exported file (tests compare ORT with the TS forward pass). */
export function readQuantised(bytes: Uint8Array, shape: Quantised['shape']): Quantised {
  const model = onnx.ModelProto.decode(bytes);
  const byName = new Map(model.graph!.initializer!.map((t) => [t.name!, t]));
  const raw = (name: string) => {
    const t = byName.get(name);
    if (!t?.rawData) return new Uint8Array(0);
    return Uint8Array.from(t.rawData);
  };
  const f32 = (name: string) => new Float32Array(raw(name).buffer);
  const i8 = (name: string) => new Int8Array(raw(name).buffer);
  return {
    shape,
    embQ: i8('emb_q'),
    embScale: f32('emb_scale'),
    w1Q: i8('w1_q'),
    w1Scale: f32('w1_scale'),
    b1: f32('b1'),
    w2Q: i8('w2_q'),
    w2Scale: f32('w2_scale'),
    b2: f32('b2'),
  };
}
