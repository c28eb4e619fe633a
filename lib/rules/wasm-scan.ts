/**
 * The automaton scan in WebAssembly (TOOLCHAIN.md: the same flat automaton runs several times
 * faster than JavaScript in linear memory). Each automaton gets its own small instance holding
 * its tables; the text is mapped to alphabet classes while it is copied in. Falls back to the
 * JavaScript scan where WebAssembly is unavailable (e.g. a page CSP without wasm-unsafe-eval).
 */
import { type Automaton, type MatchBuffer, scan } from './automaton';
import { SCAN_WASM_BASE64 } from './scan-wasm';

interface ScanExports {
  memory: WebAssembly.Memory;
  scan(
    cells: number,
    fail: number,
    out: number,
    dict: number,
    text: number,
    n: number,
    from: number,
    state: number,
    pending: number,
    matches: number,
    cap: number,
    maxChain: number,
  ): number;
  lastWork(): number;
  lastResumeAt(): number;
  lastResumeState(): number;
}

interface Instance {
  x: ScanExports;
  cells: number;
  fail: number;
  out: number;
  dict: number;
  /** First free byte after the tables: text, then the match buffer. */
  free: number;
}

const TABLES_AT = 65536; // above the module's own static data
const MATCH_PAIRS = 16384;
const PAGE = 65536;

let module: WebAssembly.Module | null | undefined;
const instances = new WeakMap<Automaton, Instance | null>();

function decodeBase64(b64: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = b64.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of clean) {
    acc = (acc << 6) | alphabet.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

function loadModule(): WebAssembly.Module | null {
  if (module !== undefined) return module;
  try {
    // Synchronous compile is allowed everywhere for a module this small (well under 4 KB).
    module = new WebAssembly.Module(decodeBase64(SCAN_WASM_BASE64) as Uint8Array<ArrayBuffer>);
  } catch {
    module = null;
  }
  return module;
}

function ensure(x: ScanExports, bytes: number): void {
  const have = x.memory.buffer.byteLength;
  if (bytes > have) x.memory.grow(Math.ceil((bytes - have) / PAGE));
}

function instanceFor(a: Automaton): Instance | null {
  const known = instances.get(a);
  if (known !== undefined) return known;
  const mod = loadModule();
  let inst: Instance | null = null;
  if (mod) {
    const x = new WebAssembly.Instance(mod, {}).exports as unknown as ScanExports;
    const cells = TABLES_AT;
    const fail = cells + a.cells.byteLength;
    const out = fail + a.fail.byteLength;
    const dict = out + a.out.byteLength;
    const free = dict + a.dictLink.byteLength;
    ensure(x, free);
    const mem = x.memory.buffer;
    new Int32Array(mem, cells, a.cells.length).set(a.cells);
    new Int32Array(mem, fail, a.fail.length).set(a.fail);
    new Int32Array(mem, out, a.out.length).set(a.out);
    new Int32Array(mem, dict, a.dictLink.length).set(a.dictLink);
    inst = { x, cells, fail, out, dict, free };
  }
  instances.set(a, inst);
  return inst;
}

/** Whether scans of this automaton run in WebAssembly. */
export function wasmAvailable(a: Automaton): boolean {
  return instanceFor(a) !== null;
}

/** Same contract as `scan`: every occurrence as (pattern id, end exclusive), in text order. */
export function scanFast(a: Automaton, text: string, into: MatchBuffer): void {
  const inst = instanceFor(a);
  if (!inst || text.length < 32) {
    scan(a, text, into);
    return;
  }
  const { x } = inst;
  const n = text.length;
  const textAt = inst.free;
  const matchesAt = textAt + ((n * 2 + 7) & ~7);
  const cap = Math.max(MATCH_PAIRS, a.maxChain * 2);
  ensure(x, matchesAt + cap * 8);
  const mem = x.memory.buffer;
  const classes = new Uint16Array(mem, textAt, n);
  const classOf = a.classOf;
  for (let i = 0; i < n; i++) classes[i] = classOf[text.charCodeAt(i)]!;
  const pairs = new Int32Array(mem, matchesAt, cap * 2);
  let from = 0;
  let state = 0;
  let pending = 0;
  for (;;) {
    const count = x.scan(
      inst.cells,
      inst.fail,
      inst.out,
      inst.dict,
      textAt,
      n,
      from,
      state,
      pending,
      matchesAt,
      cap,
      a.maxChain,
    );
    for (let k = 0; k < count; k++) into.push(pairs[2 * k]!, pairs[2 * k + 1]!);
    into.work += x.lastWork();
    from = x.lastResumeAt();
    if (from >= n) return;
    state = x.lastResumeState();
    pending = 1;
  }
}
