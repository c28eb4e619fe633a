/**
 * Ingest of findings, conversation metadata and resolution events from a device. Items are
 * checked one by one (bad ones are named in `rejected`, good ones stored); the good ones are
 * written in one transaction with their alerts, so a failure stores nothing and the device
 * retries the whole batch, which is safe because every write is idempotent.
 */
import type { Kysely } from 'kysely';
import { Severity } from '../lib/finding';
import {
  ConversationMeta,
  FindingItem,
  type IngestResponse,
  MAX_INGEST_ITEMS,
  type Rejection,
  ResolutionEvent,
} from '../lib/sync/protocol';
import { type AlertRow, type NewAlert, insertAlerts, teamSettings } from './alerts/engine';
import { type TeamSettings, atLeast, parseSettings, shouldNotify } from './alerts/policy';
import type { ServerContext } from './context';
import { urgentLane } from './db/priority';
import type { DB } from './db/types';
import { HttpError, type Principal } from './principal';

/** Device clocks drift; a finding from far in the future is a bug or an attack, not a finding. */
const MAX_FUTURE_MS = 24 * 3600_000;
const DAY_MS = 24 * 3600_000;
const SETTINGS_TTL_MS = 5_000;

function issues(err: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(item)'}: ${i.message}`)
    .join('; ');
}

function idOf(raw: unknown, path: 'id' | 'finding.id'): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const v = path === 'id' ? o.id : (o.finding as Record<string, unknown> | undefined)?.id;
  return typeof v === 'string' && v.length <= 200 ? v : undefined;
}

function arrayField(body: Record<string, unknown>, name: string): unknown[] {
  const v = body[name];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new HttpError(400, 'bad_request', `${name} must be an array`);
  return v;
}

/** The team's alert policy, cached for a few seconds (ingest reads it on every request). */
export async function teamPolicy(ctx: ServerContext, teamId: string): Promise<TeamSettings> {
  const now = ctx.now();
  let cached = ctx.settingsCache.get(teamId);
  if (!cached || now - cached.at > SETTINGS_TTL_MS) {
    cached = { settings: (await teamSettings(ctx.db, [teamId])).get(teamId) ?? parseSettings({}), at: now };
    ctx.settingsCache.set(teamId, cached);
  }
  return cached.settings;
}

const SEVERITIES = new Set<string>(Severity.options);

/**
 * Whether a parsed, not yet validated body carries something a lead is waiting for: a finding at
 * or above the team's alert threshold, or a resolution event that may cancel one. A cheap scan,
 * so the request can take the urgent lane before the items are validated; a body that only
 * claims urgency is still validated item by item like any other.
 */
export function carriesUrgent(body: unknown, policy: TeamSettings): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as { findings?: unknown; events?: unknown };
  if (Array.isArray(b.events) && b.events.length > 0) return true;
  if (!Array.isArray(b.findings)) return false;
  for (const raw of b.findings) {
    const sev = (raw as { finding?: { severity?: unknown } } | null)?.finding?.severity;
    if (typeof sev === 'string' && SEVERITIES.has(sev) && atLeast(sev as Severity, policy.alertMinSeverity))
      return true;
  }
  return false;
}

export interface IngestResult {
  response: IngestResponse;
  alerts: AlertRow[];
}

export async function ingestBatch(ctx: ServerContext, p: Principal, body: unknown): Promise<IngestResult> {
  if (p.kind !== 'device' || !p.deviceId || !p.deviceTeamId) {
    throw new HttpError(403, 'forbidden', 'ingest is for enrolled devices');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'bad_request', 'body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const rawConversations = arrayField(b, 'conversations');
  const rawFindings = arrayField(b, 'findings');
  const rawEvents = arrayField(b, 'events');
  const total = rawConversations.length + rawFindings.length + rawEvents.length;
  if (total > MAX_INGEST_ITEMS) {
    throw new HttpError(413, 'too_many_items', `at most ${MAX_INGEST_ITEMS} items per request, got ${total}`);
  }

  const now = ctx.now();
  const rejected: Rejection[] = [];
  const reject = (kind: Rejection['kind'], index: number, id: string | undefined, reason: string) => {
    const r: Rejection = { kind, index, reason };
    if (id !== undefined) r.id = id;
    rejected.push(r);
  };

  const conversations: { index: number; c: ConversationMeta }[] = [];
  for (let index = 0; index < rawConversations.length; index++) {
    const raw = rawConversations[index];
    const r = ConversationMeta.safeParse(raw);
    if (!r.success) {
      reject('conversation', index, idOf(raw, 'id'), issues(r.error));
      continue;
    }
    if (r.data.startedAt > now + MAX_FUTURE_MS) {
      reject('conversation', index, r.data.id, 'startedAt is in the future');
      continue;
    }
    // The same conversation twice in one batch (a copy queued when it ended): one row, the later
    // copy filling in what it adds. PostgreSQL refuses to upsert one row twice in a statement.
    const prev = conversations.find((x) => x.c.id === r.data.id);
    if (prev) {
      prev.c = {
        ...prev.c,
        ...Object.fromEntries(Object.entries(r.data).filter(([, v]) => v !== undefined)),
      } as ConversationMeta;
      continue;
    }
    conversations.push({ index, c: r.data });
  }
  const findings: { index: number; f: FindingItem }[] = [];
  const seenFinding = new Set<string>();
  for (let index = 0; index < rawFindings.length; index++) {
    const raw = rawFindings[index];
    const r = FindingItem.safeParse(raw);
    if (!r.success) {
      reject('finding', index, idOf(raw, 'finding.id'), issues(r.error));
      continue;
    }
    const f = r.data.finding;
    if (f.ts > now + MAX_FUTURE_MS) {
      reject('finding', index, f.id, 'ts is in the future');
      continue;
    }
    const backwards = f.evidence.find((e) => e.end < e.start);
    if (backwards) {
      reject('finding', index, f.id, `evidence ${backwards.seq}: end before start`);
      continue;
    }
    // The same id twice in one batch is a retry artefact, not an error: store it once.
    if (seenFinding.has(f.id)) continue;
    seenFinding.add(f.id);
    findings.push({ index, f: r.data });
  }
  const events: { index: number; e: ResolutionEvent }[] = [];
  const seenEvent = new Set<string>();
  for (let index = 0; index < rawEvents.length; index++) {
    const raw = rawEvents[index];
    const r = ResolutionEvent.safeParse(raw);
    if (!r.success) {
      reject('event', index, idOf(raw, 'id'), issues(r.error));
      continue;
    }
    if (seenEvent.has(r.data.id)) continue;
    seenEvent.add(r.data.id);
    events.push({ index, e: r.data });
  }

  const orgId = p.orgId;
  const teamId = p.deviceTeamId;
  const deviceId = p.deviceId;

  const policy = await teamPolicy(ctx, teamId);
  // Most batches are findings below the alert threshold: one INSERT, atomic on its own, saves
  // the BEGIN/COMMIT round trips. Anything that writes more than one table gets a transaction.
  const alertWorthy = findings.some(({ f }) =>
    atLeast(f.finding.severity as Severity, policy.alertMinSeverity),
  );
  const single = conversations.length === 0 && events.length === 0 && !alertWorthy;
  const urgent = events.length > 0 || alertWorthy;
  const db = urgent ? ctx.urgentDb : ctx.db;
  const inTransaction = <T>(fn: (db: Kysely<DB>) => Promise<T>): Promise<T> =>
    urgentLane.run(urgent, () => (single ? fn(db) : db.transaction().execute(fn)));

  const result = await inTransaction(async (trx) => {
    const alerts: NewAlert[] = [];

    if (conversations.length > 0) {
      // A later copy of the same conversation (it ended, emotions were counted) fills in fields;
      // only the device's own user may update a conversation row.
      await trx
        .insertInto('conversations')
        .values(
          conversations.map(({ c }) => ({
            org_id: orgId,
            id: c.id,
            team_id: teamId,
            agent_user_id: p.userId,
            agent_ref: c.agentId ?? null,
            channel: c.channel,
            started_at: c.startedAt,
            ended_at: c.endedAt ?? null,
            customer_hash: c.customerHash ?? null,
            emotion: c.emotion ? JSON.stringify(c.emotion) : null,
            received_at: now,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['org_id', 'id'])
            .doUpdateSet((eb) => ({
              ended_at: eb.fn.coalesce('excluded.ended_at', 'conversations.ended_at'),
              customer_hash: eb.fn.coalesce('excluded.customer_hash', 'conversations.customer_hash'),
              emotion: eb.fn.coalesce('excluded.emotion', 'conversations.emotion'),
            }))
            .where('conversations.agent_user_id', '=', p.userId),
        )
        .execute();

      if (policy.repeatContactDays > 0) {
        for (const { c } of conversations) {
          if (!c.customerHash) continue;
          const earlier = await trx
            .selectFrom('conversations')
            .select(['id'])
            .where('org_id', '=', orgId)
            .where('customer_hash', '=', c.customerHash)
            .where('id', '<>', c.id)
            .where('started_at', '<=', c.startedAt)
            .where('started_at', '>=', c.startedAt - policy.repeatContactDays * DAY_MS)
            .orderBy('started_at', 'desc')
            .limit(1)
            .executeTakeFirst();
          if (!earlier) continue;
          alerts.push({
            org_id: orgId,
            team_id: teamId,
            kind: 'repeat-contact',
            conversation_id: c.id,
            rule_key: 'repeat-contact',
            severity: 'warning',
            title: `Repeat contact within ${policy.repeatContactDays} days`,
            finding_id: null,
            agent_user_id: p.userId,
            linked_conversation_id: earlier.id,
            finding_ts: c.startedAt,
            created_at: now,
            notify: shouldNotify(policy, 'warning', now),
          });
        }
      }
    }

    let inserted = new Set<string>();
    if (findings.length > 0) {
      const rows = await trx
        .insertInto('findings')
        .values(
          findings.map(({ f }) => ({
            id: f.finding.id,
            org_id: orgId,
            team_id: teamId,
            conversation_id: f.finding.conversationId,
            rule_key: f.finding.ruleId ?? f.finding.model ?? 'unknown',
            kind: f.finding.kind,
            severity: f.finding.severity,
            title: f.finding.title ?? null,
            body: JSON.stringify(f.finding),
            ts: f.finding.ts,
            agent_user_id: p.userId,
            device_id: deviceId,
            escalate_after_ms: f.escalateAfterMs ?? null,
            received_at: now,
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute();
      inserted = new Set(rows.map((r) => r.id));

      const pending: { finding_id: string; org_id: string; team_id: string; due_at: number }[] = [];
      for (const { f } of findings) {
        const fd = f.finding;
        if (!inserted.has(fd.id)) continue;
        if (!atLeast(fd.severity as Severity, policy.alertMinSeverity)) continue;
        const ruleKey = fd.ruleId ?? fd.model ?? 'unknown';
        if (f.escalateAfterMs && f.escalateAfterMs > 0) {
          // The window runs on the device's clock unless that clock is far off from ours.
          const start = Math.abs(fd.ts - now) < 10 * 60_000 ? fd.ts : now;
          pending.push({
            finding_id: fd.id,
            org_id: orgId,
            team_id: teamId,
            due_at: start + f.escalateAfterMs,
          });
          continue;
        }
        alerts.push({
          org_id: orgId,
          team_id: teamId,
          kind: 'finding',
          conversation_id: fd.conversationId,
          rule_key: ruleKey,
          severity: fd.severity,
          title: fd.title ?? ruleKey,
          finding_id: fd.id,
          agent_user_id: p.userId,
          linked_conversation_id: null,
          finding_ts: fd.ts,
          created_at: now,
          notify: shouldNotify(policy, fd.severity as Severity, now),
        });
      }
      if (pending.length > 0) {
        await trx
          .insertInto('pending_escalations')
          .values(pending)
          .onConflict((oc) => oc.column('finding_id').doNothing())
          .execute();
      }
    }

    if (events.length > 0) {
      await trx
        .insertInto('resolutions')
        .values(
          events.map(({ e }) => ({
            id: e.id,
            org_id: orgId,
            conversation_id: e.conversationId,
            rule_id: e.ruleId,
            ts: e.ts,
            received_at: now,
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }

    const alertRows = await insertAlerts(trx, alerts, now);
    return { inserted, alertRows };
  });

  const response: IngestResponse = {
    accepted: {
      conversations: [...new Set(conversations.map(({ c }) => c.id))],
      findings: [...seenFinding],
      events: [...seenEvent],
    },
    duplicates: seenFinding.size - result.inserted.size,
    rejected,
  };
  return { response, alerts: result.alertRows };
}
