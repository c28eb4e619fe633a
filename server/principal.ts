/**
 * Who is calling: a device (Bearer token from enrolment) or a web user (session cookie). Every
 * route asks for a principal with `requirePrincipal` and checks team scope with `canSeeTeam`.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Role } from '../lib/sync/protocol';
import type { ServerContext } from './context';
import { sha256 } from './crypto';

export const SESSION_COOKIE = 'sotto_session';

export interface Principal {
  kind: 'device' | 'session';
  userId: string;
  orgId: string;
  role: Role;
  /** Teams the user belongs to (agents) or leads. qa and admin see every team of the org. */
  teamIds: string[];
  deviceId?: string;
  /** The team a device was enrolled into; its findings are filed there. */
  deviceTeamId?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 408 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly error: string,
    readonly reason?: string,
    readonly retryAfterMs?: number,
  ) {
    super(reason ?? error);
  }
}

/** Device principals are cached briefly: ingest is hot and a revoke clears the cache at once. */
const CACHE_TTL_MS = 10_000;
const LAST_SEEN_EVERY_MS = 5 * 60_000;

export class PrincipalResolver {
  private cache = new Map<string, { p: Principal; at: number }>();
  /** When each device's last_seen_at was last written by this process. */
  private readonly seenWritten = new Map<string, number>();
  constructor(private readonly ctx: Pick<ServerContext, 'db' | 'now'>) {}

  invalidate(): void {
    this.cache.clear();
  }

  async resolve(c: Context): Promise<Principal | undefined> {
    const auth = c.req.header('authorization');
    if (auth?.startsWith('Bearer ')) return this.fromDeviceToken(auth.slice(7).trim());
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) return this.fromSession(cookie);
    return undefined;
  }

  private async teamsOf(userId: string): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom('team_members')
      .select('team_id')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => r.team_id).sort();
  }

  private async fromDeviceToken(token: string): Promise<Principal | undefined> {
    const hash = sha256(token);
    const now = this.ctx.now();
    const hit = this.cache.get(hash);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.p;
    const row = await this.ctx.db
      .selectFrom('devices')
      .innerJoin('users', 'users.id', 'devices.user_id')
      .select([
        'devices.id',
        'devices.team_id',
        'devices.revoked_at',
        'users.id as user_id',
        'users.org_id',
        'users.role',
        'users.disabled',
      ])
      .where('devices.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.disabled) return undefined;
    const p: Principal = {
      kind: 'device',
      userId: row.user_id,
      orgId: row.org_id,
      role: row.role as Role,
      teamIds: await this.teamsOf(row.user_id),
      deviceId: row.id,
      deviceTeamId: row.team_id,
    };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { p, at: now });
    // last_seen_at is for the device list: a coarse write at most every few minutes per device is
    // enough, and spares the (single-connection, on PGlite) database a write per device per TTL.
    if (now - (this.seenWritten.get(row.id) ?? 0) >= LAST_SEEN_EVERY_MS) {
      this.seenWritten.set(row.id, now);
      if (this.seenWritten.size > 10_000) this.seenWritten.clear();
      await this.ctx.db.updateTable('devices').set({ last_seen_at: now }).where('id', '=', row.id).execute();
    }
    return p;
  }

  private async fromSession(token: string): Promise<Principal | undefined> {
    const row = await this.ctx.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id as user_id', 'users.org_id', 'users.role', 'users.disabled', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.disabled || row.expires_at <= this.ctx.now()) return undefined;
    return {
      kind: 'session',
      userId: row.user_id,
      orgId: row.org_id,
      role: row.role as Role,
      teamIds: await this.teamsOf(row.user_id),
    };
  }
}

export function requireRole(p: Principal | undefined, roles: readonly Role[]): Principal {
  if (!p) throw new HttpError(401, 'unauthenticated', 'sign in or send a valid device token');
  if (!roles.includes(p.role)) throw new HttpError(403, 'forbidden', `needs role ${roles.join(' or ')}`);
  return p;
}

export function seesWholeOrg(p: Principal): boolean {
  return p.role === 'qa' || p.role === 'admin';
}

/** Team scope: qa and admin see every team in their org; leads and agents only their own teams. */
export async function canSeeTeam(
  ctx: Pick<ServerContext, 'db'>,
  p: Principal,
  teamId: string,
): Promise<boolean> {
  if (seesWholeOrg(p)) {
    const t = await ctx.db.selectFrom('teams').select('org_id').where('id', '=', teamId).executeTakeFirst();
    return t?.org_id === p.orgId;
  }
  return p.teamIds.includes(teamId);
}

export async function requireTeam(
  ctx: Pick<ServerContext, 'db'>,
  p: Principal,
  teamId: string,
): Promise<void> {
  // 404 rather than 403 so a lead cannot probe which team ids exist in other organisations.
  if (!(await canSeeTeam(ctx, p, teamId))) throw new HttpError(404, 'not_found', 'no such team');
}
