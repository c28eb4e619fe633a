import type { PiiKind, PiiType } from './types';

/** A match before placeholders are chosen. */
export interface Candidate {
  start: number;
  end: number;
  type: PiiType;
  kind: PiiKind;
  patternId?: string;
}
