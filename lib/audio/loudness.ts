/**
 * Loudness against the speaker's own baseline. Voices, headsets and line levels differ by 20 dB
 * and more, so "shouting" is a rise over how loud this speaker usually is, not an absolute level.
 * The baseline is the median level of the speaker's speech frames so far (a 0.5 dB histogram,
 * constant memory); the current level is the power mean of the last ~0.5 s of speech.
 */
import { FLOOR_DBFS, meanDb } from './energy';

const BIN_DB = 0.5;
const BINS = Math.ceil(-FLOOR_DBFS / BIN_DB) + 1;

export interface LoudnessOptions {
  /** Speech needed before the baseline is trusted. */
  minBaselineMs: number;
  /** Window of the current level. */
  windowMs: number;
  /** Rise over the baseline that counts as raised voice. */
  shoutRiseDb: number;
  frameMs: number;
}

export const DEFAULT_LOUDNESS: LoudnessOptions = {
  minBaselineMs: 3000,
  windowMs: 500,
  shoutRiseDb: 8,
  frameMs: 32,
};

export interface LoudnessReading {
  /** Power mean of the recent speech frames, dBFS. */
  levelDbfs: number;
  /** Median speech level so far, dBFS; undefined until enough speech was heard. */
  baselineDbfs: number | undefined;
  /** levelDbfs − baselineDbfs (0 without a baseline). */
  riseDb: number;
  shouting: boolean;
}

export class LoudnessTracker {
  private readonly hist = new Uint32Array(BINS);
  private count = 0;
  private readonly recent: number[] = [];
  private readonly opts: LoudnessOptions;

  constructor(opts: Partial<LoudnessOptions> = {}) {
    this.opts = { ...DEFAULT_LOUDNESS, ...opts };
  }

  /** Feed the level of one speech frame (silent frames are not part of anyone's voice). */
  speechFrame(levelDbfs: number): void {
    const l = Math.max(FLOOR_DBFS, Math.min(0, levelDbfs));
    this.hist[Math.round((l - FLOOR_DBFS) / BIN_DB)]!++;
    this.count++;
    this.recent.push(l);
    const keep = Math.max(1, Math.round(this.opts.windowMs / this.opts.frameMs));
    if (this.recent.length > keep) this.recent.splice(0, this.recent.length - keep);
  }

  baseline(): number | undefined {
    if (this.count * this.opts.frameMs < this.opts.minBaselineMs) return undefined;
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += this.hist[b]!;
      if (seen * 2 >= this.count) return FLOOR_DBFS + b * BIN_DB;
    }
    return undefined;
  }

  reading(): LoudnessReading {
    const levelDbfs = meanDb(this.recent);
    const baselineDbfs = this.baseline();
    const riseDb = baselineDbfs === undefined || this.recent.length === 0 ? 0 : levelDbfs - baselineDbfs;
    return { levelDbfs, baselineDbfs, riseDb, shouting: riseDb >= this.opts.shoutRiseDb };
  }
}
