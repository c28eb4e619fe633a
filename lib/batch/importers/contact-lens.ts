/**
 * Amazon Connect Contact Lens analysis output (voice and chat): one JSON document per contact
 * with `CustomerMetadata.ContactId`, `Participants` (roles AGENT/CUSTOMER/SYSTEM) and a
 * `Transcript` of segments with `ParticipantId`, `Content` and `BeginOffsetMillis` (voice) or
 * `AbsoluteTime` (chat). A file may also hold an array of documents or one document per line.
 */
import type { Speaker } from '../../labels';
import type { Utterance } from '../../utterance';
import { parseSpeaker, parseTimestamp } from '../fields';
import { idFromFile } from '../named-turns';
import { problemItem, type ImportItem, type ImportOptions, type Importer, type TextSource } from '../types';

/** A contact's analysis output is small; a larger file is not Contact Lens output. */
const MAX_FILE_CHARS = 100_000_000;

type Doc = Record<string, unknown>;

function* documents(text: string, file: string): Generator<{ doc: unknown; line: number } | ImportItem> {
  const trimmed = text.trim();
  try {
    const v: unknown = JSON.parse(trimmed);
    if (Array.isArray(v)) for (const d of v) yield { doc: d, line: 1 };
    else yield { doc: v, line: 1 };
    return;
  } catch {
    // Not one document: try one per line below.
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '') continue;
    try {
      yield { doc: JSON.parse(l), line: i + 1 };
    } catch {
      yield { kind: 'problem', problem: { file, line: i + 1, reason: 'not JSON' } };
    }
  }
}

export function contactFromDocument(doc: unknown, file: string, line: number, index: number): ImportItem {
  const bad = (reason: string, detail?: string) => problemItem(file, line, reason, detail);
  if (typeof doc !== 'object' || doc === null) return bad('not a Contact Lens document');
  const d = doc as Doc;
  const transcript = d.Transcript;
  if (!Array.isArray(transcript))
    return bad('not a Contact Lens document', `keys found: ${Object.keys(d).slice(0, 12).join(', ')}`);
  const meta = (d.CustomerMetadata ?? {}) as Doc;
  const id =
    (typeof meta.ContactId === 'string' && meta.ContactId) ||
    (typeof d.ContactId === 'string' && d.ContactId) ||
    (index === 0 ? idFromFile(file) : `${idFromFile(file)}#${index}`);
  const channel = String(d.Channel ?? '').toUpperCase() === 'CHAT' ? 'chat' : 'voice';
  const roles = new Map<string, Speaker>();
  let agentId: string | undefined;
  for (const p of Array.isArray(d.Participants) ? (d.Participants as Doc[]) : []) {
    const pid = String(p.ParticipantId ?? '');
    const role = parseSpeaker(String(p.ParticipantRole ?? ''));
    if (pid && role) roles.set(pid, role);
    if (role === 'agent') {
      const name = p.DisplayName ?? p.AgentId ?? (pid !== 'AGENT' ? pid : undefined);
      if (typeof name === 'string' && name) agentId = name.slice(0, 200);
    }
  }
  const turns: Utterance[] = [];
  for (const seg of transcript as Doc[]) {
    const content = seg?.Content;
    if (typeof content !== 'string') continue; // events (joins, typing) carry no content
    const pid = String(seg.ParticipantId ?? '');
    const speaker = roles.get(pid) ?? parseSpeaker(String(seg.ParticipantRole ?? pid));
    if (!speaker) return bad('unknown participant', pid);
    let ts = 0;
    if (typeof seg.BeginOffsetMillis === 'number') ts = seg.BeginOffsetMillis;
    else if (typeof seg.AbsoluteTime === 'string') {
      const abs = parseTimestamp(seg.AbsoluteTime);
      if (abs === undefined) return bad('bad timestamp', seg.AbsoluteTime);
      ts = abs;
    }
    turns.push({
      conversationId: id,
      seq: turns.length,
      speaker,
      text: content,
      ts,
      channel,
      source: 'contact-lens',
    });
  }
  if (turns.length === 0) return bad('empty transcript');
  return {
    kind: 'conversation',
    conversation: { id: id.slice(0, 200), ...(agentId ? { agentId } : {}), turns, origin: `${file}:${line}` },
  };
}

export const contactLensImporter: Importer = {
  id: 'contact-lens',
  description: 'Amazon Connect Contact Lens output JSON (Transcript, Participants, CustomerMetadata)',
  sniff(head) {
    if (!/^\s*[[{]/.test(head)) return 0;
    const hasTranscript = head.includes('"Transcript"');
    const marks = [
      '"ParticipantId"',
      '"CustomerMetadata"',
      '"JobStatus"',
      '"ConversationCharacteristics"',
      '"Participants"',
    ].filter((k) => head.includes(k)).length;
    return hasTranscript || marks >= 2 ? Math.min(1, 0.5 + 0.15 * marks) : 0;
  },
  async *read(source: TextSource, opts: ImportOptions): AsyncIterable<ImportItem> {
    const text = await source.text(MAX_FILE_CHARS);
    let index = 0;
    for (const item of documents(text, opts.file)) {
      if ('kind' in item) yield item;
      else yield contactFromDocument(item.doc, opts.file, item.line, index++);
    }
  },
};
