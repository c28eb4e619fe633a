/**
 * Syllable-rate estimate from the energy envelope. Each syllable has one vowel nucleus, a local
 * maximum of voiced-band energy; counting prominent envelope peaks per second of speech tracks
 * speaking pace without a recogniser and in any language (for Chinese one syllable is one
 * character, so syllables per minute ≈ characters per minute).
 *
 * Pipeline per 16 kHz frame: band-pass 300–3000 Hz (biquads) → energy per 10 ms hop → dB →
 * 3-hop moving average → peaks at least MIN_GAP apart, rising ≥ PROMINENCE_DB above the
 * valleys on both sides, and no more than FLOOR_BELOW_DB under the loudest recent speech.
 */
import { SAMPLE_RATE } from './frames';
import { FLOOR_DBFS, toDb } from './energy';

const HOP = 160; // 10 ms at 16 kHz
const HOP_MS = 10;
const PROMINENCE_DB = 4;
const MIN_GAP_HOPS = 9; // ≥ 90 ms between nuclei: nobody says more than ~11 syllables a second
const FLOOR_BELOW_DB = 25;
const SMOOTH = 3;

/** RBJ biquad, direct form I. */
class Biquad {
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  constructor(
    private readonly b0: number,
    private readonly b1: number,
    private readonly b2: number,
    private readonly a1: number,
    private readonly a2: number,
  ) {}

  static highpass(f: number, q = Math.SQRT1_2): Biquad {
    const w = (2 * Math.PI * f) / SAMPLE_RATE;
    const al = Math.sin(w) / (2 * q);
    const c = Math.cos(w);
    const a0 = 1 + al;
    return new Biquad((1 + c) / 2 / a0, -(1 + c) / a0, (1 + c) / 2 / a0, (-2 * c) / a0, (1 - al) / a0);
  }

  static lowpass(f: number, q = Math.SQRT1_2): Biquad {
    const w = (2 * Math.PI * f) / SAMPLE_RATE;
    const al = Math.sin(w) / (2 * q);
    const c = Math.cos(w);
    const a0 = 1 + al;
    return new Biquad((1 - c) / 2 / a0, (1 - c) / a0, (1 - c) / 2 / a0, (-2 * c) / a0, (1 - al) / a0);
  }

  step(x: number): number {
    const y = this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

export interface SyllablePeak {
  /** Milliseconds from the start of the stream. */
  t: number;
  db: number;
}

/**
 * Streams samples in, reports syllable nuclei out. Peaks are confirmed once the envelope has
 * fallen PROMINENCE_DB after them, so a nucleus is reported ~50–150 ms after it happened.
 */
export class SyllableDetector {
  private readonly hp = Biquad.highpass(300);
  private readonly lp = Biquad.lowpass(3000);
  private acc = 0;
  private inHop = 0;
  private hop = 0;
  private readonly raw: number[] = [];
  /** Candidate peak: hop index and level; the valley before it. */
  private cand: { hop: number; db: number } | undefined;
  private valley = Number.POSITIVE_INFINITY;
  private lastPeakHop = -1_000;
  /** Slowly decaying loudest level, to ignore ripples in the noise floor. */
  private ceiling = FLOOR_DBFS;

  push(samples: Float32Array, onPeak?: (p: SyllablePeak) => void): SyllablePeak[] {
    const found: SyllablePeak[] = [];
    for (let i = 0; i < samples.length; i++) {
      const y = this.lp.step(this.hp.step(samples[i]!));
      this.acc += y * y;
      if (++this.inHop === HOP) {
        const p = this.onHop(toDb(Math.sqrt(this.acc / HOP)));
        if (p) {
          found.push(p);
          onPeak?.(p);
        }
        this.acc = 0;
        this.inHop = 0;
      }
    }
    return found;
  }

  private onHop(db: number): SyllablePeak | undefined {
    this.raw.push(db);
    if (this.raw.length > SMOOTH) this.raw.shift();
    const env = this.raw.reduce((a, b) => a + b, 0) / this.raw.length;
    const h = this.hop++;
    // The ceiling falls 6 dB a second, so a quiet stretch after a loud one is still counted.
    this.ceiling = Math.max(env, this.ceiling - 0.06);
    let out: SyllablePeak | undefined;
    if (this.cand) {
      if (env > this.cand.db) this.cand = { hop: h, db: env };
      else if (this.cand.db - env >= PROMINENCE_DB) {
        // Confirmed: prominent over the valley before it and the dip after it.
        const c = this.cand;
        const loudEnough = c.db >= this.ceiling - FLOOR_BELOW_DB && c.db > FLOOR_DBFS + 30;
        if (c.db - this.valley >= PROMINENCE_DB && loudEnough && c.hop - this.lastPeakHop >= MIN_GAP_HOPS) {
          this.lastPeakHop = c.hop;
          // SMOOTH-hop average lags by (SMOOTH-1)/2 hops.
          out = { t: (c.hop - (SMOOTH - 1) / 2) * HOP_MS + HOP_MS / 2, db: c.db };
        }
        this.cand = undefined;
        this.valley = env;
      }
    } else if (env < this.valley) this.valley = env;
    else if (env - this.valley >= PROMINENCE_DB) this.cand = { hop: h, db: env };
    return out;
  }
}

/** Syllables per second over speech time, from peaks and the speech intervals they fall in. */
export function syllableRate(peaks: number, speechMs: number): number {
  return speechMs > 0 ? (peaks * 1000) / speechMs : 0;
}
