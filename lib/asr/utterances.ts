/**
 * Final recognition results as voice turns: the same Utterance the captions adapter makes, with
 * `source: 'asr'`, so rules, emotion and the side panel treat both alike.
 *
 * Their seq comes from the time the words ended, not a counter: the two channels' results arrive
 * on two connections in no set order, a restarted monitor must not overwrite the turns of the
 * first, and the console's captions (small seqs from the adapter) must not collide with them.
 * Ordering by seq then orders the call's recognised turns by time.
 */
import type { Speaker } from '../labels';
import type { Utterance } from '../utterance';
import type { AsrResult } from './types';

/** Above any caption or chat seq an adapter hands out; below 2^53 for any epoch ms this century. */
export const ASR_SEQ_BASE = 2 ** 43;

export interface AsrStream {
  conversationId: string;
  speaker: Extract<Speaker, 'agent' | 'customer'>;
  /** Epoch ms of the stream's first sample. */
  startedAt: number;
}

/** The seq of a recognised turn ending at epoch ms `ts`: one slot per speaker per millisecond. */
export function asrSeq(ts: number, speaker: AsrStream['speaker']): number {
  return ASR_SEQ_BASE + Math.round(ts) * 2 + (speaker === 'customer' ? 1 : 0);
}

export function asrUtterance(r: AsrResult, s: AsrStream): Utterance {
  const ts = Math.round(s.startedAt + r.end * 1000);
  return {
    conversationId: s.conversationId,
    seq: asrSeq(ts, s.speaker),
    speaker: s.speaker,
    text: r.text,
    ts,
    channel: 'voice',
    source: 'asr',
  };
}
