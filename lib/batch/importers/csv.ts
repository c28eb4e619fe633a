/**
 * CSV/TSV exports, one turn per row. Columns are found by header name (common zh/en names) or
 * given with `--map speaker=角色,text=内容,conversation=会话ID,…`. Encodings and line endings are
 * handled by the source (GBK/GB18030, UTF-8 with or without BOM, CRLF).
 */
import { MAX_UTTERANCE_CHARS } from '../../utterance';
import { csvRecords, sniffDelimiter } from '../csv';
import { parseChannel, parseSpeaker, parseTimestamp } from '../fields';
import { RowGrouper } from '../group';
import {
  type ColumnMap,
  ImportError,
  type ImportItem,
  type ImportOptions,
  type Importer,
  MAPPED_FIELDS,
  type MappedField,
  problemItem,
  type TextSource,
} from '../types';

/** Header names recognised without `--map`, compared case- and punctuation-insensitively. */
const ALIASES: Record<MappedField, string[]> = {
  conversation: [
    'conversationid',
    'conversation',
    'sessionid',
    'session',
    'contactid',
    'callid',
    'chatid',
    'ticketid',
    '会话id',
    '会话',
    '会话编号',
    '对话id',
    '通话id',
    '通话编号',
    '工单号',
    '會話id',
    '會話編號',
    '對話id',
    '通話id',
  ],
  seq: ['seq', 'sequence', 'turn', 'index', 'no', '序号', '轮次', '序號', '輪次'],
  speaker: [
    'speaker',
    'role',
    'sender',
    'from',
    'participant',
    'speakerrole',
    '角色',
    '发言人',
    '说话人',
    '发送者',
    '發言人',
    '說話人',
    '發送者',
  ],
  text: [
    'text',
    'content',
    'message',
    'utterance',
    'transcript',
    'body',
    '内容',
    '消息',
    '文本',
    '消息内容',
    '內容',
    '訊息',
    '文字',
  ],
  ts: [
    'ts',
    'time',
    'timestamp',
    'datetime',
    'createdat',
    'sentat',
    'date',
    '时间',
    '发送时间',
    '時間',
    '發送時間',
  ],
  agent: [
    'agentid',
    'agent',
    'agentname',
    'staffid',
    'operatorid',
    '坐席',
    '坐席工号',
    '客服工号',
    '工号',
    '客服',
    '坐席id',
    '工號',
    '客服工號',
  ],
  channel: ['channel', 'medium', 'type', '渠道', '通道', '类型', '類型'],
};

const key = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_\-.:：()（）]/g, '');

export function parseColumnMap(spec: string): ColumnMap {
  const map: ColumnMap = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const field = part.slice(0, eq).trim() as MappedField;
    if (eq < 1 || !MAPPED_FIELDS.includes(field))
      throw new Error(
        `--map: "${part}" should be field=column with field one of ${MAPPED_FIELDS.join(', ')}`,
      );
    map[field] = part.slice(eq + 1).trim();
  }
  return map;
}

function resolveColumns(
  header: string[],
  map: ColumnMap | undefined,
  file: string,
): Partial<Record<MappedField, number>> {
  const cols: Partial<Record<MappedField, number>> = {};
  const keys = header.map(key);
  for (const f of MAPPED_FIELDS) {
    const wanted = map?.[f];
    if (wanted !== undefined) {
      const i = header.findIndex((h) => h.trim() === wanted.trim());
      const j = i >= 0 ? i : keys.indexOf(key(wanted));
      if (j < 0)
        throw new ImportError(
          file,
          `--map ${f}=${wanted}: no such column. Columns found: ${header.map((h) => JSON.stringify(h)).join(', ')}`,
        );
      cols[f] = j;
      continue;
    }
    const i = keys.findIndex((k) => ALIASES[f].includes(k));
    if (i >= 0 && !Object.values(cols).includes(i)) cols[f] = i;
  }
  const missing = (['conversation', 'speaker', 'text'] as const).filter((f) => cols[f] === undefined);
  if (missing.length > 0)
    throw new ImportError(
      file,
      `cannot tell which column holds ${missing.join(', ')}. Columns found: ${header
        .map((h) => JSON.stringify(h))
        .join(', ')}. Name them with --map ${missing.map((m) => `${m}=<column>`).join(',')}`,
    );
  return cols;
}

export const csvImporter: Importer = {
  id: 'csv',
  description:
    'CSV/TSV with a header row: conversation, speaker, text (+ seq, ts, agent, channel); --map to name columns',
  sniff(head, fileName) {
    if (/\.(csv|tsv)$/i.test(fileName)) return 0.9;
    const first = head.split('\n')[0] ?? '';
    const d = sniffDelimiter(first);
    const cells = first.split(d).map(key);
    const known = cells.filter((c) => Object.values(ALIASES).some((a) => a.includes(c))).length;
    return known >= 2 ? 0.8 : 0;
  },
  async *read(source: TextSource, opts: ImportOptions): AsyncIterable<ImportItem> {
    const delimiter = sniffDelimiter(source.head.split('\n')[0] ?? '');
    const grouper = new RowGrouper(opts.file, 'import');
    const agentNames = new Set(opts.agentNames ?? []);
    let cols: Partial<Record<MappedField, number>> | undefined;
    let width = 0;
    const bad = (line: number, reason: string, detail?: string) =>
      problemItem(opts.file, line, reason, detail);
    for await (const rec of csvRecords(source.lines(), delimiter)) {
      if ('error' in rec) {
        yield bad(rec.line, 'malformed CSV', rec.error);
        continue;
      }
      if (!cols) {
        cols = resolveColumns(rec.fields, opts.map, opts.file);
        width = rec.fields.length;
        continue;
      }
      const f = rec.fields;
      const cell = (k: MappedField) => (cols![k] === undefined ? undefined : f[cols![k]!]);
      if (f.length < width && f.length <= Math.max(cols.conversation!, cols.speaker!, cols.text!)) {
        yield bad(rec.line, 'too few columns', `${f.length} of ${width}`);
        continue;
      }
      const conversationId = (cell('conversation') ?? '').trim();
      if (conversationId === '' || conversationId.length > 200) {
        yield bad(rec.line, 'missing conversation id');
        continue;
      }
      const rawSpeaker = cell('speaker') ?? '';
      const speaker = parseSpeaker(rawSpeaker, agentNames);
      if (!speaker) {
        yield bad(rec.line, 'unknown speaker', rawSpeaker);
        continue;
      }
      const text = cell('text') ?? '';
      if (text.length > MAX_UTTERANCE_CHARS) {
        yield bad(rec.line, 'text too long');
        continue;
      }
      const rawTs = cell('ts');
      const ts = rawTs === undefined || rawTs.trim() === '' ? 0 : parseTimestamp(rawTs);
      if (ts === undefined) {
        yield bad(rec.line, 'bad timestamp', rawTs);
        continue;
      }
      const rawSeq = cell('seq');
      const seq = rawSeq === undefined || rawSeq.trim() === '' ? undefined : Number(rawSeq);
      if (seq !== undefined && !(Number.isInteger(seq) && seq >= 0)) {
        yield bad(rec.line, 'bad seq', rawSeq);
        continue;
      }
      const rawChannel = cell('channel');
      const channel =
        rawChannel === undefined || rawChannel.trim() === ''
          ? (opts.channel ?? 'chat')
          : parseChannel(rawChannel);
      if (!channel) {
        yield bad(rec.line, 'unknown channel', rawChannel);
        continue;
      }
      const agentId = cell('agent')?.trim();
      yield* grouper.add({
        conversationId,
        ...(seq === undefined ? {} : { seq }),
        speaker,
        text,
        ts,
        channel,
        ...(agentId ? { agentId: agentId.slice(0, 200) } : {}),
        line: rec.line,
      });
    }
    if (!cols) throw new ImportError(opts.file, 'empty CSV: no header row');
    yield* grouper.finish();
  },
};
