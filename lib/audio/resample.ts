/**
 * Streaming sample-rate conversion to the 16 kHz the voice-activity model expects. Sources are
 * whatever the AudioContext runs at (44.1 or 48 kHz on most machines), so the ratio is not always
 * an integer: a windowed-sinc low-pass is evaluated at fractional input positions, from a table.
 */

/** Zero crossings of the output-rate sinc on each side of the centre tap. */
const HALF_ZEROS = 12;
/** Fractional positions per input sample in the kernel table. */
const PHASES = 256;

export class Resampler {
  readonly ratio: number;
  private readonly half: number;
  private readonly table: Float32Array;
  private readonly taps: number;
  private buf: Float32Array;
  private len = 0;
  /** Position of the next output sample, in input samples from the start of `buf`. */
  private pos: number;

  constructor(
    readonly inRate: number,
    readonly outRate = 16_000,
  ) {
    if (!(inRate > 0 && outRate > 0)) throw new RangeError(`bad sample rates ${inRate} → ${outRate}`);
    this.ratio = inRate / outRate;
    // Cut off a little below the output Nyquist (when downsampling) so aliasing stays small.
    const cutoff = Math.min(1, 1 / this.ratio) * 0.92; // as a fraction of the input Nyquist
    this.half = Math.ceil(HALF_ZEROS * Math.max(1, this.ratio));
    // Taps cover input samples base-half … base+half+1, enough for any fraction in [0, 1].
    this.taps = 2 * this.half + 2;
    this.table = new Float32Array((PHASES + 1) * this.taps);
    for (let ph = 0; ph <= PHASES; ph++) {
      const frac = ph / PHASES;
      let sum = 0;
      for (let j = 0; j < this.taps; j++) {
        const x = j - this.half - frac; // distance from the output position, in input samples
        const w = Math.abs(x) >= this.half + 1 ? 0 : 0.5 + 0.5 * Math.cos((Math.PI * x) / (this.half + 1));
        const s = x === 0 ? 1 : Math.sin(Math.PI * cutoff * x) / (Math.PI * cutoff * x);
        this.table[ph * this.taps + j] = s * w;
        sum += s * w;
      }
      // Unity gain at DC for every phase.
      for (let j = 0; j < this.taps; j++) this.table[ph * this.taps + j]! /= sum;
    }
    // History of `half` zeros so the first output sample is centred on the first input sample.
    this.buf = new Float32Array(4096);
    this.len = this.half;
    this.pos = this.half;
  }

  /** Resamples one chunk; returns the output samples that are complete so far. */
  push(input: Float32Array): Float32Array {
    if (this.inRate === this.outRate) return input.slice();
    this.append(input);
    const maxOut = Math.max(0, Math.ceil((this.len - this.half - 1 - this.pos) / this.ratio) + 1);
    const out = new Float32Array(maxOut);
    let n = 0;
    const { table, taps, half, buf } = this;
    while (this.pos + half + 1 < this.len && n < maxOut) {
      const base = Math.floor(this.pos);
      const row = Math.round((this.pos - base) * PHASES) * taps;
      const start = base - half;
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += buf[start + j]! * table[row + j]!;
      out[n++] = acc;
      this.pos += this.ratio;
    }
    // Drop input that no future output sample can reach.
    const drop = Math.max(0, Math.floor(this.pos) - half);
    if (drop > 0) {
      buf.copyWithin(0, drop, this.len);
      this.len -= drop;
      this.pos -= drop;
    }
    return n === out.length ? out : out.subarray(0, n);
  }

  private append(input: Float32Array): void {
    if (this.len + input.length > this.buf.length) {
      const next = new Float32Array(Math.max(this.buf.length * 2, this.len + input.length));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(input, this.len);
    this.len += input.length;
  }
}
