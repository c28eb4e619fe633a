/** Level measures on float samples in [-1, 1]. */

/** Below any real signal, so silence has a finite level. */
export const FLOOR_DBFS = -100;

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return to > from ? Math.sqrt(s / (to - from)) : 0;
}

/** RMS level relative to a full-scale square wave (a full-scale sine reads about −3 dBFS). */
export function dbfs(x: Float32Array, from = 0, to = x.length): number {
  return toDb(rms(x, from, to));
}

export function toDb(amplitude: number): number {
  return amplitude > 1e-5 ? 20 * Math.log10(amplitude) : FLOOR_DBFS;
}

/** Mean of levels in the power domain: loud moments weigh as they sound, not as their dB values. */
export function meanDb(levels: readonly number[]): number {
  if (levels.length === 0) return FLOOR_DBFS;
  let p = 0;
  for (const l of levels) p += 10 ** (l / 10);
  return 10 * Math.log10(p / levels.length);
}
