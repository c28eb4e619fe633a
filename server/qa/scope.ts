/** Who may use the QA console and which teams they see; every console route starts here. */
import type { Context } from 'hono';
import type { Role } from '../../lib/sync/protocol';
import type { AppDeps, Env } from '../http';
import { who } from '../http';
import { HttpError, type Principal, requireRole, seesWholeOrg } from '../principal';
import { qaDb } from './db';

export interface Scope {
  p: Principal;
  /** Teams the caller may see: every team of the org for qa/admin, their own for leads and agents. */
  teamIds: string[];
}

export async function scope(c: Context<Env>, deps: AppDeps, roles: readonly Role[]): Promise<Scope> {
  const p = requireRole(await who(c, deps), roles);
  if (!seesWholeOrg(p)) return { p, teamIds: p.teamIds };
  const rows = await qaDb(deps.ctx).selectFrom('teams').select('id').where('org_id', '=', p.orgId).execute();
  return { p, teamIds: rows.map((r) => r.id) };
}

export function requireScopeTeam(s: Scope, teamId: string): void {
  // 404 rather than 403 so nobody can probe which team ids exist elsewhere.
  if (!s.teamIds.includes(teamId)) throw new HttpError(404, 'not_found', 'no such team');
}

/** Manager roles: may review, decide appeals, sample, calibrate, coach and edit rules. */
export const MANAGERS = ['qa', 'admin'] as const;
/** May read the console (leads: their teams only). */
export const READERS = ['lead', 'qa', 'admin'] as const;

export async function audit(
  deps: AppDeps,
  s: Scope,
  action: string,
  conversationId: string | null,
  detail: unknown,
): Promise<void> {
  await qaDb(deps.ctx)
    .insertInto('qa_audit')
    .values({
      org_id: s.p.orgId,
      conversation_id: conversationId,
      user_id: s.p.userId,
      action,
      detail: JSON.stringify(detail ?? {}),
      created_at: deps.ctx.now(),
    })
    .execute();
}

/** Parses a JSON body with a zod schema; a 400 names the first problems. */
export async function body<T>(
  c: Context<Env>,
  schema: {
    safeParse(
      x: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new HttpError(400, 'bad_request', 'body must be JSON');
  }
  const r = schema.safeParse(raw);
  if (!r.success)
    throw new HttpError(
      400,
      'bad_request',
      r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
        .join('; '),
    );
  return r.data;
}
