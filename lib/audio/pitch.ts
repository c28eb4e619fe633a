/**
 * Fundamental frequency by YIN (de Cheveigné & Kawahara 2002) on one 16 kHz frame. Pitch rising
 * over the speaker's usual range is an arousal cue for the emotion finding; it is not used alone.
 */
import { SAMPLE_RATE } from './frames';

export interface PitchOptions {
  minHz: number;
  maxHz: number;
  /** Cumulative-mean-normalised difference below which a lag counts as periodic. */
  threshold: number;
}

export const DEFAULT_PITCH: PitchOptions = { minHz: 65, maxHz: 420, threshold: 0.15 };

export interface Pitch {
  hz: number;
  /** 1 − d′(τ): near 1 for a clean periodic frame, near 0 for noise. */
  clarity: number;
}

/** Returns undefined for unvoiced frames (no lag under the threshold). */
export function yinPitch(frame: Float32Array, opts: Partial<PitchOptions> = {}): Pitch | undefined {
  const { minHz, maxHz, threshold } = { ...DEFAULT_PITCH, ...opts };
  const tauMax = Math.min(Math.floor(SAMPLE_RATE / minHz), Math.floor(frame.length / 2));
  const tauMin = Math.max(2, Math.floor(SAMPLE_RATE / maxHz));
  const w = frame.length - tauMax;
  if (w < 32) return undefined;
  const d = new Float32Array(tauMax + 1);
  for (let tau = 1; tau <= tauMax; tau++) {
    let s = 0;
    for (let i = 0; i < w; i++) {
      const diff = frame[i]! - frame[i + tau]!;
      s += diff * diff;
    }
    d[tau] = s;
  }
  // Cumulative mean normalisation: d′(τ) = d(τ)·τ / Σ d(1..τ).
  let running = 0;
  const dn = new Float32Array(tauMax + 1);
  dn[0] = 1;
  for (let tau = 1; tau <= tauMax; tau++) {
    running += d[tau]!;
    dn[tau] = running > 0 ? (d[tau]! * tau) / running : 1;
  }
  let tau = -1;
  for (let t = tauMin; t <= tauMax; t++) {
    if (dn[t]! < threshold) {
      // Walk down to the local minimum of this dip.
      while (t + 1 <= tauMax && dn[t + 1]! < dn[t]!) t++;
      tau = t;
      break;
    }
  }
  if (tau < 0) return undefined;
  // Parabolic interpolation around the minimum for sub-sample precision.
  let better = tau;
  if (tau > 1 && tau < tauMax) {
    const a = dn[tau - 1]!;
    const b = dn[tau]!;
    const c = dn[tau + 1]!;
    const den = a + c - 2 * b;
    if (den !== 0) better = tau + (a - c) / (2 * den);
  }
  return { hz: SAMPLE_RATE / better, clarity: 1 - dn[tau]! };
}

/** Running pitch statistics of one speaker: median-ish baseline and the recent level above it. */
export class PitchTracker {
  private readonly voiced: number[] = [];
  private readonly recent: number[] = [];

  add(p: Pitch): void {
    // Semitones keep male and female voices on one scale.
    const st = 12 * Math.log2(p.hz / 100);
    this.voiced.push(st);
    if (this.voiced.length > 2000) this.voiced.splice(0, this.voiced.length - 2000);
    this.recent.push(st);
    if (this.recent.length > 30) this.recent.shift();
  }

  /** Median voiced pitch so far, Hz. */
  medianHz(): number | undefined {
    if (this.voiced.length < 10) return undefined;
    const s = [...this.voiced].sort((a, b) => a - b);
    return 100 * 2 ** (s[s.length >> 1]! / 12);
  }

  /** Recent pitch above the speaker's median, in semitones (0 until there is a baseline). */
  riseSemitones(): number {
    const med = this.medianHz();
    if (med === undefined || this.recent.length === 0) return 0;
    const mean = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    return mean - 12 * Math.log2(med / 100);
  }
}
