/**
 * Alerts for leads, QA and admins: a list, and a Server-Sent Events stream that resumes from
 * Last-Event-ID. The per-lead rate limit does not drop alerts (they are evidence); alerts over
 * the limit arrive with `notify: false`, so the panel lists them without another desktop ping.
 */
import { createRoute } from '@hono/zod-openapi';
import type { SSEStreamingApi } from 'hono/streaming';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { Alert } from '../../lib/sync/protocol';
import { type AlertRow, toAlert } from '../alerts/engine';
import type { DB } from '../db/types';
import { type App, type AppDeps, authErrors, who } from '../http';
import { HttpError, type Principal, requireRole, seesWholeOrg } from '../principal';
import { recordAudit } from '../privacy';
import { RateLimiter } from '../ratelimit';
import { eventStream } from '../sse';

/** Alerts replayed on reconnect that are older than this do not ping again. */
const REPLAY_NOTIFY_MS = 5 * 60_000;
const HEARTBEAT_MS = 15_000;

async function alertsAfter(db: Kysely<DB>, p: Principal, after: number, limit: number, teamId?: string) {
  let q = db.selectFrom('alerts').selectAll().where('org_id', '=', p.orgId).where('id', '>', after);
  if (!seesWholeOrg(p)) q = q.where('team_id', 'in', p.teamIds.length ? p.teamIds : ['']);
  if (teamId) q = q.where('team_id', '=', teamId);
  return q.orderBy('id').limit(limit).execute();
}

export const ALERT_ACTIONS = ['ack', 'take-over', 'note'] as const;
const AlertActionBody = z
  .object({
    action: z.enum(ALERT_ACTIONS),
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((a) => a.action !== 'note' || a.note, { message: 'a note needs its text', path: ['note'] });
const AlertActionView = z.object({
  id: z.number().int(),
  action: z.enum(ALERT_ACTIONS),
  note: z.string().optional(),
  userId: z.string(),
  at: z.number(),
});
const AlertIdParam = z.object({ id: z.coerce.number().int().positive() });

/** An alert the caller may see (org, and team unless they see the whole org), or 404. */
async function visibleAlert(db: Kysely<DB>, p: Principal, id: number) {
  let q = db
    .selectFrom('alerts')
    .select(['id', 'conversation_id'])
    .where('org_id', '=', p.orgId)
    .where('id', '=', id);
  if (!seesWholeOrg(p)) q = q.where('team_id', 'in', p.teamIds.length ? p.teamIds : ['']);
  const row = await q.executeTakeFirst();
  if (!row) throw new HttpError(404, 'not_found', 'no such alert in your teams');
  return row;
}

export function registerAlerts(app: App, deps: AppDeps): void {
  const { ctx } = deps;
  const perMinute = ctx.limits.leadAlertsPerMinute;
  const leadLimiter = new RateLimiter(perMinute / 60, perMinute, ctx.now);
  // One decision per (lead, alert), so the side panel and the console agree.
  const decided = new Map<string, boolean>();
  const notifyFor = (p: Principal, row: AlertRow): boolean => {
    if (!row.notify) return false;
    if (ctx.now() - row.created_at > REPLAY_NOTIFY_MS) return false;
    if (p.role !== 'lead') return true;
    const key = `${p.userId}:${row.id}`;
    let ok = decided.get(key);
    if (ok === undefined) {
      ok = leadLimiter.take(p.userId) === 0;
      if (decided.size > 50_000) decided.clear();
      decided.set(key, ok);
    }
    return ok;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/alerts',
      tags: ['alerts'],
      summary: 'Alerts of the caller’s teams after an id, oldest first',
      request: {
        query: z.object({
          after: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          teamId: z.string().max(100).optional(),
        }),
      },
      responses: {
        200: {
          description: 'alerts',
          content: { 'application/json': { schema: z.object({ alerts: z.array(Alert) }) } },
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['lead', 'qa', 'admin']);
      const { after, limit, teamId } = c.req.valid('query');
      const rows = await alertsAfter(ctx.db, p, after, limit, teamId);
      return c.json({ alerts: rows.map((r) => toAlert(r, ctx.publicUrl())) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/alerts/{id}/actions',
      tags: ['alerts'],
      summary: 'Record what a lead did about an alert: acknowledged, took over, or a note',
      request: {
        params: AlertIdParam,
        body: { content: { 'application/json': { schema: AlertActionBody } }, required: true },
      },
      responses: {
        201: {
          description: 'recorded',
          content: { 'application/json': { schema: z.object({ id: z.number().int() }) } },
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['lead', 'qa', 'admin']);
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const alert = await visibleAlert(ctx.db, p, id);
      const row = await ctx.db
        .insertInto('alert_actions')
        .values({
          org_id: p.orgId,
          alert_id: id,
          conversation_id: alert.conversation_id,
          user_id: p.userId,
          action: body.action,
          note: body.note ?? null,
          created_at: ctx.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(ctx, p, `alert.${body.action}`, alert.conversation_id, { alertId: id });
      return c.json({ id: row.id }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/alerts/{id}/actions',
      tags: ['alerts'],
      summary: 'What leads did about an alert, oldest first',
      request: { params: AlertIdParam },
      responses: {
        200: {
          description: 'actions',
          content: { 'application/json': { schema: z.object({ actions: z.array(AlertActionView) }) } },
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['lead', 'qa', 'admin']);
      const { id } = c.req.valid('param');
      await visibleAlert(ctx.db, p, id);
      const rows = await ctx.db
        .selectFrom('alert_actions')
        .selectAll()
        .where('org_id', '=', p.orgId)
        .where('alert_id', '=', id)
        .orderBy('id')
        .execute();
      const actions = rows.map((r) => ({
        id: r.id,
        action: r.action as (typeof ALERT_ACTIONS)[number],
        ...(r.note ? { note: r.note } : {}),
        userId: r.user_id,
        at: r.created_at,
      }));
      return c.json({ actions }, 200);
    },
  );

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/alerts/stream',
    tags: ['alerts'],
    summary: 'Server-Sent Events: `alert` events (data: Alert, id: alert id); resume with Last-Event-ID',
    responses: { 200: { description: 'text/event-stream' }, ...authErrors },
  });

  app.get('/v1/alerts/stream', async (c) => {
    const p = requireRole(await who(c, deps), ['lead', 'qa', 'admin']);
    const lastHeader = c.req.header('last-event-id') ?? c.req.query('lastEventId') ?? '0';
    let sent = Number.parseInt(lastHeader, 10);
    if (!Number.isFinite(sent) || sent < 0) sent = 0;
    const resumedFrom = sent;
    // Rows normally arrive in id order; should one overtake another, both are still sent (the
    // client de-duplicates by id), so an alert is never skipped.
    const delivered = new Set<number>();
    const send = async (stream: SSEStreamingApi, row: AlertRow) => {
      if (row.id <= resumedFrom || delivered.has(row.id)) return;
      delivered.add(row.id);
      if (delivered.size > 10_000) delivered.delete(delivered.values().next().value as number);
      sent = Math.max(sent, row.id);
      const alert = { ...toAlert(row, ctx.publicUrl()), notify: notifyFor(p, row) };
      await stream.writeSSE({ id: String(row.id), event: 'alert', data: JSON.stringify(alert) });
    };
    return eventStream<AlertRow>(c, {
      // A lead's panel reconnects within this (full jitter below it, lib/sync/sse.ts): alerts are
      // due within a second, and one request a second per lead while the endpoint restarts is cheap.
      retryMs: 1000,
      heartbeatMs: HEARTBEAT_MS,
      subscribe: (push) => deps.hub.subscribe(p, push),
      async catchUp(stream) {
        for (;;) {
          const page = await alertsAfter(ctx.db, p, sent, 500);
          for (const row of page) await send(stream, row);
          if (page.length < 500) break;
        }
      },
      ready: () => JSON.stringify({ lastEventId: sent }),
      async deliver(stream, rows) {
        for (const row of rows.sort((a, b) => a.id - b.id)) await send(stream, row);
      },
    });
  });
}
