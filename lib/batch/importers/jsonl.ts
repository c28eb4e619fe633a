/**
 * JSON Lines of utterances, the project's own format (lib/utterance.ts), one turn per line:
 * {"conversationId","seq","speaker","text","ts","channel","source"?, "agentId"?}. `seq`, `ts`,
 * `channel` and `source` may be left out; rows of one conversation should be kept together.
 */
import { MAX_UTTERANCE_CHARS } from '../../utterance';
import { parseChannel, parseSpeaker, parseTimestamp } from '../fields';
import { RowGrouper } from '../group';
import { problemItem, type ImportItem, type ImportOptions, type Importer, type TextSource } from '../types';

export const jsonlImporter: Importer = {
  id: 'jsonl',
  description: 'JSON Lines of utterances {"conversationId","seq","speaker","text","ts","channel"}',
  sniff(head, fileName) {
    const first =
      head
        .split('\n')
        .find((l) => l.trim() !== '')
        ?.trim() ?? '';
    if (!first.startsWith('{')) return 0;
    try {
      const o = JSON.parse(first) as Record<string, unknown>;
      if ('conversationId' in o && 'text' in o) return 1;
      return 0;
    } catch {
      // A pretty-printed JSON document (Contact Lens) starts with `{` too but is not one line.
      return /\.jsonl$/i.test(fileName) ? 0.5 : 0;
    }
  },
  async *read(source: TextSource, opts: ImportOptions): AsyncIterable<ImportItem> {
    const grouper = new RowGrouper(opts.file, 'import');
    const bad = (line: number, reason: string, detail?: string) =>
      problemItem(opts.file, line, reason, detail);
    for await (const { line, text } of source.lines()) {
      if (text.trim() === '') continue;
      let o: Record<string, unknown>;
      try {
        const v: unknown = JSON.parse(text);
        if (typeof v !== 'object' || v === null || Array.isArray(v)) {
          yield bad(line, 'not a JSON object');
          continue;
        }
        o = v as Record<string, unknown>;
      } catch {
        yield bad(line, 'not JSON');
        continue;
      }
      const conv = o.conversationId;
      if (typeof conv !== 'string' || conv === '' || conv.length > 200) {
        yield bad(line, 'missing conversationId');
        continue;
      }
      if (typeof o.text !== 'string' || o.text.length > MAX_UTTERANCE_CHARS) {
        yield bad(line, 'missing text');
        continue;
      }
      const speaker = typeof o.speaker === 'string' ? parseSpeaker(o.speaker) : undefined;
      if (!speaker) {
        yield bad(line, 'unknown speaker', String(o.speaker));
        continue;
      }
      const seq = o.seq === undefined ? undefined : Number(o.seq);
      if (seq !== undefined && !(Number.isInteger(seq) && seq >= 0)) {
        yield bad(line, 'bad seq', String(o.seq));
        continue;
      }
      const ts =
        typeof o.ts === 'number'
          ? o.ts
          : typeof o.ts === 'string'
            ? parseTimestamp(o.ts)
            : o.ts === undefined
              ? 0
              : undefined;
      if (ts === undefined || !Number.isFinite(ts) || ts < 0) {
        yield bad(line, 'bad timestamp', String(o.ts));
        continue;
      }
      const channel = typeof o.channel === 'string' ? parseChannel(o.channel) : (opts.channel ?? 'chat');
      if (!channel) {
        yield bad(line, 'unknown channel', String(o.channel));
        continue;
      }
      const agentId = typeof o.agentId === 'string' && o.agentId !== '' ? o.agentId.slice(0, 200) : undefined;
      yield* grouper.add({
        conversationId: conv,
        ...(seq === undefined ? {} : { seq }),
        speaker,
        text: o.text,
        ts,
        channel,
        ...(agentId ? { agentId } : {}),
        line,
      });
    }
    yield* grouper.finish();
  },
};
