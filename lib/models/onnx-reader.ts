/**
 * Reads the parts of an ONNX ModelProto the reference path (reference.ts) needs: opset, nodes and
 * initialisers. A plain protobuf wire-format walk, so the analysis worker does not bundle a
 * protobuf library for it. Field numbers are onnx.proto's; unknown fields are skipped.
 */

export interface OnnxTensor {
  name: string;
  dataType: number;
  dims: number[];
  /** raw_data, or the float_data/int64_data values re-packed little-endian. */
  raw: Uint8Array;
}

export interface OnnxNode {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes only (the graphs this reads have no others). */
  ints: Record<string, number>;
  /** Names of attributes that are not integers. */
  other: string[];
}

export interface OnnxModel {
  /** Version of the default ('' or 'ai.onnx') domain. */
  opset: number;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: string[];
  outputs: string[];
}

export const DataType = { FLOAT: 1, INT8: 3, INT32: 6, INT64: 7 } as const;

const decoder = new TextDecoder();

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  varint(): number {
    // Values here (lengths, dims, enums, small ints) fit a double; two's-complement negatives do not
    // occur in the fields read as numbers, except int attributes, handled by signed().
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
      if (mul > 2 ** 70) throw new Error('varint too long');
    }
  }
  /** An int64 varint as a signed number (negatives are 10-byte two's complement: BigInt keeps them exact). */
  signed(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return Number(BigInt.asIntN(64, result));
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  }
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.end) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  sub(): Reader {
    const n = this.varint();
    if (this.pos + n > this.end) throw new Error('truncated message');
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      // Not `this.pos += this.varint()`: that reads pos before varint() moves it past the length.
      const n = this.varint();
      this.pos += n;
    } else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new Error('truncated field');
  }
  /** Each field as [number, wire type]; the caller reads or skips the value. */
  *fields(): Generator<[number, number]> {
    while (!this.done) {
      const key = this.varint();
      yield [Math.floor(key / 8), key & 7];
    }
  }
}

function str(r: Reader): string {
  return decoder.decode(r.bytes());
}

/** Repeated int64 fields arrive packed (wire 2) or one by one (wire 0). */
function repeatedInts(r: Reader, wire: number, into: number[]): void {
  if (wire === 2) {
    const s = r.sub();
    while (!s.done) into.push(s.signed());
  } else into.push(r.signed());
}

function readTensor(r: Reader): OnnxTensor {
  const t: OnnxTensor = { name: '', dataType: 0, dims: [], raw: new Uint8Array(0) };
  const floats: number[] = [];
  const int64s: number[] = [];
  for (const [f, w] of r.fields()) {
    if (f === 1) repeatedInts(r, w, t.dims);
    else if (f === 2) t.dataType = r.varint();
    else if (f === 4 && w === 2) {
      const b = r.bytes();
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i + 4 <= b.byteLength; i += 4) floats.push(view.getFloat32(i, true));
    } else if (f === 7) repeatedInts(r, w, int64s);
    else if (f === 8) t.name = str(r);
    else if (f === 9) t.raw = r.bytes();
    else r.skip(w);
  }
  if (t.raw.byteLength === 0 && floats.length) t.raw = new Uint8Array(Float32Array.from(floats).buffer);
  if (t.raw.byteLength === 0 && int64s.length)
    t.raw = new Uint8Array(BigInt64Array.from(int64s, (v) => BigInt(v)).buffer);
  return t;
}

function readNode(r: Reader): OnnxNode {
  const n: OnnxNode = { opType: '', domain: '', inputs: [], outputs: [], ints: {}, other: [] };
  for (const [f, w] of r.fields()) {
    if (f === 1) n.inputs.push(str(r));
    else if (f === 2) n.outputs.push(str(r));
    else if (f === 4) n.opType = str(r);
    else if (f === 7) n.domain = str(r);
    else if (f === 5) {
      const a = r.sub();
      let name = '';
      let int: number | undefined;
      let type = 0;
      for (const [af, aw] of a.fields()) {
        if (af === 1) name = str(a);
        else if (af === 3) int = a.signed();
        else if (af === 20) type = a.varint();
        else a.skip(aw);
      }
      // AttributeType.INT = 2; an attribute without a type but with an int value is also an int.
      if (int !== undefined && (type === 2 || type === 0)) n.ints[name] = int;
      else n.other.push(name);
    } else r.skip(w);
  }
  return n;
}

function valueInfoName(r: Reader): string {
  let name = '';
  for (const [f, w] of r.fields()) {
    if (f === 1) name = str(r);
    else r.skip(w);
  }
  return name;
}

/** Parses a serialised ModelProto. Throws on malformed bytes. */
export function readOnnx(bytes: Uint8Array): OnnxModel {
  const m: OnnxModel = { opset: 0, nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  const r = new Reader(bytes);
  let sawGraph = false;
  for (const [f, w] of r.fields()) {
    if (f === 8 && w === 2) {
      const o = r.sub();
      let domain = '';
      let version = 0;
      for (const [of, ow] of o.fields()) {
        if (of === 1) domain = str(o);
        else if (of === 2) version = o.varint();
        else o.skip(ow);
      }
      if (domain === '' || domain === 'ai.onnx') m.opset = version;
    } else if (f === 7 && w === 2) {
      sawGraph = true;
      const g = r.sub();
      for (const [gf, gw] of g.fields()) {
        if (gf === 1) m.nodes.push(readNode(g.sub()));
        else if (gf === 5) {
          const t = readTensor(g.sub());
          m.initializers.set(t.name, t);
        } else if (gf === 11) m.inputs.push(valueInfoName(g.sub()));
        else if (gf === 12) m.outputs.push(valueInfoName(g.sub()));
        else g.skip(gw);
      }
    } else r.skip(w);
  }
  if (!sawGraph) throw new Error('no graph');
  return m;
}
