/**
 * Plain-text chat exports: `name: message`, `[time] name: message` or `time name: message`
 * (full-width ： too). A line without a name continues the previous message. One conversation per
 * file, or several separated by `=== <id> ===` lines.
 */
import { MAX_UTTERANCE_CHARS } from '../../utterance';
import { parseTimestamp } from '../fields';
import { type NamedTurn, idFromFile, namedConversation } from '../named-turns';
import { problemItem, type ImportItem, type ImportOptions, type Importer, type TextSource } from '../types';

const LINE =
  /^(?:\[([^\]]{1,40})\]\s*|(\d{4}[-/]\d{1,2}[-/]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}:\d{2}(?::\d{2})?)\s+)?([^:：[\]\s][^:：[\]]{0,39}?)\s*[:：]\s?(.*)$/;
const SEPARATOR = /^(?:={3,}|-{3,})\s*(.*?)\s*(?:={3,}|-{3,})?$/;

export function parseChatLine(text: string): { time?: string; name: string; message: string } | undefined {
  const m = LINE.exec(text);
  if (!m) return undefined;
  const time = m[1] ?? m[2];
  // `12:30` alone would parse as name "12", message "30": a name is not only digits.
  if (/^\d+$/.test(m[3]!)) return undefined;
  return { ...(time ? { time } : {}), name: m[3]!.trim(), message: m[4] ?? '' };
}

export const chatTextImporter: Importer = {
  id: 'chat',
  description: 'plain-text chat export: "name: message" or "[time] name: message" lines',
  sniff(head, fileName) {
    const lines = head
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .slice(0, 40);
    if (lines.length === 0 || lines[0]!.startsWith('{') || /^WEBVTT/.test(lines[0]!)) return 0;
    if (lines.some((l) => l.includes('-->'))) return 0;
    const named = lines.filter((l) => parseChatLine(l) || SEPARATOR.test(l)).length;
    const share = named / lines.length;
    return share >= 0.6 ? (/\.(txt|log)$/i.test(fileName) ? 0.85 : 0.6) * share : 0;
  },
  async *read(source: TextSource, opts: ImportOptions): AsyncIterable<ImportItem> {
    const agentNames = new Set(opts.agentNames ?? []);
    const channel = opts.channel ?? 'chat';
    let id = idFromFile(opts.file);
    let part = 0;
    let turns: NamedTurn[] = [];
    let lastTs = 0;
    const flush = (): ImportItem | undefined => {
      if (turns.length === 0) return undefined;
      const conv = namedConversation(id, turns, { file: opts.file, channel, agentNames, source: 'import' });
      turns = [];
      return { kind: 'conversation', conversation: conv };
    };
    for await (const { line, text } of source.lines()) {
      const t = text.trim();
      if (t === '') continue;
      const sep = SEPARATOR.exec(t);
      if (sep) {
        const done = flush();
        if (done) yield done;
        part++;
        id = sep[1] ? sep[1].slice(0, 200) : `${idFromFile(opts.file)}#${part}`;
        lastTs = 0;
        continue;
      }
      const parsed = parseChatLine(t);
      if (!parsed) {
        const prev = turns[turns.length - 1];
        if (prev && prev.text.length + t.length < MAX_UTTERANCE_CHARS) prev.text += `\n${t}`;
        else yield problemItem(opts.file, line, 'line without a speaker name', t.slice(0, 60));
        continue;
      }
      if (parsed.message.length > MAX_UTTERANCE_CHARS) {
        yield problemItem(opts.file, line, 'text too long', `${parsed.message.length} characters`);
        continue;
      }
      let ts = lastTs;
      if (parsed.time !== undefined) {
        const v = parseTimestamp(parsed.time);
        if (v === undefined) {
          yield problemItem(opts.file, line, 'bad timestamp', parsed.time);
          continue;
        }
        ts = v;
      }
      lastTs = ts;
      turns.push({ name: parsed.name, text: parsed.message, ts, line });
    }
    const done = flush();
    if (done) yield done;
  },
};
