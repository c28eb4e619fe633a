/** Web sign-in with a password and a session cookie (HttpOnly, SameSite=Lax). */
import { createRoute } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { Role } from '../../lib/sync/protocol';
import { newSecret, sha256, verifyPassword } from '../crypto';
import { type App, type AppDeps, authErrors, who } from '../http';
import { HttpError, SESSION_COOKIE, requireRole } from '../principal';

export const Me = z.object({
  userId: z.string(),
  orgId: z.string(),
  role: Role,
  teamIds: z.array(z.string()),
  via: z.enum(['device', 'session']),
  displayName: z.string().optional(),
});

const Login = z.object({ email: z.string().email().max(320), password: z.string().min(1).max(1000) });

// Verifying against a fixed hash when the user is unknown keeps response times alike, so the
// endpoint does not reveal which emails exist.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export function registerAuth(app: App, deps: AppDeps): void {
  const { ctx } = deps;
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/login',
      tags: ['auth'],
      summary: 'Sign in with email and password; sets the session cookie',
      request: { body: { content: { 'application/json': { schema: Login } }, required: true } },
      responses: {
        200: { description: 'signed in', content: { 'application/json': { schema: Me } } },
        401: authErrors[401],
        429: authErrors[401],
      },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const ip = c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'local';
      const wait = Math.max(
        ctx.loginLimiter.take(`ip:${ip}`),
        ctx.loginLimiter.take(`email:${email.toLowerCase()}`),
      );
      if (wait > 0) throw new HttpError(429, 'rate_limited', 'too many sign-in attempts', wait);
      const row = await ctx.db
        .selectFrom('identities')
        .innerJoin('users', 'users.id', 'identities.user_id')
        .select([
          'users.id',
          'users.org_id',
          'users.role',
          'users.display_name',
          'users.disabled',
          'identities.secret_hash',
        ])
        .where('identities.provider', '=', 'password')
        .where('identities.subject', '=', email.toLowerCase())
        .executeTakeFirst();
      const ok = await verifyPassword(password, row?.secret_hash ?? DUMMY_HASH);
      if (!row || !ok || row.disabled)
        throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
      const token = newSecret('sss');
      const now = ctx.now();
      await ctx.db
        .insertInto('sessions')
        .values({
          token_hash: sha256(token),
          user_id: row.id,
          created_at: now,
          expires_at: now + ctx.sessionTtlMs,
        })
        .execute();
      setCookie(c, SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'Lax',
        secure: ctx.cookieSecure,
        path: '/',
        maxAge: Math.floor(ctx.sessionTtlMs / 1000),
      });
      const teams = await ctx.db
        .selectFrom('team_members')
        .select('team_id')
        .where('user_id', '=', row.id)
        .execute();
      ctx.log.log('info', 'signed in', { userId: row.id });
      return c.json(
        {
          userId: row.id,
          orgId: row.org_id,
          role: row.role as Role,
          teamIds: teams.map((t) => t.team_id).sort(),
          via: 'session' as const,
          displayName: row.display_name,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/logout',
      tags: ['auth'],
      summary: 'End the session',
      responses: { 204: { description: 'signed out' } },
    }),
    async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) await ctx.db.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me',
      tags: ['auth'],
      summary: 'The caller: user, role, teams',
      responses: {
        200: { description: 'the caller', content: { 'application/json': { schema: Me } } },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['agent', 'lead', 'qa', 'admin']);
      return c.json({ userId: p.userId, orgId: p.orgId, role: p.role, teamIds: p.teamIds, via: p.kind }, 200);
    },
  );
}
