/**
 * The audit log, retention settings, and one customer's data on request (export, erasure).
 * Managers read the audit log; only admins change retention or erase data.
 */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { type App, type AppDeps, authErrors, who } from '../http';
import { HttpError, requireRole } from '../principal';
import {
  conversationsOf,
  deleteConversations,
  exportConversations,
  recordAudit,
  runRetention,
} from '../privacy';
import { qaDb } from '../qa/db';

const AuditEntry = z.object({
  id: z.number(),
  userId: z.string(),
  userName: z.string().nullable(),
  action: z.string(),
  conversationId: z.string().nullable(),
  detail: z.unknown(),
  createdAt: z.number(),
});
const AuditQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  action: z.string().max(100).optional(),
  userId: z.string().max(100).optional(),
  conversationId: z.string().max(200).optional(),
});
const Retention = z.object({
  /** Days to keep conversations, findings, evidence and alerts; null keeps them. */
  retentionDays: z.number().int().min(1).max(3650).nullable(),
});
const RetentionReport = z.object({ orgs: z.number(), conversations: z.number(), rows: z.number() });
const Subject = z
  .object({
    /** The customer hash the device sends (hex), as in conversation metadata. */
    customerHash: z
      .string()
      .regex(/^[0-9a-f]{16,128}$/)
      .optional(),
    conversationIds: z.array(z.string().min(1).max(200)).max(1000).optional(),
  })
  .refine((s) => s.customerHash !== undefined || (s.conversationIds?.length ?? 0) > 0, {
    message: 'give customerHash or conversationIds',
  });
const ExportBody = z.object({
  conversationIds: z.array(z.string()),
  exportedAt: z.number(),
  data: z.record(z.string(), z.array(z.unknown())),
});
const DeleteBody = z.object({
  conversationIds: z.array(z.string()),
  deleted: z.record(z.string(), z.number()),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export function registerPrivacy(app: App, deps: AppDeps): void {
  const { ctx } = deps;
  const db = qaDb(ctx);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit',
      tags: ['privacy'],
      summary: 'The audit log: who read or changed what, newest first (qa, admin)',
      request: { query: AuditQuery },
      responses: { 200: json(z.object({ entries: z.array(AuditEntry) }), 'entries'), ...authErrors },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['qa', 'admin']);
      const q = c.req.valid('query');
      let sel = db
        .selectFrom('qa_audit')
        .leftJoin('users', 'users.id', 'qa_audit.user_id')
        .select([
          'qa_audit.id',
          'qa_audit.user_id as userId',
          'users.display_name as userName',
          'qa_audit.action',
          'qa_audit.conversation_id as conversationId',
          'qa_audit.detail',
          'qa_audit.created_at as createdAt',
        ])
        .where('qa_audit.org_id', '=', p.orgId);
      if (q.after > 0) sel = sel.where('qa_audit.id', '<', q.after);
      if (q.action) sel = sel.where('qa_audit.action', '=', q.action);
      if (q.userId) sel = sel.where('qa_audit.user_id', '=', q.userId);
      if (q.conversationId) sel = sel.where('qa_audit.conversation_id', '=', q.conversationId);
      const entries = await sel.orderBy('qa_audit.id', 'desc').limit(q.limit).execute();
      return c.json({ entries }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/org/retention',
      tags: ['privacy'],
      summary: 'How long conversation data is kept (qa, admin)',
      responses: { 200: json(Retention, 'retention'), ...authErrors },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['qa', 'admin']);
      const row = await db
        .selectFrom('orgs')
        .select('retention_days')
        .where('id', '=', p.orgId)
        .executeTakeFirst();
      return c.json({ retentionDays: row?.retention_days ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/org/retention',
      tags: ['privacy'],
      summary: 'Set the retention days (admin); the next retention run deletes older data',
      request: { body: { content: { 'application/json': { schema: Retention } }, required: true } },
      responses: { 200: json(Retention, 'retention'), ...authErrors },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['admin']);
      const { retentionDays } = c.req.valid('json');
      await db.updateTable('orgs').set({ retention_days: retentionDays }).where('id', '=', p.orgId).execute();
      await recordAudit(ctx, p, 'retention-set', null, { retentionDays });
      return c.json({ retentionDays }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/org/retention/run',
      tags: ['privacy'],
      summary: 'Run retention now (admin); it also runs on a timer',
      responses: { 200: json(RetentionReport, 'what was deleted (all organisations)'), ...authErrors },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['admin']);
      const report = await runRetention(ctx);
      await recordAudit(ctx, p, 'retention-run', null, { ...report });
      return c.json(report, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/privacy/export',
      tags: ['privacy'],
      summary:
        'Everything stored about one customer (by customer hash) or some conversations, as JSON (qa, admin)',
      request: { body: { content: { 'application/json': { schema: Subject } }, required: true } },
      responses: { 200: json(ExportBody, 'export'), ...authErrors },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['qa', 'admin']);
      const subject = c.req.valid('json');
      const ids = await conversationsOf(db, p.orgId, subject);
      const data = await exportConversations(db, p.orgId, ids);
      await recordAudit(ctx, p, 'customer-export', null, {
        customerHash: subject.customerHash ?? null,
        conversationIds: ids,
      });
      return c.json({ conversationIds: ids, exportedAt: ctx.now(), data }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/privacy/delete',
      tags: ['privacy'],
      summary:
        'Erase one customer (by customer hash) or some conversations: findings, evidence, scores, alerts, conversations (admin)',
      request: { body: { content: { 'application/json': { schema: Subject } }, required: true } },
      responses: { 200: json(DeleteBody, 'rows deleted per table'), ...authErrors },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['admin']);
      const subject = c.req.valid('json');
      const ids = await conversationsOf(db, p.orgId, subject);
      if (ids.length > 5000)
        throw new HttpError(413, 'too_many', 'more than 5,000 conversations; narrow the request');
      const deleted = await deleteConversations(db, p.orgId, ids);
      await recordAudit(ctx, p, 'customer-delete', null, {
        customerHash: subject.customerHash ?? null,
        conversationIds: ids,
        deleted,
      });
      return c.json({ conversationIds: ids, deleted }, 200);
    },
  );
}
