/**
 * Aho–Corasick over UTF-16 code units, laid out flat in typed arrays (issue 4). Measured on
 * this kind of machine, a Map-per-state automaton tops out near 18 MB/s and modern-ahocorasick is
 * superlinear (TOOLCHAIN.md), so: the alphabet is remapped to the characters that occur in
 * patterns (anything else sends the scan straight back to the root), the root has a dense
 * transition row, every other state a sorted edge list, and outputs chain through dictionary
 * suffix links so each match is reported exactly once.
 */

export interface Automaton {
  readonly patternCount: number;
  readonly stateCount: number;
  /** Code unit → alphabet class, 0 for units in no pattern. */
  readonly classOf: Uint16Array;
  /** Double array: the child of slot s on class c is t = base[s] + c when check[t] === s. */
  readonly base: Int32Array;
  readonly check: Int32Array;
  /**
   * The hot fields interleaved, stride 3: [base, check, first output slot or -1]. One cache line
   * then serves the check of a transition, the output test and the next transition's base.
   */
  readonly cells: Int32Array;
  readonly fail: Int32Array;
  /** Pattern ending exactly at this slot, or -1. */
  readonly out: Int32Array;
  /** Nearest slot on the fail chain with an output, or -1. */
  readonly dictLink: Int32Array;
  /** Length of each pattern, to turn an end position into a start. */
  readonly patternLength: Int32Array;
  /** Most patterns that can end at one position (longest output chain). */
  readonly maxChain: number;
}

/** Trie built from patterns sorted by class sequence, so every state's children come out sorted. */
function buildTrie(seqs: Uint16Array[]) {
  // Native string comparison on class sequences is much faster than a comparator over arrays.
  const keys = seqs.map((q) => String.fromCharCode.apply(null, q as unknown as number[]));
  const order = seqs.map((_, i) => i);
  order.sort((x, y) => (keys[x]! < keys[y]! ? -1 : keys[x]! > keys[y]! ? 1 : x - y));
  const parent = [-1];
  const inClass = [0];
  const depth = [0];
  const out = [-1];
  const path = [0];
  let prev: Uint16Array = new Uint16Array(0);
  for (const id of order) {
    const seq = seqs[id]!;
    if (seq.length === 0) continue;
    let lcp = 0;
    while (lcp < seq.length && lcp < prev.length && seq[lcp] === prev[lcp]) lcp++;
    for (let d = lcp; d < seq.length; d++) {
      path[d + 1] = parent.length;
      parent.push(path[d]!);
      inClass.push(seq[d]!);
      depth.push(d + 1);
      out.push(-1);
    }
    const end = path[seq.length]!;
    if (out[end] === -1) out[end] = id;
    prev = seq;
  }
  return { parent, inClass, depth, out, n: parent.length };
}

/** Builds the automaton; pattern i keeps id i (a duplicate reports its first id only). */
export function buildAutomaton(patterns: readonly string[]): Automaton {
  const classOf = new Uint16Array(0x10000);
  let classes = 1;
  const seqs = patterns.map((p) => {
    const seq = new Uint16Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const u = p.charCodeAt(i);
      if (classOf[u] === 0) classOf[u] = classes++;
      seq[i] = classOf[u]!;
    }
    return seq;
  });
  if (classes > 0xffff) throw new Error('alphabet too large');
  const trie = buildTrie(seqs);
  const n = trie.n;

  // Children lists in creation order (already sorted by class), breadth-first state order.
  const childStart = new Int32Array(n + 1);
  for (let v = 1; v < n; v++) childStart[trie.parent[v]! + 1]!++;
  for (let u = 0; u < n; u++) childStart[u + 1]! += childStart[u]!;
  const children = new Int32Array(Math.max(0, n - 1));
  const fillAt = childStart.slice(0, n);
  for (let v = 1; v < n; v++) children[fillAt[trie.parent[v]!]!++] = v;
  // Breadth-first order by counting sort on depth.
  let maxDepth = 0;
  for (let v = 0; v < n; v++) maxDepth = Math.max(maxDepth, trie.depth[v]!);
  const depthStart = new Int32Array(maxDepth + 2);
  for (let v = 0; v < n; v++) depthStart[trie.depth[v]! + 1]!++;
  for (let d = 0; d <= maxDepth; d++) depthStart[d + 1]! += depthStart[d]!;
  const bfs = new Int32Array(n);
  for (let v = 0; v < n; v++) bfs[depthStart[trie.depth[v]!]!++] = v;

  // Double-array placement, first fit, widest states first while the array is still empty
  // (placing breadth first made compile time quadratic in practice). The root's slot is 0.
  let cap = n * 2 + classes + 16;
  let used = new Uint8Array(cap);
  // next[p]: a slot ≥ p that may be free; path-compressed so finding a free slot is near O(1).
  const identity = (size: number) => {
    const a = new Int32Array(size);
    for (let i = 0; i < size; i++) a[i] = i;
    return a;
  };
  let next = identity(cap + 1);
  const grow = (need: number) => {
    const size = Math.max(cap * 2, need + classes + 1);
    const u = new Uint8Array(size);
    u.set(used);
    const nx = identity(size + 1);
    nx.set(next.subarray(0, cap));
    used = u;
    next = nx;
    cap = size;
  };
  const freeFrom = (p: number): number => {
    let r = p;
    while (r < cap && used[r]) r = next[r] === r ? r + 1 : next[r]!;
    if (r >= cap) {
      grow(r);
      return freeFrom(r);
    }
    for (let q = p; q < r && q !== next[q]; ) {
      const nq = next[q]!;
      next[q] = r;
      q = nq;
    }
    if (p < r) next[p] = r;
    return r;
  };
  const occupy = (p: number) => {
    used[p] = 1;
    next[p] = p + 1;
  };
  occupy(0);
  const baseOf = new Int32Array(n);
  const degree = new Int32Array(n);
  for (let u = 0; u < n; u++) degree[u] = childStart[u + 1]! - childStart[u]!;
  const byDegree = Array.from(bfs)
    .filter((u) => degree[u]! > 0)
    .sort((a, b) => degree[b]! - degree[a]! || a - b);
  // A state that needed many probes leaves a marker: later states with two or more children
  // start from it instead of re-probing the packed prefix (compile time was quadratic without).
  let crowdedUntil = 0;
  for (const u of byDegree) {
    const from = childStart[u]!;
    const to = childStart[u + 1]!;
    const c0 = trie.inClass[children[from]!]!;
    const cLast = trie.inClass[children[to - 1]!]!;
    const single = to - from === 1;
    let pos = freeFrom(single ? c0 : crowdedUntil + c0);
    let probes = 0;
    for (;;) {
      const b = pos - c0;
      if (b + cLast >= cap) grow(b + cLast);
      let fits = true;
      for (let k = from + 1; k < to; k++)
        if (used[b + trie.inClass[children[k]!]!]) {
          fits = false;
          break;
        }
      if (fits) {
        baseOf[u] = b;
        for (let k = from; k < to; k++) occupy(b + trie.inClass[children[k]!]!);
        if (probes > 16) crowdedUntil = b;
        break;
      }
      probes++;
      pos = freeFrom(pos + 1);
    }
  }
  const slot = new Int32Array(n);
  for (const v of bfs) if (v !== 0) slot[v] = baseOf[trie.parent[v]!]! + trie.inClass[v]!;
  cap += classes + 1; // base + class never reads past the end
  const base = new Int32Array(cap);
  const check = new Int32Array(cap).fill(-1);
  for (let u = 0; u < n; u++) base[slot[u]!] = baseOf[u]!;
  for (let v = 1; v < n; v++) check[slot[v]!] = slot[trie.parent[v]!]!;
  const size = cap;
  const out = new Int32Array(size).fill(-1);
  for (let v = 0; v < n; v++) out[slot[v]!] = trie.out[v]!;

  // Fail and dictionary links, breadth first so a parent's links are final first.
  const fail = new Int32Array(size);
  const dictLink = new Int32Array(size).fill(-1);
  for (const v of bfs) {
    if (v === 0) continue;
    const u = trie.parent[v]!;
    const c = trie.inClass[v]!;
    let f = 0;
    if (u !== 0) {
      f = fail[slot[u]!]!;
      for (;;) {
        const t = base[f]! + c;
        if (check[t] === f) {
          f = t;
          break;
        }
        if (f === 0) break;
        f = fail[f]!;
      }
    }
    const sv = slot[v]!;
    fail[sv] = f;
    dictLink[sv] = out[f]! >= 0 ? f : dictLink[f]!;
  }
  // Output chain lengths, breadth first: a dictionary link always points to a shallower state.
  const chain = new Int32Array(size);
  let maxChain = 1;
  for (const v of bfs) {
    const sv = slot[v]!;
    chain[sv] = (out[sv]! >= 0 ? 1 : 0) + (dictLink[sv]! >= 0 ? chain[dictLink[sv]!]! : 0);
    maxChain = Math.max(maxChain, chain[sv]!);
  }
  const cells = new Int32Array(size * 3);
  for (let t = 0; t < size; t++) {
    cells[3 * t] = base[t]!;
    cells[3 * t + 1] = check[t]!;
    cells[3 * t + 2] = out[t]! >= 0 ? t : dictLink[t]!;
  }
  const patternLength = Int32Array.from(patterns, (p) => p.length);
  return {
    patternCount: patterns.length,
    stateCount: n,
    classOf,
    base,
    check,
    cells,
    fail,
    out,
    dictLink,
    patternLength,
    maxChain,
  };
}

/** Growable (pattern id, end offset) pairs, reused across scans to avoid garbage. */
export class MatchBuffer {
  data = new Int32Array(256);
  count = 0;
  /** Automaton steps taken (transitions plus fail hops): lets tests check linear work. */
  work = 0;
  reset(): void {
    this.count = 0;
    this.work = 0;
  }
  push(pattern: number, end: number): void {
    if (this.count * 2 + 2 > this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.count * 2] = pattern;
    this.data[this.count * 2 + 1] = end;
    this.count++;
  }
}

/** Reports every occurrence of every pattern in `text` as (pattern id, end exclusive). */
export function scan(a: Automaton, text: string, into: MatchBuffer): void {
  const { classOf, cells, fail, out, dictLink } = a;
  let s = 0;
  let work = 0;
  for (let i = 0; i < text.length; i++) {
    const c = classOf[text.charCodeAt(i)]!;
    if (c === 0) {
      s = 0;
      continue;
    }
    for (;;) {
      work++;
      const t = cells[3 * s]! + c;
      if (cells[3 * t + 1] === s) {
        s = t;
        break;
      }
      if (s === 0) break;
      s = fail[s]!;
    }
    let o = cells[3 * s + 2]!;
    while (o >= 0) {
      into.push(out[o]!, i + 1);
      o = dictLink[o]!;
    }
  }
  into.work += work;
}
