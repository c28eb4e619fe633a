/**
 * How long transcripts stay on this device (issue 12). Enterprise policy (`retentionDays` in
 * storage.managed) wins over the local setting; without either, 30 days. A conversation expires
 * as a whole once its newest turn is older than the window, so a long chat is never cut in half.
 */
import type { SyncSettings } from '../sync/config';

export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The window from the merged sync settings (`mergeSettings`: policy over local, field by field). */
export function retentionDaysOf(settings: Pick<SyncSettings, 'retentionDays'>): number {
  return settings.retentionDays ?? DEFAULT_RETENTION_DAYS;
}

/** Turns older than this are expired. */
export function retentionCutoff(now: number, days: number): number {
  return now - days * DAY_MS;
}

/** Conversations whose newest turn is older than the cutoff, given each conversation's newest ts. */
export function expiredConversations(newestTs: ReadonlyMap<string, number>, cutoff: number): string[] {
  const out: string[] = [];
  for (const [id, ts] of newestTs) if (ts < cutoff) out.push(id);
  return out.sort();
}
