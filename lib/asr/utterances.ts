/**
 * Final recognition results as voice turns: the same Utterance the captions adapter makes, with
 * `source: 'asr'`, so rules, emotion and the side panel treat both alike.
 */
import type { Speaker } from '../labels';
import type { Utterance } from '../utterance';
import type { AsrResult } from './types';

export interface AsrStream {
  conversationId: string;
  speaker: Extract<Speaker, 'agent' | 'customer'>;
  /** Epoch ms of the stream's first sample. */
  startedAt: number;
  /** The next free seq of the conversation (captions and ASR share the numbering). */
  nextSeq(): number;
}

export function asrUtterance(r: AsrResult, s: AsrStream): Utterance {
  return {
    conversationId: s.conversationId,
    seq: s.nextSeq(),
    speaker: s.speaker,
    text: r.text,
    ts: Math.round(s.startedAt + r.end * 1000),
    channel: 'voice',
    source: 'asr',
  };
}
