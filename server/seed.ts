/**
 * The demo organisation: teams "Shanghai A" and "Chicago B", an agent, a lead, a QA manager and
 * an admin, plus fresh one-time enrolment codes. Running it again keeps the data, resets the demo
 * passwords and issues new codes, so the printed credentials always work.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../lib/ids';
import { TeamSettings } from './alerts/policy';
import { hashPassword, newEnrolmentCode, normaliseCode, sha256 } from './crypto';
import type { DB } from './db/types';

export interface DemoUser {
  id: string;
  email: string;
  password: string;
  role: 'agent' | 'lead' | 'qa' | 'admin';
  teamIds: string[];
}

export interface DemoCredentials {
  orgId: string;
  teams: { id: string; name: string }[];
  users: Record<'agent' | 'lead' | 'qa' | 'admin', DemoUser>;
  /** One-time codes: the agent's extension and the lead's extension (lead mode). */
  enrolmentCodes: { agent: string; lead: string };
}

const ORG_ID = 'org_demo';
const TEAMS = [
  { id: 'team_shanghai_a', name: 'Shanghai A' },
  { id: 'team_chicago_b', name: 'Chicago B' },
];

export async function seedDemo(
  db: Kysely<DB>,
  opts: { password?: string; now?: number } = {},
): Promise<DemoCredentials> {
  const now = opts.now ?? Date.now();
  const password = opts.password ?? `sotto-${randomBytes(6).toString('base64url')}`;
  const hash = await hashPassword(password);
  const spec: { role: DemoUser['role']; email: string; name: string; teams: string[] }[] = [
    { role: 'agent', email: 'agent@demo.sotto.local', name: '王小明 (agent)', teams: ['team_shanghai_a'] },
    { role: 'lead', email: 'lead@demo.sotto.local', name: '李娜 (lead)', teams: ['team_shanghai_a'] },
    { role: 'qa', email: 'qa@demo.sotto.local', name: 'Quinn (QA)', teams: [] },
    { role: 'admin', email: 'admin@demo.sotto.local', name: 'Ada (admin)', teams: [] },
  ];
  const codes = { agent: newEnrolmentCode(), lead: newEnrolmentCode() };
  const users = {} as DemoCredentials['users'];
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('orgs')
      .values({ id: ORG_ID, name: 'Sotto Demo Contact Centre', created_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await trx
      .insertInto('teams')
      .values(
        TEAMS.map((t) => ({
          ...t,
          org_id: ORG_ID,
          settings: JSON.stringify(TeamSettings.parse({})),
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    for (const u of spec) {
      const existing = await trx
        .selectFrom('users')
        .select('id')
        .where('email', '=', u.email)
        .executeTakeFirst();
      const id = existing?.id ?? `user_demo_${u.role}`;
      if (!existing) {
        await trx
          .insertInto('users')
          .values({ id, org_id: ORG_ID, email: u.email, display_name: u.name, role: u.role, created_at: now })
          .execute();
      }
      if (u.teams.length) {
        await trx
          .insertInto('team_members')
          .values(u.teams.map((team_id) => ({ team_id, user_id: id })))
          .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
          .execute();
      }
      await trx
        .insertInto('identities')
        .values({ provider: 'password', subject: u.email, user_id: id, secret_hash: hash, created_at: now })
        .onConflict((oc) => oc.columns(['provider', 'subject']).doUpdateSet({ secret_hash: hash }))
        .execute();
      users[u.role] = { id, email: u.email, password, role: u.role, teamIds: u.teams };
    }
    for (const [role, code] of Object.entries(codes) as ['agent' | 'lead', string][]) {
      await trx
        .insertInto('enrolment_codes')
        .values({
          code_hash: sha256(normaliseCode(code)),
          org_id: ORG_ID,
          team_id: 'team_shanghai_a',
          user_id: users[role].id,
          created_by: null,
          created_at: now,
          expires_at: now + 7 * 24 * 3600_000,
          used_at: null,
          device_id: null,
        })
        .execute();
    }
  });
  return { orgId: ORG_ID, teams: TEAMS, users, enrolmentCodes: codes };
}

/** A fresh org with its own ids, for tests that need several independent organisations. */
export async function seedOrg(db: Kysely<DB>, name: string, now = Date.now()): Promise<string> {
  const id = newId(now);
  await db.insertInto('orgs').values({ id, name, created_at: now }).execute();
  return id;
}
