/**
 * Turns per-frame speech probabilities into speech segments, the way Silero's own iterator does:
 * start above `positive`, end only after `redemptionMs` below `negative`, drop blips shorter than
 * `minSpeechMs`. The end of a segment is the end of its last speech frame, not the moment the
 * silence was confirmed, so measured pauses are as long as the audio's.
 *
 * It also tells how far its answer is final (`settledUntil`): the call metrics combine two
 * channels and may only look at time both have settled.
 */
export interface SegmenterOptions {
  positive: number;
  negative: number;
  redemptionMs: number;
  minSpeechMs: number;
  frameMs: number;
}

export const DEFAULT_SEGMENTER: SegmenterOptions = {
  positive: 0.5,
  negative: 0.35,
  redemptionMs: 320,
  minSpeechMs: 96,
  frameMs: 32,
};

/** A stretch of one channel that is settled: speaking or not, from `start` to `end` (ms). */
export interface Span {
  start: number;
  end: number;
  speech: boolean;
}

export class Segmenter {
  private readonly o: SegmenterOptions;
  private state: 'silent' | 'candidate' | 'speech' = 'silent';
  /** Start of the candidate or the open segment. */
  private segStart = 0;
  /** End of the last frame at or above `negative` in the open segment (or candidate). */
  private lastSpeechEnd = 0;
  /** Everything before this time has been handed out as spans. */
  private emitted = 0;
  private t = 0;

  constructor(opts: Partial<SegmenterOptions> = {}) {
    this.o = { ...DEFAULT_SEGMENTER, ...opts };
  }

  get frameMs(): number {
    return this.o.frameMs;
  }

  /** True while inside a confirmed speech segment (including its redemption tail). */
  get speaking(): boolean {
    return this.state === 'speech';
  }

  /** Feed the next frame's probability; returns the spans it settled, in time order. */
  push(prob: number): Span[] {
    const start = this.t;
    this.t += this.o.frameMs;
    const end = this.t;
    const out: Span[] = [];
    const emit = (to: number, speech: boolean) => {
      if (to > this.emitted) out.push({ start: this.emitted, end: to, speech });
      this.emitted = Math.max(this.emitted, to);
    };
    switch (this.state) {
      case 'silent':
        if (prob >= this.o.positive) {
          this.state = 'candidate';
          this.segStart = start;
          this.lastSpeechEnd = end;
          emit(start, false);
        } else emit(end, false);
        break;
      case 'candidate':
        if (prob >= this.o.negative) this.lastSpeechEnd = end;
        if (prob < this.o.negative && end - this.lastSpeechEnd >= this.o.redemptionMs) {
          this.state = 'silent'; // a blip: it never became speech
          emit(end, false);
        } else if (this.lastSpeechEnd - this.segStart >= this.o.minSpeechMs && prob >= this.o.negative) {
          this.state = 'speech';
          emit(this.lastSpeechEnd, true);
        }
        break;
      case 'speech':
        if (prob >= this.o.negative) {
          this.lastSpeechEnd = end;
          emit(end, true);
        } else if (end - this.lastSpeechEnd >= this.o.redemptionMs) {
          this.state = 'silent';
          emit(end, false);
        }
        break;
    }
    return out;
  }

  /** Settles whatever is open (end of stream): an open segment ends at its last speech frame. */
  flush(): Span[] {
    const out: Span[] = [];
    if (this.state === 'speech' && this.lastSpeechEnd > this.emitted) {
      out.push({ start: this.emitted, end: this.lastSpeechEnd, speech: true });
      this.emitted = this.lastSpeechEnd;
    }
    if (this.t > this.emitted) out.push({ start: this.emitted, end: this.t, speech: false });
    this.emitted = this.t;
    this.state = 'silent';
    return out;
  }
}
