/**
 * Personal-data duties of the endpoint: the audit log of who saw or changed what, retention (data
 * older than the organisation's retention days is deleted on a timer and on demand), and export
 * and erasure of one customer's data on request (PIPL art. 45/47, GDPR art. 15/17), found by the
 * customer hash the device computed or by conversation ids.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ServerContext } from './context';
import type { Principal } from './principal';
import { DAY_MS, type QaDB, qaDb } from './qa/db';

/** Record one audited action (reads of conversations and evidence, admin changes, exports…). */
export async function recordAudit(
  ctx: Pick<ServerContext, 'db' | 'now'>,
  p: Pick<Principal, 'orgId' | 'userId'>,
  action: string,
  conversationId: string | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await qaDb(ctx)
    .insertInto('qa_audit')
    .values({
      org_id: p.orgId,
      conversation_id: conversationId,
      user_id: p.userId,
      action,
      detail: JSON.stringify(detail),
      created_at: ctx.now(),
    })
    .execute();
}

type Db = Kysely<QaDB> | Transaction<QaDB>;

/** Tables keyed by conversation that hold what was said or decided about it. */
const BY_CONVERSATION = [
  'findings',
  'alerts',
  'alert_actions',
  'resolutions',
  'qa_scores',
  'qa_conv_rules',
  'qa_transcripts',
  'qa_reviews',
  'qa_comments',
  'qa_appeals',
  'qa_feedback',
  'qa_queue',
  'qa_cases',
] as const;

/** The conversation ids of `orgId` that a request names, by customer hash and/or ids. */
export async function conversationsOf(
  db: Db,
  orgId: string,
  by: { customerHash?: string; conversationIds?: string[] },
): Promise<string[]> {
  const ids = new Set<string>();
  if (by.customerHash) {
    const rows = await db
      .selectFrom('conversations')
      .select('id')
      .where('org_id', '=', orgId)
      .where('customer_hash', '=', by.customerHash)
      .execute();
    for (const r of rows) ids.add(r.id);
  }
  if (by.conversationIds && by.conversationIds.length > 0) {
    // Conversations may be known only through their findings (metadata not synced).
    const [conv, fnd] = await Promise.all([
      db
        .selectFrom('conversations')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', 'in', by.conversationIds)
        .execute(),
      db
        .selectFrom('findings')
        .select('conversation_id as id')
        .distinct()
        .where('org_id', '=', orgId)
        .where('conversation_id', 'in', by.conversationIds)
        .execute(),
    ]);
    for (const r of [...conv, ...fnd]) ids.add(r.id);
  }
  return [...ids].sort();
}

/** Everything stored about these conversations, table by table (for a subject access request). */
export async function exportConversations(
  db: Db,
  orgId: string,
  ids: string[],
): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  if (ids.length === 0) return out;
  out.conversations = await db
    .selectFrom('conversations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
  for (const table of BY_CONVERSATION) {
    out[table] = await (db as Kysely<QaDB>)
      .selectFrom(table as 'findings')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('conversation_id', 'in', ids)
      .execute();
  }
  out.qa_calibration_ratings = await db
    .selectFrom('qa_calibration_ratings')
    .selectAll()
    .where('conversation_id', 'in', ids)
    .where('session_id', 'in', db.selectFrom('qa_calibrations').select('id').where('org_id', '=', orgId))
    .execute();
  return out;
}

/**
 * Delete these conversations and everything hanging off them, in one transaction. Aggregates
 * without personal data (daily rule counts) and the audit log stay. Returns rows deleted per table.
 */
export async function deleteConversations(
  db: Kysely<QaDB>,
  orgId: string,
  ids: string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (ids.length === 0) return counts;
  await db.transaction().execute(async (trx) => {
    const findingIds = trx
      .selectFrom('findings')
      .select('id')
      .where('org_id', '=', orgId)
      .where('conversation_id', 'in', ids);
    const alertIds = trx
      .selectFrom('alerts')
      .select('id')
      .where('org_id', '=', orgId)
      .where('conversation_id', 'in', ids);
    const n = (r: { numDeletedRows: bigint }[]) => r.reduce((s, x) => s + Number(x.numDeletedRows), 0);
    counts.pending_escalations = n(
      await trx.deleteFrom('pending_escalations').where('finding_id', 'in', findingIds).execute(),
    );
    counts.qa_finding_status = n(
      await trx.deleteFrom('qa_finding_status').where('finding_id', 'in', findingIds).execute(),
    );
    counts.webhook_deliveries = n(
      await trx.deleteFrom('webhook_deliveries').where('alert_id', 'in', alertIds).execute(),
    );
    counts.qa_calibration_ratings = n(
      await trx
        .deleteFrom('qa_calibration_ratings')
        .where('conversation_id', 'in', ids)
        .where('session_id', 'in', trx.selectFrom('qa_calibrations').select('id').where('org_id', '=', orgId))
        .execute(),
    );
    for (const table of BY_CONVERSATION) {
      counts[table] = n(
        await (trx as Transaction<QaDB>)
          .deleteFrom(table as 'findings')
          .where('org_id', '=', orgId)
          .where('conversation_id', 'in', ids)
          .execute(),
      );
    }
    // A repeat-contact alert elsewhere may link to a deleted conversation: drop the link.
    await trx
      .updateTable('alerts')
      .set({ linked_conversation_id: null })
      .where('org_id', '=', orgId)
      .where('linked_conversation_id', 'in', ids)
      .execute();
    counts.conversations = n(
      await trx.deleteFrom('conversations').where('org_id', '=', orgId).where('id', 'in', ids).execute(),
    );
  });
  return counts;
}

/** Conversations deleted per retention run and organisation at most, so one run stays short. */
const RETENTION_BATCH = 500;

export interface RetentionReport {
  orgs: number;
  conversations: number;
  rows: number;
}

/**
 * Delete what is older than each organisation's retention days: conversations (by start, or by
 * their newest finding when the metadata never arrived) with everything hanging off them, plus
 * expired sessions, enrolment codes and sent webhook deliveries. Runs until nothing is left.
 */
export async function runRetention(ctx: Pick<ServerContext, 'db' | 'now'>): Promise<RetentionReport> {
  const db = qaDb(ctx);
  const now = ctx.now();
  const report: RetentionReport = { orgs: 0, conversations: 0, rows: 0 };
  const orgs = await db
    .selectFrom('orgs')
    .select(['id', 'retention_days'])
    .where('retention_days', 'is not', null)
    .execute();
  for (const org of orgs) {
    const days = org.retention_days;
    if (days === null || days <= 0) continue;
    report.orgs++;
    const cutoff = now - days * DAY_MS;
    for (;;) {
      const old = await db
        .selectFrom('conversations')
        .select('id')
        .where('org_id', '=', org.id)
        .where('started_at', '<', cutoff)
        .limit(RETENTION_BATCH)
        .execute();
      const orphans = await db
        .selectFrom('findings')
        .select('conversation_id as id')
        .where('org_id', '=', org.id)
        .groupBy('conversation_id')
        .having((eb) => eb.fn.max('ts'), '<', cutoff)
        .limit(RETENTION_BATCH)
        .execute();
      const ids = [...new Set([...old, ...orphans].map((r) => r.id))];
      if (ids.length === 0) break;
      const counts = await deleteConversations(db, org.id, ids);
      report.conversations += counts.conversations ?? 0;
      report.rows += Object.values(counts).reduce((s, x) => s + x, 0);
    }
    const alerts = await db
      .deleteFrom('alerts')
      .where('org_id', '=', org.id)
      .where('created_at', '<', cutoff)
      .executeTakeFirst();
    report.rows += Number(alerts.numDeletedRows);
    const actions = await db
      .deleteFrom('alert_actions')
      .where('org_id', '=', org.id)
      .where('created_at', '<', cutoff)
      .executeTakeFirst();
    report.rows += Number(actions.numDeletedRows);
  }
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  const codes = await db
    .deleteFrom('enrolment_codes')
    .where('expires_at', '<', now - DAY_MS)
    .executeTakeFirst();
  const sent = await db
    .deleteFrom('webhook_deliveries')
    .where('status', '<>', 'pending')
    .where('next_at', '<', now - 30 * DAY_MS)
    .executeTakeFirst();
  report.rows += Number(sessions.numDeletedRows) + Number(codes.numDeletedRows) + Number(sent.numDeletedRows);
  return report;
}
