/**
 * Everything measured on one side of a call, frame by frame at 16 kHz: speech probability (from
 * the injected VAD), settled speech spans, level, loudness against the speaker's baseline,
 * syllable nuclei and pitch. Closed speech segments carry their own pace and level, so a finding
 * can point at the seconds of audio that caused it.
 */
import { dbfs } from './energy';
import { FRAME_MS } from './frames';
import { LoudnessTracker, type LoudnessReading } from './loudness';
import { PitchTracker, yinPitch } from './pitch';
import { Segmenter, type SegmenterOptions, type Span } from './segmenter';
import { SyllableDetector } from './syllables';

export interface SpeechSegment {
  start: number;
  end: number;
  syllables: number;
  /** Syllables per second over the segment. */
  rateSps: number;
  /** Power-mean level of its speech frames, dBFS. */
  levelDbfs: number;
  /** Median voiced pitch, Hz (undefined when nothing was voiced). */
  pitchHz: number | undefined;
}

export interface ChannelReading {
  /** Level of the latest frame, for a meter. */
  levelDbfs: number;
  speaking: boolean;
  loudness: LoudnessReading;
  /** Syllables per second over the recent speech (RATE_WINDOW_MS of it). */
  rateSps: number;
  pitchHz: number | undefined;
  pitchRiseSemitones: number;
  segments: number;
}

/** Speech time the live pace is averaged over. */
const RATE_WINDOW_MS = 20_000;
const KEEP_SEGMENTS = 200;

export class ChannelAnalyser {
  private readonly segmenter: Segmenter;
  private readonly syllables = new SyllableDetector();
  private readonly loudness = new LoudnessTracker({ frameMs: FRAME_MS });
  private readonly pitch = new PitchTracker();
  private peaks: number[] = [];
  private frameLevels: number[] = [];
  private framePitches: number[] = [];
  private open: { start: number } | undefined;
  private lastLevel = -100;
  private lastSpeechEnd = 0;
  readonly segments: SpeechSegment[] = [];

  constructor(segmenter: Partial<SegmenterOptions> = {}) {
    this.segmenter = new Segmenter({ ...segmenter, frameMs: FRAME_MS });
  }

  /**
   * One 512-sample frame with its speech probability. Returns the spans it settled and any
   * segment it closed.
   */
  frame(samples: Float32Array, prob: number): { spans: Span[]; closed: SpeechSegment[] } {
    this.syllables.push(samples, (p) => this.peaks.push(p.t));
    const level = dbfs(samples);
    this.lastLevel = level;
    if (prob >= 0.5) {
      this.loudness.speechFrame(level);
      this.frameLevels.push(level);
      const p = yinPitch(samples);
      if (p && p.clarity > 0.6) {
        this.pitch.add(p);
        this.framePitches.push(p.hz);
      }
    }
    const spans = this.segmenter.push(prob);
    return { spans, closed: this.collect(spans) };
  }

  /** End of the stream: the open segment (if any) ends at its last speech frame. */
  flush(): { spans: Span[]; closed: SpeechSegment[] } {
    const spans = this.segmenter.flush();
    const closed = this.collect(spans);
    if (this.open) {
      closed.push(this.close(this.open.start, this.lastSpeechEnd));
      this.open = undefined;
    }
    return { spans, closed };
  }

  reading(): ChannelReading {
    return {
      levelDbfs: this.lastLevel,
      speaking: this.segmenter.speaking,
      loudness: this.loudness.reading(),
      rateSps: this.recentRate(),
      pitchHz: this.pitch.medianHz(),
      pitchRiseSemitones: this.pitch.riseSemitones(),
      segments: this.segments.length,
    };
  }

  private collect(spans: Span[]): SpeechSegment[] {
    const closed: SpeechSegment[] = [];
    for (const s of spans) {
      if (s.speech) {
        this.open ??= { start: s.start };
        this.lastSpeechEnd = s.end;
      } else if (this.open && s.end > s.start) {
        closed.push(this.close(this.open.start, s.start));
        this.open = undefined;
      }
    }
    return closed;
  }

  private close(start: number, end: number): SpeechSegment {
    const syllables = this.peaks.filter((t) => t >= start && t < end).length;
    this.peaks = this.peaks.filter((t) => t >= end);
    const levels = this.frameLevels;
    let p = 0;
    for (const l of levels) p += 10 ** (l / 10);
    const pitches = [...this.framePitches].sort((a, b) => a - b);
    const seg: SpeechSegment = {
      start,
      end,
      syllables,
      rateSps: end > start ? (syllables * 1000) / (end - start) : 0,
      levelDbfs: levels.length > 0 ? 10 * Math.log10(p / levels.length) : -100,
      pitchHz: pitches.length > 0 ? pitches[pitches.length >> 1] : undefined,
    };
    this.frameLevels = [];
    this.framePitches = [];
    this.segments.push(seg);
    if (this.segments.length > KEEP_SEGMENTS) this.segments.splice(0, this.segments.length - KEEP_SEGMENTS);
    return seg;
  }

  private recentRate(): number {
    let ms = 0;
    let syl = 0;
    for (let i = this.segments.length - 1; i >= 0 && ms < RATE_WINDOW_MS; i--) {
      const s = this.segments[i]!;
      ms += s.end - s.start;
      syl += s.syllables;
    }
    return ms > 0 ? (syl * 1000) / ms : 0;
  }
}
