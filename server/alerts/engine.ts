/**
 * Turning stored findings into alerts. Alerts are rows: the unique (org, conversation, rule)
 * constraint de-duplicates them, their serial id orders the SSE stream (Last-Event-ID), and
 * webhook deliveries are queued in the same transaction so nothing is half-written.
 */
import { type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import type { Severity } from '../../lib/finding';
import type { Alert } from '../../lib/sync/protocol';
import type { AlertsTable, DB } from '../db/types';
import { atLeast, parseSettings, shouldNotify } from './policy';

export type AlertRow = Selectable<AlertsTable>;

/** Arbitrary constant key for pg_advisory_xact_lock (see insertAlerts). */
const ALERT_ORDER_LOCK = 7_121_800;
export type NewAlert = Omit<AlertRow, 'id'>;

export function toAlert(row: AlertRow, publicUrl: string): Alert {
  const base = `${publicUrl.replace(/\/+$/, '')}/console/conversations/${encodeURIComponent(row.conversation_id)}`;
  const evidenceUrl = row.finding_id ? `${base}?finding=${encodeURIComponent(row.finding_id)}` : base;
  const a: Alert = {
    id: row.id,
    kind: row.kind as Alert['kind'],
    teamId: row.team_id,
    conversationId: row.conversation_id,
    ruleKey: row.rule_key,
    severity: row.severity as Severity,
    title: row.title,
    evidenceUrl,
    createdAt: row.created_at,
    notify: row.notify,
  };
  if (row.finding_id) a.findingId = row.finding_id;
  if (row.agent_user_id) a.agentId = row.agent_user_id;
  if (row.linked_conversation_id) a.linkedConversationId = row.linked_conversation_id;
  if (row.finding_ts !== null) a.findingTs = row.finding_ts;
  return a;
}

/** Insert alerts (duplicates per conversation+rule are skipped) and queue their webhooks. */
export async function insertAlerts(
  trx: Transaction<DB> | Kysely<DB>,
  alerts: NewAlert[],
  now: number,
): Promise<AlertRow[]> {
  if (alerts.length === 0) return [];
  // Alert ids are the SSE resume cursor (Last-Event-ID), so they must become visible in id
  // order: a transaction-scoped lock makes id assignment and commit happen in the same order.
  await sql`select pg_advisory_xact_lock(${ALERT_ORDER_LOCK})`.execute(trx);
  const rows = await trx
    .insertInto('alerts')
    .values(alerts)
    .onConflict((oc) => oc.columns(['org_id', 'conversation_id', 'rule_key']).doNothing())
    .returningAll()
    .execute();
  const toNotify = rows.filter((r) => r.notify);
  if (toNotify.length === 0) return rows;
  const teamIds = [...new Set(toNotify.map((r) => r.team_id))];
  const hooks = await trx
    .selectFrom('webhooks')
    .select(['id', 'team_id', 'min_severity'])
    .where('team_id', 'in', teamIds)
    .where('enabled', '=', true)
    .execute();
  const deliveries = toNotify.flatMap((a) =>
    hooks
      .filter((h) => h.team_id === a.team_id && atLeast(a.severity as Severity, h.min_severity as Severity))
      .map((h) => ({
        webhook_id: h.id,
        alert_id: a.id,
        status: 'pending',
        attempts: 0,
        next_at: now,
        last_error: null,
        sent_at: null,
      })),
  );
  if (deliveries.length > 0) await trx.insertInto('webhook_deliveries').values(deliveries).execute();
  return rows;
}

export async function teamSettings(trx: Transaction<DB> | Kysely<DB>, teamIds: string[]) {
  if (teamIds.length === 0) return new Map<string, ReturnType<typeof parseSettings>>();
  const rows = await trx.selectFrom('teams').select(['id', 'settings']).where('id', 'in', teamIds).execute();
  return new Map(rows.map((r) => [r.id, parseSettings(r.settings)]));
}

/**
 * Escalate agent-first findings whose window has passed without a `resolved` event for the same
 * conversation and rule. Runs on a timer; `for update skip locked` lets several endpoint
 * processes share one PostgreSQL without escalating twice.
 */
export async function sweepEscalations(db: Kysely<DB>, now: number, limit = 500): Promise<AlertRow[]> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('pending_escalations as p')
      .innerJoin('findings as f', 'f.id', 'p.finding_id')
      .select([
        'p.finding_id',
        'f.org_id',
        'f.team_id',
        'f.conversation_id',
        'f.rule_key',
        'f.severity',
        'f.title',
        'f.ts',
        'f.agent_user_id',
      ])
      .where('p.due_at', '<=', now)
      .orderBy('p.due_at')
      .limit(limit)
      .forUpdate('p')
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    await trx
      .deleteFrom('pending_escalations')
      .where(
        'finding_id',
        'in',
        due.map((d) => d.finding_id),
      )
      .execute();
    const settings = await teamSettings(trx, [...new Set(due.map((d) => d.team_id))]);
    const escalate: NewAlert[] = [];
    for (const d of due) {
      const resolved = await trx
        .selectFrom('resolutions')
        .select('id')
        .where('org_id', '=', d.org_id)
        .where('conversation_id', '=', d.conversation_id)
        .where('rule_id', '=', d.rule_key)
        .where('ts', '>=', d.ts)
        .executeTakeFirst();
      if (resolved) continue;
      const s = settings.get(d.team_id) ?? parseSettings({});
      escalate.push({
        org_id: d.org_id,
        team_id: d.team_id,
        kind: 'finding',
        conversation_id: d.conversation_id,
        rule_key: d.rule_key,
        severity: d.severity,
        title: d.title ?? d.rule_key,
        finding_id: d.finding_id,
        agent_user_id: d.agent_user_id,
        linked_conversation_id: null,
        finding_ts: d.ts,
        created_at: now,
        notify: shouldNotify(s, d.severity as Severity, now),
      });
    }
    return insertAlerts(trx, escalate, now);
  });
}
