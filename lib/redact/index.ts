// On-device PII redaction: pure functions, no browser globals (runs in the extension, the server and
// the batch CLI alike). See README.md in this folder for what is detected and how to extend it.
export type {
  Detection,
  LocaleOption,
  OffsetBias,
  PiiKind,
  PiiType,
  PlaceholderLocale,
  RedactResult,
  RedactedSpan,
} from './types';
export { BUILTIN_TYPES } from './types';
export {
  type EvidenceRange,
  type RedactOptions,
  compilePatterns,
  detect,
  evidenceFrom,
  maskPreview,
  redact,
  redactEvidence,
} from './redact';
export {
  OrgPatternError,
  type OrgPatternFile,
  type OrgPatternSpec,
  type OrgPatterns,
  checkPatternSafety,
} from './org-patterns';
export { normaliseLocale } from './placeholders';
