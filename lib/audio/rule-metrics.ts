/**
 * Call readings as the rule engine's metric conditions (lib/rules METRIC_NAMES), per speaker:
 * silenceMs / overtalkMs are call-wide, speech rate and loudness belong to the turn's speaker.
 * Chinese has one syllable per character, so syllables per minute stand in for characters per
 * minute; English averages about 1.5 syllables per word.
 */
import type { CallChannel } from './call-metrics';
import type { CallReading } from './call-analyser';

export const SYLLABLES_PER_WORD_EN = 1.5;

export interface TurnMetricWindow {
  /** Longest dead air since the previous turn, ms. */
  silenceMs: number;
  /** Longest over-talk since the previous turn, ms. */
  overtalkMs: number;
}

export function ruleMetrics(
  reading: CallReading,
  speaker: CallChannel,
  window: TurnMetricWindow,
): Record<string, number> {
  const ch = reading.channels[speaker];
  const spm = ch.rateSps * 60;
  return {
    silenceMs: Math.max(window.silenceMs, reading.silenceMs),
    overtalkMs: Math.max(window.overtalkMs, reading.overtalkMs),
    speechRateCpm: Math.round(spm),
    speechRateWpm: Math.round(spm / SYLLABLES_PER_WORD_EN),
    loudnessDb: Math.round(ch.loudness.riseDb * 10) / 10,
    talkRatio: Math.round(reading.talkRatio * 100) / 100,
    interruptions: reading.interruptions,
    pitchRiseSt: Math.round(ch.pitchRiseSemitones * 10) / 10,
  };
}
