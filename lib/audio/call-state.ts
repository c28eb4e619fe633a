/**
 * What a monitored call looks like from outside the audio worker: the schemas of the call
 * messages in lib/messages.ts (start/stop from the side panel, state and events to it).
 *
 * States of a call: `starting` (capture being set up) → `live` (audio flowing) → `stopped`
 * (the agent stopped it or the tab went away; metrics kept); `error` when nothing could be
 * captured at all. Each channel reports on its own, so one missing side never stops the other.
 */
import { z } from 'zod';
import { CallReason } from './call-reasons';

export const CallPhase = z.enum(['starting', 'live', 'stopped', 'error']);
export type CallPhase = z.infer<typeof CallPhase>;

/**
 * One side of the call:
 * - `live`: capturing, sound seen;
 * - `silent`: capturing, but only digital silence so far (a tab that plays no audio, a muted mic);
 * - `no-permission`: the microphone was not granted (ask from the side panel);
 * - `unavailable`: no such source (no microphone, tab capture refused, not invoked on the tab);
 * - `ended`: the source went away mid-call (device unplugged, tab closed); metrics so far kept;
 * - `off`: not requested.
 */
export const ChannelStatus = z.enum(['live', 'silent', 'no-permission', 'unavailable', 'ended', 'off']);
export type ChannelStatus = z.infer<typeof ChannelStatus>;

const Num = z.number().finite();

export const ChannelState = z.object({
  status: ChannelStatus,
  /** Why it is not `live`, as a locale key suffix (`callReason_<key>`) the panel translates. */
  reasonKey: CallReason.optional(),
  /** The browser's own error text, if any, shown beside the translated reason. */
  detail: z.string().max(300).optional(),
  speaking: z.boolean(),
  /** Latest frame level, dBFS (−100 is silence): for a meter. */
  levelDbfs: Num,
  /** Loudness over the speaker's own baseline, dB (0 until 3 s of speech). */
  loudnessRiseDb: Num,
  shouting: z.boolean(),
  /** Pace over the recent speech, syllables per second (≈ characters per second in Chinese). */
  rateSps: Num,
  pitchHz: Num.optional(),
  talkMs: Num,
});
export type ChannelState = z.infer<typeof ChannelState>;

export const CallState = z.object({
  tabId: z.number().int(),
  conversationId: z.string().min(1).max(200),
  phase: CallPhase,
  reasonKey: CallReason.optional(),
  detail: z.string().max(300).optional(),
  /** Epoch ms when monitoring started. */
  startedAt: Num,
  /** Call audio analysed so far, ms. */
  elapsedMs: Num,
  agent: ChannelState,
  customer: ChannelState,
  /** Current shared silence (the silence timer), ms. */
  silenceMs: Num,
  /** Current over-talk, ms. */
  overtalkMs: Num,
  talkRatio: Num,
  interruptions: z.number().int().nonnegative(),
  deadAir: z.object({ count: z.number().int().nonnegative(), totalMs: Num, longestMs: Num }),
  overtalk: z.object({ count: z.number().int().nonnegative(), totalMs: Num, longestMs: Num }),
  /** Voice transcripts from the configured speech server; absent when none is configured. */
  asr: z
    .object({
      status: z.enum(['connecting', 'live', 'error', 'closed']),
      /** Final results turned into voice turns so far. */
      turns: z.number().int().nonnegative(),
      reasonKey: CallReason.optional(),
      detail: z.string().max(300).optional(),
    })
    .optional(),
});
export type CallState = z.infer<typeof CallState>;

/** A call event with its seconds of audio (ms from the start of monitoring). */
export const CallEventRecord = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dead-air'), start: Num, end: Num, durationMs: Num, partial: z.boolean() }),
  z.object({
    type: z.literal('overtalk'),
    start: Num,
    end: Num,
    durationMs: Num,
    startedBy: z.enum(['agent', 'customer']),
    interruption: z.boolean(),
  }),
  z.object({
    type: z.literal('segment'),
    channel: z.enum(['agent', 'customer']),
    start: Num,
    end: Num,
    syllables: z.number().int().nonnegative(),
    rateSps: Num,
    levelDbfs: Num,
    pitchHz: Num.optional(),
  }),
]);
export type CallEventRecord = z.infer<typeof CallEventRecord>;
