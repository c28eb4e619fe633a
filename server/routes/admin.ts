/** Organisation structure and alert routing: teams, users, team settings, webhooks. */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { newId } from '../../lib/ids';
import { Severity } from '../../lib/finding';
import { Role } from '../../lib/sync/protocol';
import { TeamSettings } from '../alerts/policy';
import { WebhookPlatform } from '../alerts/webhook-formats';
import { hashPassword } from '../crypto';
import { type App, type AppDeps, authErrors, who } from '../http';
import { HttpError, requireRole, requireTeam, seesWholeOrg } from '../principal';
import { recordAudit } from '../privacy';

const Team = z.object({ id: z.string(), name: z.string(), settings: TeamSettings });
const NewTeam = z.object({ name: z.string().min(1).max(200) });
const NewUser = z.object({
  email: z.string().email().max(320),
  displayName: z.string().min(1).max(200),
  role: Role,
  /** Omit for users who will only sign in through OIDC or use an enrolled device. */
  password: z.string().min(10).max(1000).optional(),
  teamIds: z.array(z.string().max(100)).max(100).default([]),
});
const User = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: Role,
  teamIds: z.array(z.string()),
});
const NewWebhook = z.object({
  platform: WebhookPlatform,
  url: z
    .string()
    .url()
    .max(2000)
    .refine((u) => /^https?:\/\//.test(u), 'http(s) URL'),
  /** 钉钉 加签 secret or 飞书 signing secret. */
  secret: z.string().min(1).max(500).optional(),
  minSeverity: Severity.default('warning'),
});
const Webhook = z.object({
  id: z.string(),
  teamId: z.string(),
  platform: WebhookPlatform,
  url: z.string(),
  signed: z.boolean(),
  minSeverity: Severity,
});
const TeamParam = z.object({ teamId: z.string().max(100) });

/** Hide the key/token part of a webhook URL when listing it: it is a credential. */
function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const k of Array.from(new Set(Array.from(u.searchParams.keys())))) u.searchParams.set(k, '***');
    const path = u.pathname.length > 20 ? `${u.pathname.slice(0, 20)}…` : u.pathname;
    return `${u.origin}${path}${u.search}`;
  } catch {
    return '***';
  }
}

export function registerAdmin(app: App, deps: AppDeps): void {
  const { ctx } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/teams',
      tags: ['org'],
      summary: 'Teams the caller can see',
      responses: {
        200: {
          description: 'teams',
          content: { 'application/json': { schema: z.object({ teams: z.array(Team) }) } },
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['agent', 'lead', 'qa', 'admin']);
      let q = ctx.db.selectFrom('teams').selectAll().where('org_id', '=', p.orgId);
      if (!seesWholeOrg(p)) q = q.where('id', 'in', p.teamIds.length ? p.teamIds : ['']);
      const rows = await q.orderBy('name').execute();
      return c.json(
        {
          teams: rows.map((t) => ({
            id: t.id,
            name: t.name,
            settings: TeamSettings.parse(t.settings ?? {}),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/teams',
      tags: ['org'],
      summary: 'Create a team (admin)',
      request: { body: { content: { 'application/json': { schema: NewTeam } }, required: true } },
      responses: {
        201: { description: 'team', content: { 'application/json': { schema: Team } } },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['admin']);
      const { name } = c.req.valid('json');
      const id = newId();
      const settings = TeamSettings.parse({});
      await ctx.db
        .insertInto('teams')
        .values({ id, org_id: p.orgId, name, settings: JSON.stringify(settings), created_at: ctx.now() })
        .execute();
      await recordAudit(ctx, p, 'team-create', null, { teamId: id, name });
      return c.json({ id, name, settings }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/teams/{teamId}/settings',
      tags: ['org'],
      summary: 'Set a team’s alert policy (admin, or the team’s lead)',
      request: {
        params: TeamParam,
        body: { content: { 'application/json': { schema: TeamSettings } }, required: true },
      },
      responses: {
        200: { description: 'team', content: { 'application/json': { schema: Team } } },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['lead', 'admin']);
      const { teamId } = c.req.valid('param');
      await requireTeam(ctx, p, teamId);
      const settings = c.req.valid('json');
      const row = await ctx.db
        .updateTable('teams')
        .set({ settings: JSON.stringify(settings) })
        .where('id', '=', teamId)
        .returning(['id', 'name'])
        .executeTakeFirstOrThrow();
      ctx.settingsCache.delete(teamId);
      await recordAudit(ctx, p, 'team-settings', null, { teamId, settings });
      return c.json({ ...row, settings }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/users',
      tags: ['org'],
      summary: 'Create a user in the caller’s organisation (admin)',
      request: { body: { content: { 'application/json': { schema: NewUser } }, required: true } },
      responses: {
        201: { description: 'user', content: { 'application/json': { schema: User } } },
        409: authErrors[404],
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['admin']);
      const body = c.req.valid('json');
      for (const t of body.teamIds) await requireTeam(ctx, p, t);
      const id = newId();
      const now = ctx.now();
      const email = body.email.toLowerCase();
      const secret = body.password ? await hashPassword(body.password) : null;
      const exists = await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirst();
      if (exists) throw new HttpError(409, 'conflict', 'a user with this email exists');
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('users')
          .values({
            id,
            org_id: p.orgId,
            email,
            display_name: body.displayName,
            role: body.role,
            created_at: now,
          })
          .execute();
        if (body.teamIds.length) {
          await trx
            .insertInto('team_members')
            .values(body.teamIds.map((team_id) => ({ team_id, user_id: id })))
            .execute();
        }
        if (secret) {
          await trx
            .insertInto('identities')
            .values({
              provider: 'password',
              subject: email,
              user_id: id,
              secret_hash: secret,
              created_at: now,
            })
            .execute();
        }
      });
      await recordAudit(ctx, p, 'user-create', null, { userId: id, role: body.role, teamIds: body.teamIds });
      return c.json(
        { id, email, displayName: body.displayName, role: body.role, teamIds: body.teamIds },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/teams/{teamId}/webhooks',
      tags: ['alerts'],
      summary: 'Group-chat webhooks of a team (secrets and keys masked)',
      request: { params: TeamParam },
      responses: {
        200: {
          description: 'webhooks',
          content: { 'application/json': { schema: z.object({ webhooks: z.array(Webhook) }) } },
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['lead', 'admin']);
      const { teamId } = c.req.valid('param');
      await requireTeam(ctx, p, teamId);
      const rows = await ctx.db
        .selectFrom('webhooks')
        .selectAll()
        .where('team_id', '=', teamId)
        .orderBy('created_at')
        .execute();
      return c.json(
        {
          webhooks: rows.map((w) => ({
            id: w.id,
            teamId: w.team_id,
            platform: WebhookPlatform.parse(w.platform),
            url: maskUrl(w.url),
            signed: w.secret !== null,
            minSeverity: Severity.parse(w.min_severity),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/teams/{teamId}/webhooks',
      tags: ['alerts'],
      summary: 'Add a 企业微信/钉钉/飞书/Slack webhook for a team and minimum severity (admin)',
      request: {
        params: TeamParam,
        body: { content: { 'application/json': { schema: NewWebhook } }, required: true },
      },
      responses: {
        201: { description: 'webhook', content: { 'application/json': { schema: Webhook } } },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['admin']);
      const { teamId } = c.req.valid('param');
      await requireTeam(ctx, p, teamId);
      const body = c.req.valid('json');
      const id = newId();
      await ctx.db
        .insertInto('webhooks')
        .values({
          id,
          org_id: p.orgId,
          team_id: teamId,
          platform: body.platform,
          url: body.url,
          secret: body.secret ?? null,
          min_severity: body.minSeverity,
          created_at: ctx.now(),
        })
        .execute();
      await recordAudit(ctx, p, 'webhook-create', null, { webhookId: id, teamId, platform: body.platform });
      return c.json(
        {
          id,
          teamId,
          platform: body.platform,
          url: maskUrl(body.url),
          signed: !!body.secret,
          minSeverity: body.minSeverity,
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/teams/{teamId}/webhooks/{id}',
      tags: ['alerts'],
      summary: 'Remove a webhook (admin)',
      request: { params: TeamParam.extend({ id: z.string().max(100) }) },
      responses: { 204: { description: 'removed' }, ...authErrors },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['admin']);
      const { teamId, id } = c.req.valid('param');
      await requireTeam(ctx, p, teamId);
      const r = await ctx.db
        .deleteFrom('webhooks')
        .where('id', '=', id)
        .where('team_id', '=', teamId)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw new HttpError(404, 'not_found', 'no such webhook');
      await recordAudit(ctx, p, 'webhook-delete', null, { webhookId: id, teamId });
      return c.body(null, 204);
    },
  );
}
