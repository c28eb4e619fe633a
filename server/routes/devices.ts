/**
 * Device enrolment: an admin or lead issues a one-time code for a user; the extension exchanges
 * it for a device token. Only hashes of codes and tokens are stored. Tokens can be rotated by
 * the device and revoked by the device, its team's lead or an admin.
 */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { DeviceCredentials, EnrolRequest, type Role } from '../../lib/sync/protocol';
import { newId } from '../../lib/ids';
import { newEnrolmentCode, newSecret, normaliseCode, sha256 } from '../crypto';
import { type App, type AppDeps, authErrors, who } from '../http';
import { HttpError, canSeeTeam, requireRole, requireTeam, seesWholeOrg } from '../principal';
import { recordAudit } from '../privacy';

const DEVICE_TOKEN_PREFIX = 'sdt';

const CodeRequest = z.object({
  userId: z.string().min(1).max(100),
  /** Team the device files findings under; defaults to the user's first team. */
  teamId: z.string().min(1).max(100).optional(),
  ttlHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
});
const CodeResponse = z.object({
  code: z.string(),
  userId: z.string(),
  teamId: z.string(),
  expiresAt: z.number(),
});

const DeviceInfo = z.object({
  id: z.string(),
  userId: z.string(),
  teamId: z.string(),
  name: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
});

/** Create a one-time enrolment code (used by the route and the demo seed). */
export async function issueEnrolmentCode(
  deps: Pick<AppDeps, 'ctx'>,
  args: { orgId: string; userId: string; teamId: string; createdBy: string | null; ttlMs: number },
): Promise<{ code: string; expiresAt: number }> {
  const code = newEnrolmentCode();
  const now = deps.ctx.now();
  await deps.ctx.db
    .insertInto('enrolment_codes')
    .values({
      code_hash: sha256(normaliseCode(code)),
      org_id: args.orgId,
      team_id: args.teamId,
      user_id: args.userId,
      created_by: args.createdBy,
      created_at: now,
      expires_at: now + args.ttlMs,
      used_at: null,
      device_id: null,
    })
    .execute();
  return { code, expiresAt: now + args.ttlMs };
}

export function registerDevices(app: App, deps: AppDeps): void {
  const { ctx } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/enrolment-codes',
      tags: ['devices'],
      summary: 'Issue a one-time enrolment code for a user (admin, or lead for their team)',
      request: { body: { content: { 'application/json': { schema: CodeRequest } }, required: true } },
      responses: {
        201: { description: 'code (shown once)', content: { 'application/json': { schema: CodeResponse } } },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['lead', 'admin']);
      const body = c.req.valid('json');
      const user = await ctx.db
        .selectFrom('users')
        .select(['id', 'org_id'])
        .where('id', '=', body.userId)
        .executeTakeFirst();
      if (!user || user.org_id !== p.orgId) throw new HttpError(404, 'not_found', 'no such user');
      const memberships = (
        await ctx.db
          .selectFrom('team_members')
          .select('team_id')
          .where('user_id', '=', user.id)
          .orderBy('team_id')
          .execute()
      ).map((r) => r.team_id);
      const teamId = body.teamId ?? memberships[0];
      if (!teamId || !memberships.includes(teamId))
        throw new HttpError(404, 'not_found', 'user is not in that team');
      await requireTeam(deps.ctx, p, teamId);
      const { code, expiresAt } = await issueEnrolmentCode(deps, {
        orgId: p.orgId,
        userId: user.id,
        teamId,
        createdBy: p.userId,
        ttlMs: body.ttlHours * 3600_000,
      });
      await recordAudit(deps.ctx, p, 'enrolment-code', null, { userId: user.id, teamId });
      return c.json({ code, userId: user.id, teamId, expiresAt }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/devices/enrol',
      tags: ['devices'],
      summary: 'Exchange a one-time enrolment code for a device token',
      request: { body: { content: { 'application/json': { schema: EnrolRequest } }, required: true } },
      responses: {
        201: {
          description: 'device token (shown once)',
          content: { 'application/json': { schema: DeviceCredentials } },
        },
        401: authErrors[401],
        429: authErrors[401],
      },
    }),
    async (c) => {
      const { code, deviceName } = c.req.valid('json');
      const ip = c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'local';
      const wait = ctx.loginLimiter.take(`enrol:${ip}`);
      if (wait > 0) throw new HttpError(429, 'rate_limited', 'too many enrolment attempts', wait);
      const now = ctx.now();
      const token = newSecret(DEVICE_TOKEN_PREFIX);
      const deviceId = newId(now);
      const out = await ctx.db.transaction().execute(async (trx) => {
        // Claiming the code with a conditional update makes a code usable exactly once, even
        // when two devices race with it.
        const claimed = await trx
          .updateTable('enrolment_codes')
          .set({ used_at: now, device_id: deviceId })
          .where('code_hash', '=', sha256(normaliseCode(code)))
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning(['org_id', 'team_id', 'user_id'])
          .executeTakeFirst();
        if (!claimed) return undefined;
        const user = await trx
          .selectFrom('users')
          .select(['role', 'disabled'])
          .where('id', '=', claimed.user_id)
          .executeTakeFirstOrThrow();
        if (user.disabled) return undefined;
        await trx
          .insertInto('devices')
          .values({
            id: deviceId,
            org_id: claimed.org_id,
            team_id: claimed.team_id,
            user_id: claimed.user_id,
            name: deviceName,
            token_hash: sha256(token),
            created_at: now,
            rotated_at: null,
            last_seen_at: null,
            revoked_at: null,
          })
          .execute();
        const teams = await trx
          .selectFrom('team_members')
          .select('team_id')
          .where('user_id', '=', claimed.user_id)
          .execute();
        return {
          userId: claimed.user_id,
          role: user.role as Role,
          teamIds: teams.map((t) => t.team_id).sort(),
        };
      });
      if (!out) throw new HttpError(401, 'invalid_code', 'enrolment code unknown, used or expired');
      ctx.log.log('info', 'device enrolled', { deviceId, userId: out.userId });
      return c.json({ deviceId, token, ...out }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/devices/rotate',
      tags: ['devices'],
      summary: 'Replace the calling device’s token; the old one stops working at once',
      responses: {
        200: {
          description: 'new device token',
          content: { 'application/json': { schema: DeviceCredentials } },
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['agent', 'lead', 'qa', 'admin']);
      if (p.kind !== 'device' || !p.deviceId)
        throw new HttpError(403, 'forbidden', 'only a device can rotate its token');
      const token = newSecret(DEVICE_TOKEN_PREFIX);
      await ctx.db
        .updateTable('devices')
        .set({ token_hash: sha256(token), rotated_at: ctx.now() })
        .where('id', '=', p.deviceId)
        .execute();
      deps.resolver.invalidate();
      return c.json({ deviceId: p.deviceId, token, userId: p.userId, role: p.role, teamIds: p.teamIds }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/devices',
      tags: ['devices'],
      summary: 'Devices of the caller’s teams (admin: the whole organisation)',
      responses: {
        200: {
          description: 'devices',
          content: { 'application/json': { schema: z.object({ devices: z.array(DeviceInfo) }) } },
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['lead', 'qa', 'admin']);
      let q = ctx.db.selectFrom('devices').selectAll().where('org_id', '=', p.orgId);
      if (!seesWholeOrg(p)) q = q.where('team_id', 'in', p.teamIds.length ? p.teamIds : ['']);
      const rows = await q.orderBy('created_at').execute();
      return c.json(
        {
          devices: rows.map((d) => ({
            id: d.id,
            userId: d.user_id,
            teamId: d.team_id,
            name: d.name,
            createdAt: d.created_at,
            lastSeenAt: d.last_seen_at,
            revokedAt: d.revoked_at,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/devices/{id}/revoke',
      tags: ['devices'],
      summary: 'Revoke a device token (admin, the team’s lead, or the device itself)',
      request: { params: z.object({ id: z.string().max(100) }) },
      responses: { 204: { description: 'revoked' }, ...authErrors },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['agent', 'lead', 'qa', 'admin']);
      const { id } = c.req.valid('param');
      const d = await ctx.db
        .selectFrom('devices')
        .select(['id', 'org_id', 'team_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!d || d.org_id !== p.orgId) throw new HttpError(404, 'not_found', 'no such device');
      const self = p.kind === 'device' && p.deviceId === id;
      if (!self) {
        if (p.role !== 'admin' && p.role !== 'lead')
          throw new HttpError(403, 'forbidden', 'needs role lead or admin');
        if (!(await canSeeTeam(ctx, p, d.team_id))) throw new HttpError(404, 'not_found', 'no such device');
      }
      await ctx.db.updateTable('devices').set({ revoked_at: ctx.now() }).where('id', '=', id).execute();
      deps.resolver.invalidate();
      ctx.log.log('info', 'device revoked', { deviceId: id, by: p.userId });
      await recordAudit(ctx, p, 'device-revoke', null, { deviceId: id, teamId: d.team_id });
      return c.body(null, 204);
    },
  );
}
