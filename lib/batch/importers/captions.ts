/**
 * SRT and WebVTT captions of calls with speaker labels: `<v Agent>…`, `Agent: …`, `[Agent] …` or
 * `- Agent: …`. One conversation per file; cue start times become utterance times (ms from the
 * start of the call), so time-window rules work on recordings too.
 */
import { MAX_UTTERANCE_CHARS } from '../../utterance';
import { parseTimestamp } from '../fields';
import { type NamedTurn, idFromFile, namedConversation } from '../named-turns';
import { problemItem, type ImportItem, type ImportOptions, type Importer, type TextSource } from '../types';

const TIMING = /^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})/;

export function cueSpeaker(text: string): { name: string; text: string } | undefined {
  const v = /^<v(?:\.[^\s>]+)*\s+([^>]+)>(.*?)(?:<\/v>)?$/s.exec(text);
  if (v) return { name: v[1]!.trim(), text: v[2]!.trim() };
  const br = /^\s*-?\s*\[([^\]]{1,40})\]\s*(.*)$/s.exec(text);
  if (br) return { name: br[1]!.trim(), text: br[2]!.trim() };
  const colon = /^\s*-?\s*([^:：\s][^:：]{0,39}?)\s*[:：]\s*(.*)$/s.exec(text);
  if (colon) return { name: colon[1]!.trim(), text: colon[2]!.trim() };
  return undefined;
}

export const captionsImporter: Importer = {
  id: 'captions',
  description: 'SRT or WebVTT captions with speaker labels (<v Name>, "Name:" or "[Name]")',
  sniff(head, fileName) {
    if (/^WEBVTT/.test(head.trimStart())) return 1;
    if (TIMING.test(head.split('\n').slice(0, 5).join('\n'))) return /\.srt$/i.test(fileName) ? 1 : 0.9;
    return /\.(srt|vtt)$/i.test(fileName) ? 0.5 : 0;
  },
  async *read(source: TextSource, opts: ImportOptions): AsyncIterable<ImportItem> {
    const turns: NamedTurn[] = [];
    const problems: ImportItem[] = [];
    let cue: { line: number; start: number; text: string[] } | undefined;
    let lastName: string | undefined;
    const close = () => {
      if (!cue) return;
      const body = cue.text
        .join('\n')
        .replace(/<(?!v[\s.])[^>]*>/g, '')
        .trim();
      if (body !== '') {
        const s = cueSpeaker(body);
        // A cue without a label continues the previous speaker (long turns split over cues).
        const name = s?.name ?? lastName;
        const said = s ? s.text : body;
        if (said.length > MAX_UTTERANCE_CHARS)
          problems.push(problemItem(opts.file, cue.line, 'text too long', `${said.length} characters`));
        else if (!name)
          problems.push(problemItem(opts.file, cue.line, 'cue without speaker label', body.slice(0, 60)));
        else {
          lastName = name;
          turns.push({ name, text: said, ts: cue.start, line: cue.line });
        }
      }
      cue = undefined;
    };
    for await (const { line, text } of source.lines()) {
      const m = TIMING.exec(text);
      if (m) {
        close();
        cue = { line, start: parseTimestamp(m[1]!) ?? 0, text: [] };
        continue;
      }
      if (text.trim() === '') {
        close();
        continue;
      }
      if (cue) cue.text.push(text);
      // Outside a cue: WEBVTT header, NOTE/STYLE blocks and SRT counters are skipped.
    }
    close();
    yield* problems;
    if (turns.length > 0)
      yield {
        kind: 'conversation',
        conversation: namedConversation(idFromFile(opts.file), turns, {
          file: opts.file,
          channel: opts.channel ?? 'voice',
          agentNames: new Set(opts.agentNames ?? []),
          source: 'captions',
        }),
      };
  },
};
