/**
 * Cuts a stream of 16 kHz samples into the fixed frames the analysis works on. Frame k covers
 * [k·size, (k+1)·size) samples from the start of the stream, so its time is exact and both
 * channels of a call, fed in lockstep, have aligned frames.
 */
export const SAMPLE_RATE = 16_000;
/** Silero VAD v5 takes 512 new samples per call at 16 kHz: 32 ms. */
export const FRAME_SAMPLES = 512;
export const FRAME_MS = (FRAME_SAMPLES / SAMPLE_RATE) * 1000;

export class Framer {
  private readonly pending: Float32Array;
  private fill = 0;
  /** Index of the next frame to be emitted. */
  index = 0;

  constructor(readonly size = FRAME_SAMPLES) {
    this.pending = new Float32Array(size);
  }

  /** Calls `onFrame` for every frame the chunk completes; the frame array is a fresh copy. */
  push(samples: Float32Array, onFrame: (frame: Float32Array, index: number) => void): void {
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(this.size - this.fill, samples.length - i);
      this.pending.set(samples.subarray(i, i + take), this.fill);
      this.fill += take;
      i += take;
      if (this.fill === this.size) {
        onFrame(this.pending.slice(), this.index++);
        this.fill = 0;
      }
    }
  }
}
