/** Shapes shared by the batch importers, the analyser and the runner (issue 11). */
import type { Utterance } from '../utterance';

/** One conversation read from an export, ready for analysis. */
export interface ImportedConversation {
  id: string;
  agentId?: string;
  turns: Utterance[];
  /** Where it came from, for messages: `file:line` of its first row. */
  origin: string;
}

/** A row or file that could not be used; reported with file:line and skipped. */
export interface ImportProblem {
  file: string;
  line: number;
  /** Short, stable reason used to count problems in the summary (e.g. `unknown speaker`). */
  reason: string;
  detail?: string;
}

export type ImportItem =
  | { kind: 'conversation'; conversation: ImportedConversation }
  | { kind: 'problem'; problem: ImportProblem };

/** A problem item for `file:line`; an empty detail is left out. */
export function problemItem(file: string, line: number, reason: string, detail?: string): ImportItem {
  return { kind: 'problem', problem: { file, line, reason, ...(detail ? { detail } : {}) } };
}

/** A column mapping from `--map speaker=角色,text=内容,…`: field → column header. */
export type ColumnMap = Partial<Record<MappedField, string>>;
export const MAPPED_FIELDS = ['conversation', 'seq', 'speaker', 'text', 'ts', 'agent', 'channel'] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

export interface ImportOptions {
  /** The file's path as given by the user, for messages and conversation ids. */
  file: string;
  map?: ColumnMap;
  /** Names (chat exports, captions) that belong to agents; otherwise guessed (see speakers.ts). */
  agentNames?: readonly string[];
  /** Channel when the export does not say. */
  channel?: 'chat' | 'voice';
}

/** A readable file: text lines with 1-based numbers, already decoded (UTF-8, BOM, GB18030). */
export interface TextSource {
  /** The first few KB, decoded, for sniffing. */
  head: string;
  lines(): AsyncIterable<{ line: number; text: string }>;
  /** The whole text, for formats that are one JSON document per file. */
  text(maxBytes: number): Promise<string>;
}

/** One import format: sniffs content and turns a source into conversations and problems. */
export interface Importer {
  readonly id: string;
  readonly description: string;
  /** 0 (not this format) … 1 (certainly this format), from the head of the file and its name. */
  sniff(head: string, fileName: string): number;
  read(source: TextSource, opts: ImportOptions): AsyncIterable<ImportItem>;
}

/** Raised for a whole file that cannot be read: unknown format, unknown columns. */
export class ImportError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ImportError';
  }
}
