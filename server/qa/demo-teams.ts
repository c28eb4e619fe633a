/**
 * Per-team rule sets for the demo (issue 9): one desk per domain, each with its domain rulebook
 * published as its team document, next to Shanghai A and Chicago B, which run `general`. The
 * demo lead also leads these desks, so lead mode and the QA console show each desk with its own
 * rule set. Idempotent: a team that exists or a rulebook already published is left as it is.
 */
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { TeamSettings } from '../alerts/policy';
import type { DB } from '../db/types';
import type { DemoCredentials } from '../seed';
import { qaDb } from './db';
import { publishDocument } from './routes-rules';

export const DOMAIN_TEAMS = [
  { id: 'team_finance', name: 'Finance desk', rulebook: 'finance' },
  { id: 'team_telecom', name: 'Telecom desk', rulebook: 'telecom' },
  { id: 'team_ecommerce', name: 'E-commerce desk', rulebook: 'ecommerce' },
] as const;

export async function seedDomainTeams(
  db: Kysely<DB>,
  demo: DemoCredentials,
  now = Date.now(),
): Promise<{ teamId: string; name: string; rulebook: string; version: number }[]> {
  const out: { teamId: string; name: string; rulebook: string; version: number }[] = [];
  for (const t of DOMAIN_TEAMS) {
    await db
      .insertInto('teams')
      .values({
        id: t.id,
        name: t.name,
        org_id: demo.orgId,
        settings: JSON.stringify(TeamSettings.parse({})),
        created_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await db
      .insertInto('team_members')
      .values({ team_id: t.id, user_id: demo.users.lead.id })
      .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
      .execute();
    const has = await db
      .selectFrom('documents')
      .select('version')
      .where('team_id', '=', t.id)
      .where('kind', '=', 'rulebook')
      .orderBy('version', 'desc')
      .executeTakeFirst();
    const book = JSON.parse(
      readFileSync(new URL(`../../rulebooks/${t.rulebook}.json`, import.meta.url), 'utf8'),
    );
    const version =
      has?.version ??
      (await publishDocument(qaDb({ db }), t.id, 'rulebook', book, demo.users.admin.id, now)).version;
    out.push({ teamId: t.id, name: t.name, rulebook: `${book.id}@${book.version}`, version });
  }
  return out;
}
