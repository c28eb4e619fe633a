/** Generated test signals: deterministic, no files. */

export function sine(hz: number, seconds: number, rate: number, amp = 0.5): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

/** A seeded LCG so noise is the same on every run. */
export function noise(seconds: number, rate: number, amp = 0.1, seed = 1): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = amp * ((s / 0x1_0000_0000) * 2 - 1);
  }
  return out;
}

/** A buzzy voiced sound (150 Hz with harmonics), as vowels have. */
export function voiced(hz: number, seconds: number, rate: number, amp = 0.3): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin((2 * Math.PI * hz * h * i) / rate) / h;
    out[i] = (amp * v) / 2;
  }
  return out;
}

/**
 * Syllable-like bursts: a voiced carrier under a raised-cosine envelope, `sps` bursts per second
 * with a short gap each, so each burst is one energy peak.
 */
export function syllableTrain(sps: number, seconds: number, rate: number, amp = 0.3): Float32Array {
  const carrier = voiced(140, seconds, rate, amp);
  const period = rate / sps;
  for (let i = 0; i < carrier.length; i++) {
    const ph = (i % period) / period;
    const env = ph < 0.8 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * ph) / 0.8) : 0;
    carrier[i]! *= 0.05 + 0.95 * env;
  }
  return carrier;
}

export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function silence(seconds: number, rate: number): Float32Array {
  return new Float32Array(Math.round(seconds * rate));
}

/** Feeds `x` in chunks of `size`, as an AudioWorklet would, and joins the outputs. */
export function inChunks(x: Float32Array, size: number, f: (c: Float32Array) => Float32Array): Float32Array {
  const outs: Float32Array[] = [];
  for (let i = 0; i < x.length; i += size) outs.push(f(x.subarray(i, Math.min(x.length, i + size))));
  return concat(...outs);
}
