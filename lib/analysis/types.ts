import { z } from 'zod';
import { Finding } from '../finding';
import { Emotion, Intent } from '../labels';

/** A model's answer for one utterance: the top label and the full distribution. */
export const Prediction = z.object({
  label: z.string(),
  probs: z.record(z.string(), z.number()),
});
export type Prediction = z.infer<typeof Prediction>;

export const EmotionPrediction = Prediction.extend({ label: Emotion });
export const IntentPrediction = Prediction.extend({ label: Intent });

/** What the analysis worker returns for one utterance. */
export const Analysis = z.object({
  conversationId: z.string(),
  seq: z.number().int().nonnegative(),
  emotion: EmotionPrediction.optional(),
  intent: IntentPrediction.optional(),
  findings: z.array(Finding),
  /** Milliseconds spent in the worker, for the status line and benchmarks. */
  workerMs: z.number().nonnegative(),
});
export type Analysis = z.infer<typeof Analysis>;
