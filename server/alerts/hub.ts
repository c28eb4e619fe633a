/**
 * In-process fan-out of new alerts to open SSE streams. Alerts are durable rows, so the hub only
 * has to be fast, not reliable: a stream that misses one catches up with Last-Event-ID.
 * (Several endpoint processes on one PostgreSQL would relay through LISTEN/NOTIFY; not needed
 * for a single process.)
 */
import type { Principal } from '../principal';
import type { AlertRow } from './engine';

type Listener = (rows: AlertRow[]) => void;

export class AlertHub {
  private listeners = new Set<{ p: Principal; fn: Listener }>();

  subscribe(p: Principal, fn: Listener): () => void {
    const entry = { p, fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  publish(rows: AlertRow[]): void {
    if (rows.length === 0) return;
    this.listeners.forEach(({ p, fn }) => {
      const visible = rows.filter((r) => inScope(p, r));
      if (visible.length > 0) fn(visible);
    });
  }

  get size(): number {
    return this.listeners.size;
  }
}

export function inScope(p: Principal, row: Pick<AlertRow, 'org_id' | 'team_id'>): boolean {
  if (row.org_id !== p.orgId) return false;
  if (p.role === 'qa' || p.role === 'admin') return true;
  return p.role === 'lead' && p.teamIds.includes(row.team_id);
}
