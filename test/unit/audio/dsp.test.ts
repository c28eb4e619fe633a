import { describe, expect, it } from 'vitest';
import { dbfs, meanDb, toDb } from '../../../lib/audio/energy';
import { FRAME_SAMPLES, Framer } from '../../../lib/audio/frames';
import { LoudnessTracker } from '../../../lib/audio/loudness';
import { PitchTracker, yinPitch } from '../../../lib/audio/pitch';
import { Resampler } from '../../../lib/audio/resample';
import { SyllableDetector } from '../../../lib/audio/syllables';
import { concat, inChunks, noise, sine, syllableTrain, voiced } from './signals';

/** Frequency of the strongest bin by a direct DFT scan (slow but exact enough for tests). */
function peakHz(x: Float32Array, rate: number, from: number, to: number, step = 5): number {
  let best = 0;
  let bestP = -1;
  for (let f = from; f <= to; f += step) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < x.length; i++) {
      re += x[i]! * Math.cos((2 * Math.PI * f * i) / rate);
      im += x[i]! * Math.sin((2 * Math.PI * f * i) / rate);
    }
    const p = re * re + im * im;
    if (p > bestP) {
      bestP = p;
      best = f;
    }
  }
  return best;
}

describe('resampling to 16 kHz', () => {
  for (const rate of [48_000, 44_100, 22_050, 16_000]) {
    it(`keeps a 1 kHz tone's frequency, level and length from ${rate} Hz`, () => {
      const r = new Resampler(rate);
      const out = inChunks(sine(1000, 2, rate, 0.5), 128, (c) => r.push(c));
      // Length: 2 s at 16 kHz, minus the filter's look-ahead.
      expect(out.length).toBeGreaterThan(32_000 - 64);
      expect(out.length).toBeLessThanOrEqual(32_000);
      const mid = out.subarray(4000, 12_000);
      expect(dbfs(mid)).toBeCloseTo(toDb(0.5 / Math.SQRT2), 1);
      expect(peakHz(mid.subarray(0, 1600), 16_000, 900, 1100)).toBe(1000);
    });
  }

  it('suppresses content above 8 kHz instead of folding it into the speech band', () => {
    for (const rate of [48_000, 44_100]) {
      const r = new Resampler(rate);
      const out = inChunks(sine(12_000, 1, rate, 0.5), 441, (c) => r.push(c));
      // A 12 kHz tone would alias to 4 kHz at 16 kHz without the low-pass.
      expect(dbfs(out.subarray(2000, 14_000))).toBeLessThan(-45);
    }
  });

  it('gives the same samples whatever the chunk size', () => {
    const x = noise(0.5, 44_100, 0.3, 7);
    const a = inChunks(x, 128, (c) => new Resampler(44_100).push(c));
    const r1 = new Resampler(44_100);
    const b = inChunks(x, 128, (c) => r1.push(c));
    const r2 = new Resampler(44_100);
    const c = inChunks(x, 1000, (ch) => r2.push(ch));
    expect(a.length).not.toBe(b.length); // sanity: a fresh resampler per chunk is not streaming
    expect(c.length).toBe(b.length);
    for (let i = 0; i < b.length; i++) expect(c[i]).toBeCloseTo(b[i]!, 6);
  });
});

describe('framing', () => {
  it('cuts exact 512-sample frames across chunk borders and counts them', () => {
    const f = new Framer();
    const got: [number, number][] = [];
    const x = Float32Array.from({ length: 2000 }, (_, i) => i);
    for (let i = 0; i < x.length; i += 300) f.push(x.subarray(i, i + 300), (fr, k) => got.push([k, fr[0]!]));
    expect(got).toEqual([
      [0, 0],
      [1, FRAME_SAMPLES],
      [2, 2 * FRAME_SAMPLES],
    ]);
  });
});

describe('energy', () => {
  it('reads a full-scale sine at −3 dBFS, half scale 6 dB lower, silence at the floor', () => {
    expect(dbfs(sine(440, 0.5, 16_000, 1))).toBeCloseTo(-3.01, 1);
    expect(dbfs(sine(440, 0.5, 16_000, 0.5))).toBeCloseTo(-9.03, 1);
    expect(dbfs(new Float32Array(512))).toBe(-100);
    expect(meanDb([-20, -20])).toBeCloseTo(-20, 6);
    expect(meanDb([-10, -100])).toBeCloseTo(-13.01, 1);
  });
});

describe('loudness against the speaker own baseline', () => {
  it('has no baseline before 3 s of speech, then flags a 10 dB rise as shouting', () => {
    const t = new LoudnessTracker();
    for (let i = 0; i < 50; i++) t.speechFrame(-30 + (i % 3)); // 1.6 s
    expect(t.reading().baselineDbfs).toBeUndefined();
    expect(t.reading().riseDb).toBe(0);
    for (let i = 0; i < 200; i++) t.speechFrame(-30 + (i % 3));
    const calm = t.reading();
    expect(calm.baselineDbfs).toBeGreaterThanOrEqual(-30);
    expect(calm.baselineDbfs).toBeLessThanOrEqual(-28);
    expect(Math.abs(calm.riseDb)).toBeLessThan(2);
    expect(calm.shouting).toBe(false);
    for (let i = 0; i < 20; i++) t.speechFrame(-19);
    const loud = t.reading();
    expect(loud.riseDb).toBeGreaterThan(8);
    expect(loud.shouting).toBe(true);
  });

  it('is relative: a quiet speaker raising their voice is shouting at a level a loud one uses calmly', () => {
    const quiet = new LoudnessTracker();
    const loud = new LoudnessTracker();
    for (let i = 0; i < 150; i++) {
      quiet.speechFrame(-45);
      loud.speechFrame(-25);
    }
    for (let i = 0; i < 20; i++) {
      quiet.speechFrame(-25);
      loud.speechFrame(-25);
    }
    expect(quiet.reading().shouting).toBe(true);
    expect(loud.reading().shouting).toBe(false);
  });
});

describe('pitch', () => {
  for (const hz of [90, 150, 220, 330]) {
    it(`finds ${hz} Hz in a voiced frame within 2 %`, () => {
      const p = yinPitch(voiced(hz, 0.032, 16_000).subarray(0, 512));
      expect(p).toBeDefined();
      expect(Math.abs(p!.hz - hz) / hz).toBeLessThan(0.02);
      expect(p!.clarity).toBeGreaterThan(0.8);
    });
  }

  it('calls noise unvoiced', () => {
    expect(yinPitch(noise(0.032, 16_000, 0.3, 3).subarray(0, 512))).toBeUndefined();
  });

  it('tracks a rise over the speaker median in semitones', () => {
    const t = new PitchTracker();
    for (let i = 0; i < 100; i++) t.add({ hz: 120, clarity: 1 });
    expect(t.medianHz()).toBeCloseTo(120, 0);
    for (let i = 0; i < 30; i++) t.add({ hz: 240, clarity: 1 });
    expect(t.riseSemitones()).toBeCloseTo(12, 0);
  });
});

describe('syllable rate from the energy envelope', () => {
  function countPeaks(x: Float32Array): number {
    const d = new SyllableDetector();
    let n = 0;
    for (let i = 0; i < x.length; i += 512) n += d.push(x.subarray(i, i + 512)).length;
    return n;
  }

  for (const sps of [2, 3, 4, 5, 6, 7, 8]) {
    it(`counts ${sps} syllables a second within 10 %`, () => {
      const x = syllableTrain(sps, 10, 16_000);
      const rate = countPeaks(x) / 10;
      expect(Math.abs(rate - sps) / sps).toBeLessThan(0.1);
    });
  }

  it('ignores steady noise and steady tones', () => {
    expect(countPeaks(noise(5, 16_000, 0.05, 9))).toBeLessThanOrEqual(1);
    expect(countPeaks(sine(440, 5, 16_000, 0.3))).toBeLessThanOrEqual(1);
  });

  it('counts quiet syllables after loud ones', () => {
    const x = concat(syllableTrain(4, 3, 16_000, 0.5), syllableTrain(4, 3, 16_000, 0.05));
    expect(countPeaks(x)).toBeGreaterThanOrEqual(21);
  });

  it('reports each peak near the burst centre', () => {
    const d = new SyllableDetector();
    const x = syllableTrain(4, 2, 16_000);
    const ts: number[] = [];
    for (let i = 0; i < x.length; i += 512) for (const p of d.push(x.subarray(i, i + 512))) ts.push(p.t);
    // Burst k peaks at (k + 0.4) · 250 ms.
    for (const t of ts) {
      const k = Math.round(t / 250 - 0.4);
      expect(Math.abs(t - (k + 0.4) * 250)).toBeLessThan(30);
    }
  });
});
