import { z } from 'zod';
import { Channel, Speaker } from './labels';

/** Utterances in one message at most (the console script's batches, the analyse batches). */
export const MAX_BATCH = 500;

/** Bounds that keep one hostile page from flooding the pipeline. */
export const MAX_UTTERANCE_CHARS = 1_000_000;

/**
 * One turn of a conversation. `(conversationId, seq)` identifies it; a later utterance with the
 * same key is an edit and replaces the earlier one.
 */
export const Utterance = z.object({
  conversationId: z.string().min(1).max(200),
  seq: z.number().int().nonnegative(),
  speaker: Speaker,
  text: z.string().max(MAX_UTTERANCE_CHARS),
  ts: z.number().nonnegative(),
  channel: Channel,
  /** Where it came from: an adapter id (`demo-desk`), `captions`, `asr`, `import`. */
  source: z.string().min(1).max(100),
  /**
   * The console's own id of the message (its adapter's `messageKey`), when it shows one. The
   * console script numbers turns in page order, afresh on every page load; the store keeps a
   * keyed turn at the seq it first got, so a desk that shows only recent history (or a virtualised
   * list) after a reload cannot write its turns over other ones.
   */
  key: z.string().min(1).max(200).optional(),
});
export type Utterance = z.infer<typeof Utterance>;

export function utteranceKey(u: Pick<Utterance, 'conversationId' | 'seq'>): string {
  return `${u.conversationId}#${u.seq}`;
}
