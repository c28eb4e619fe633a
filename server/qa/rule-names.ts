/**
 * Names of the rules findings were stored under, for the QA console: a manager reads
 * "承诺保本保息" / "Promised guaranteed returns", not `finance.guaranteed-return`.
 *
 * Names come from the rulebooks that produced the findings: the shipped rulebooks (what a device
 * runs when its team has published none) and each team's latest published rulebook, which wins
 * for the rules it defines. A key no rulebook defines (a retired rule, a model finding) has no
 * name and the console shows the key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { LocalizedText } from '../../lib/rules/schema';
import type { QaDB } from './db';

export type RuleNames = Record<string, LocalizedText>;

const isText = (x: unknown): x is LocalizedText =>
  !!x &&
  typeof x === 'object' &&
  ['zh_CN', 'zh_TW', 'en'].every((k) => typeof (x as Record<string, unknown>)[k] === 'string');

/** Adds the names of a rulebook's rules to `into`; anything not shaped like a rulebook is skipped. */
export function addRuleNames(into: RuleNames, book: unknown): RuleNames {
  const rules = (book as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return into;
  for (const r of rules as { id?: unknown; name?: unknown }[])
    if (typeof r?.id === 'string' && isText(r.name)) into[r.id] = r.name;
  return into;
}

let shipped: RuleNames | undefined;

/** The shipped rulebooks' rule names, read once per process. */
function shippedRuleNames(): RuleNames {
  if (shipped) return shipped;
  const dir = new URL('../../rulebooks/', import.meta.url);
  const names: RuleNames = {};
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort())
    addRuleNames(names, JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
  shipped = names;
  return names;
}

/** Rule names for these teams: the shipped rulebooks', overridden by the teams' latest published ones. */
export async function ruleNamesFor(db: Kysely<QaDB>, teamIds: readonly string[]): Promise<RuleNames> {
  const all: RuleNames = { ...shippedRuleNames() };
  if (!teamIds.length) return all;
  const docs = await db
    .selectFrom('documents as d')
    .select(['d.team_id', 'd.version', 'd.body'])
    .where('d.kind', '=', 'rulebook')
    .where('d.team_id', 'in', [...teamIds])
    .where(({ eb, selectFrom }) =>
      eb(
        'd.version',
        '=',
        selectFrom('documents as l')
          .select(({ fn }) => fn.max('l.version').as('v'))
          .whereRef('l.team_id', '=', 'd.team_id')
          .where('l.kind', '=', 'rulebook'),
      ),
    )
    .orderBy('d.team_id')
    .execute();
  for (const d of docs) addRuleNames(all, typeof d.body === 'string' ? JSON.parse(d.body) : d.body);
  return all;
}
