/** Built-in kinds of personal data the redactor knows. Organisation patterns add their own type names. */
export const BUILTIN_TYPES = ['PHONE', 'ID', 'CARD', 'EMAIL', 'SSN', 'IBAN'] as const;
export type BuiltinType = (typeof BUILTIN_TYPES)[number];
/** A built-in type or the `type` of an organisation pattern (upper-case identifier). */
export type PiiType = BuiltinType | (string & {});

/** Finer label than the type, for the pre-send warning and for statistics. */
export type PiiKind =
  | 'cn-mobile'
  | 'cn-landline'
  | 'hk-phone'
  | 'tw-mobile'
  | 'tw-landline'
  | 'us-phone'
  | 'cn-id'
  | 'cn-id-15'
  | 'hk-id'
  | 'tw-id'
  | 'card'
  | 'email'
  | 'ssn'
  | 'iban'
  | 'org';

export type PlaceholderLocale = 'zh-Hans' | 'zh-Hant' | 'en';
/** `auto` picks the placeholder language from the text around each match (see README). */
export type LocaleOption = PlaceholderLocale | 'auto';

/** One detected item in UTF-16 offsets of the input, `[start, end)`. */
export interface Detection {
  start: number;
  end: number;
  type: PiiType;
  kind: PiiKind;
  /** Organisation pattern id when `kind === 'org'`. */
  patternId?: string;
  /** Safe preview for warnings: keeps at most the last four characters, e.g. `**** 1234`. */
  masked: string;
}

export interface RedactedSpan {
  start: number;
  end: number;
  type: PiiType;
  kind: PiiKind;
  /** Where the placeholder sits in the redacted text. */
  outStart: number;
  outEnd: number;
}

export type OffsetBias = 'start' | 'end';

export interface RedactResult {
  text: string;
  spans: RedactedSpan[];
  /**
   * Maps an offset of the original text to the redacted text. Offsets strictly inside a redacted
   * span snap to the placeholder's start (`bias: 'start'`, default) or end (`bias: 'end'`), so a
   * highlight never covers part of a placeholder.
   */
  map(originalOffset: number, bias?: OffsetBias): number;
}
