// AssemblyScript source of the WASM scanner (build: `npx tsx scripts/rules-build-wasm.ts`).
// Same algorithm and memory layout as `scan` in automaton.ts: interleaved cells
// [base, check, first output] (stride 3, i32), then fail links, outputs and dictionary links.
// The text arrives as alphabet class ids (u16), already mapped by the caller.

let work: i32 = 0;
let resumeAt: i32 = 0;
let resumeState: i32 = 0;

export function lastWork(): i32 {
  return work;
}
export function lastResumeAt(): i32 {
  return resumeAt;
}
export function lastResumeState(): i32 {
  return resumeState;
}

@inline
function emit(out: usize, dict: usize, matches: usize, count: i32, o: i32, end: i32): i32 {
  while (o >= 0) {
    store<i32>(matches + (<usize>count << 3), load<i32>(out + (<usize>o << 2)));
    store<i32>(matches + (<usize>count << 3) + 4, end);
    count++;
    o = load<i32>(dict + (<usize>o << 2));
  }
  return count;
}

/**
 * Scans text[from, n) starting in `state`. When `pending` is set, the outputs of `state` at
 * position `from` are still owed. Stops early when fewer than `maxChain` pairs of room remain;
 * lastResumeAt() < n then says where to continue (with pending set).
 */
export function scan(
  cells: usize,
  fail: usize,
  out: usize,
  dict: usize,
  text: usize,
  n: i32,
  from: i32,
  state: i32,
  pending: i32,
  matches: usize,
  cap: i32,
  maxChain: i32,
): i32 {
  let s = state;
  let count = 0;
  let w = 0;
  let i = from;
  if (pending) {
    count = emit(out, dict, matches, count, load<i32>(cells + ((<usize>s * 3 + 2) << 2)), i + 1);
    i++;
  }
  for (; i < n; i++) {
    const c = <i32>load<u16>(text + (<usize>i << 1));
    if (c == 0) {
      s = 0;
      continue;
    }
    while (true) {
      w++;
      const t = load<i32>(cells + ((<usize>s * 3) << 2)) + c;
      if (load<i32>(cells + ((<usize>t * 3 + 1) << 2)) == s) {
        s = t;
        break;
      }
      if (s == 0) break;
      s = load<i32>(fail + (<usize>s << 2));
    }
    const o = load<i32>(cells + ((<usize>s * 3 + 2) << 2));
    if (o >= 0) {
      if (count + maxChain > cap) {
        resumeAt = i;
        resumeState = s;
        work = w;
        return count;
      }
      count = emit(out, dict, matches, count, o, i + 1);
    }
  }
  resumeAt = n;
  resumeState = s;
  work = w;
  return count;
}
