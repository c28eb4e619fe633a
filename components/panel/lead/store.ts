/**
 * Lead mode: the team's pushed alerts (from the endpoint's SSE stream, lib/sync/sse.ts), newest
 * first, with what the lead did about each (acknowledged, took over, notes) kept as feedback events.
 */
import { computed, signal } from '@preact/signals';
import type { Severity } from '@/lib/finding';
import type { Alert } from '@/lib/sync/protocol';
import type { FeedbackEvent } from '../feedback';
import { severityRank } from '../store';

export const MAX_ALERTS = 500;

export interface AlertState {
  acked: boolean;
  tookOver: boolean;
  notes: string[];
}

export function createLeadStore(feedback: { value: readonly FeedbackEvent[] }) {
  const alerts = signal<Alert[]>([]);
  const minSeverity = signal<Severity | 'all'>('all');
  const connection = signal<{ connected: boolean; error?: string } | undefined>(undefined);

  function add(a: Alert): boolean {
    if (alerts.peek().some((x) => x.id === a.id)) return false; // a resumed stream may repeat
    alerts.value = [a, ...alerts.peek()].sort((x, y) => y.createdAt - x.createdAt).slice(0, MAX_ALERTS);
    return true;
  }

  const visible = computed(() => {
    const min = minSeverity.value;
    return min === 'all'
      ? alerts.value
      : alerts.value.filter((a) => severityRank(a.severity) >= severityRank(min));
  });

  const states = computed(() => {
    const m = new Map<number, AlertState>();
    for (const e of feedback.value) {
      if (e.alertId === undefined) continue;
      const s = m.get(e.alertId) ?? { acked: false, tookOver: false, notes: [] };
      if (e.type === 'lead-ack') s.acked = true;
      else if (e.type === 'take-over') s.tookOver = true;
      else if (e.type === 'note' && e.reason) s.notes = [...s.notes, e.reason];
      m.set(e.alertId, s);
    }
    return m;
  });

  return { alerts, minSeverity, connection, visible, states, add };
}

export type LeadStore = ReturnType<typeof createLeadStore>;

/** "12 s", "3 min", "2 h" for an alert's age. */
export function ageText(t: (k: string, s?: string) => string, ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t('ageSeconds', String(s));
  if (s < 3600) return t('ageMinutes', String(Math.floor(s / 60)));
  return t('ageHours', String(Math.floor(s / 3600)));
}
