/**
 * Full transcripts leave the device only when the sync mode says so (`transcripts-redacted`,
 * set on the options page or by enterprise policy); the default sends findings alone. Every turn
 * is redacted here, on the device, before it is uploaded to `/v1/qa/transcripts`.
 */
import type { Analysis } from '../analysis/types';
import { redact } from '../redact';
import type { Utterance } from '../utterance';
import type { SyncSettings } from './config';

export const MAX_TRANSCRIPT_TURNS = 5000;
const MAX_TURN_CHARS = 10_000;

export interface TranscriptTurn {
  seq: number;
  speaker: 'agent' | 'customer' | 'system';
  text: string;
  ts: number;
  emotion?: string;
  intent?: string;
}

export interface TranscriptUpload {
  conversationId: string;
  turns: TranscriptTurn[];
}

export const sendsTranscripts = (s: Pick<SyncSettings, 'syncMode'> | undefined): boolean =>
  s?.syncMode === 'transcripts-redacted';

/** The redacted upload for one conversation: the newest turns up to the endpoint's limit. */
export function transcriptUpload(
  conversationId: string,
  utterances: readonly Utterance[],
  analyses: readonly Analysis[],
): TranscriptUpload {
  const bySeq = new Map(analyses.map((a) => [a.seq, a]));
  const turns = [...utterances]
    .sort((a, b) => a.seq - b.seq)
    .slice(-MAX_TRANSCRIPT_TURNS)
    .map((u): TranscriptTurn => {
      const a = bySeq.get(u.seq);
      const turn: TranscriptTurn = {
        seq: u.seq,
        speaker: u.speaker,
        text: redact(u.text).text.slice(0, MAX_TURN_CHARS),
        ts: u.ts,
      };
      if (a?.emotion) turn.emotion = a.emotion.label;
      if (a?.intent) turn.intent = a.intent.label;
      return turn;
    });
  return { conversationId, turns };
}

/** Uploads one transcript; the endpoint replaces what it had, so a retry is harmless. */
export async function uploadTranscript(
  endpoint: string,
  token: string,
  upload: TranscriptUpload,
  fetchFn: typeof fetch,
): Promise<void> {
  const r = await fetchFn(new URL('/v1/qa/transcripts', endpoint), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(upload),
  });
  if (!r.ok) throw new Error(`transcript upload: HTTP ${r.status}`);
}
