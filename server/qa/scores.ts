/**
 * Score summaries: every conversation scored (100 % coverage) with the team's scorecard through
 * lib/scoring, kept in qa_scores so lists and analytics never re-read millions of findings.
 * `refreshScores` picks up what arrived since its watermark; actions that change a score (review,
 * accepted appeal, new scorecard) call `rescore` for the conversations they touch.
 */
import { readFileSync } from 'node:fs';
import { type Insertable, type Kysely, sql } from 'kysely';
import type { Finding } from '../../lib/finding';
import { moodTrend, severityRank, worstEmotion } from '../../lib/qa/analytics';
import { parseScorecard, type Scorecard, type ScoreResult, scoreConversation } from '../../lib/scoring';
import { dayOf, type QaDB, qaDb } from './db';

const DEFAULT_CARD: Scorecard = (() => {
  const r = parseScorecard(
    JSON.parse(readFileSync(new URL('../../scorecards/default.json', import.meta.url), 'utf8')),
  );
  if (!r.ok) throw new Error(`scorecards/default.json: ${r.errors.join('; ')}`);
  return r.scorecard;
})();

export async function scorecardFor(db: Kysely<QaDB>, teamId: string): Promise<Scorecard> {
  const row = await db
    .selectFrom('qa_scorecards')
    .select(['body', 'version'])
    .where('team_id', '=', teamId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return DEFAULT_CARD;
  const r = parseScorecard(row.body);
  return r.ok ? { ...r.scorecard, version: row.version } : DEFAULT_CARD;
}

export interface TranscriptTurn {
  seq: number;
  speaker: 'agent' | 'customer' | 'system';
  text: string;
  ts: number;
  emotion?: string;
  intent?: string;
  metrics?: Record<string, number>;
}

/** The stored findings of a conversation with their QA status, as lib/scoring expects them. */
export async function loadFindings(db: Kysely<QaDB>, orgId: string, conversationIds: readonly string[]) {
  if (conversationIds.length === 0) return [];
  return db
    .selectFrom('findings')
    .leftJoin('qa_finding_status', 'qa_finding_status.finding_id', 'findings.id')
    .select([
      'findings.id',
      'findings.conversation_id',
      'findings.team_id',
      'findings.agent_user_id',
      'findings.rule_key',
      'findings.severity',
      'findings.title',
      'findings.body',
      'findings.ts',
      'qa_finding_status.status',
    ])
    .where('findings.org_id', '=', orgId)
    .where('findings.conversation_id', 'in', conversationIds)
    .orderBy('findings.ts')
    .execute();
}

export type LoadedFinding = Awaited<ReturnType<typeof loadFindings>>[number];

/** Findings still counted: QA voided the ones an accepted appeal showed to be wrong. */
export function countedFindings(rows: readonly LoadedFinding[]): Finding[] {
  return rows.filter((r) => r.status !== 'voided').map((r) => r.body as Finding);
}

const BATCH = 500;

/** Re-scores the given conversations of one org, in batches, and updates the daily roll-ups. */
export async function rescore(
  rootDb: Kysely<QaDB>,
  orgId: string,
  ids: readonly string[],
  now: number,
): Promise<number> {
  const unique = [...new Set(ids)];
  const cards = new Map<string, Scorecard>();
  let done = 0;
  for (let i = 0; i < unique.length; i += BATCH) {
    const batch = unique.slice(i, i + BATCH);
    await rootDb.transaction().execute(async (db) => {
      // One scorer at a time per database: roll-up increments must not interleave.
      await sql`select pg_advisory_xact_lock(7310010)`.execute(db);
      const [convs, findings, transcripts, reviews, appeals] = await Promise.all([
        db
          .selectFrom('conversations')
          .selectAll()
          .where('org_id', '=', orgId)
          .where('id', 'in', batch)
          .execute(),
        loadFindings(db, orgId, batch),
        db
          .selectFrom('qa_transcripts')
          .select(['conversation_id', 'turns'])
          .where('org_id', '=', orgId)
          .where('conversation_id', 'in', batch)
          .execute(),
        db
          .selectFrom('qa_reviews')
          .select(['conversation_id', 'override_score', 'manual', 'id'])
          .where('org_id', '=', orgId)
          .where('conversation_id', 'in', batch)
          .orderBy('id', 'desc')
          .execute(),
        db
          .selectFrom('qa_appeals')
          .select('conversation_id')
          .distinct()
          .where('org_id', '=', orgId)
          .where('conversation_id', 'in', batch)
          .execute(),
      ]);
      const convBy = new Map(convs.map((c) => [c.id, c]));
      const findBy = new Map<string, LoadedFinding[]>();
      for (const f of findings) {
        const l = findBy.get(f.conversation_id);
        if (l) l.push(f);
        else findBy.set(f.conversation_id, [f]);
      }
      const turnsBy = new Map(transcripts.map((t) => [t.conversation_id, t.turns as TranscriptTurn[]]));
      const reviewBy = new Map<string, (typeof reviews)[number]>();
      for (const r of reviews) if (!reviewBy.has(r.conversation_id)) reviewBy.set(r.conversation_id, r);
      const appealed = new Set(appeals.map((a) => a.conversation_id));

      const rows: Insertable<QaDB['qa_scores']>[] = [];
      const ruleRows: {
        org_id: string;
        conversation_id: string;
        team_id: string;
        day: number;
        rule_key: string;
        hits: number;
      }[] = [];
      for (const id of batch) {
        const conv = convBy.get(id);
        const fs = findBy.get(id) ?? [];
        const first = fs[0];
        if (!conv && !first) continue;
        const teamId = conv?.team_id ?? first!.team_id;
        let card = cards.get(teamId);
        if (!card) {
          card = await scorecardFor(db, teamId);
          cards.set(teamId, card);
        }
        const counted = countedFindings(fs);
        const review = reviewBy.get(id);
        const result = scoreConversation(counted, card, (review?.manual as Record<string, number>) ?? {});
        const turns = turnsBy.get(id) ?? [];
        const customerMood = turns
          .filter((t) => t.speaker === 'customer' && t.emotion)
          .map((t) => t.emotion!);
        const findingMood = counted.filter((f) => f.emotion).map((f) => f.emotion!);
        const convEmotion = (conv?.emotion as { worst?: string } | null)?.worst;
        const mood = moodTrend(
          customerMood.length
            ? customerMood
            : findingMood.length
              ? findingMood
              : convEmotion
                ? [convEmotion]
                : [],
        );
        const emotion = worstEmotion([
          ...customerMood,
          ...findingMood,
          ...(convEmotion ? [convEmotion] : []),
        ]);
        const intents = new Set<string>();
        for (const t of turns)
          if (t.speaker === 'customer' && t.intent && t.intent !== 'other') intents.add(t.intent);
        for (const f of counted) if (f.model?.startsWith('intent') && f.title) intents.add(f.title);
        const phrases = new Set<string>();
        for (const f of counted)
          for (const e of f.evidence)
            if (phrases.size < 5 && e.text.trim()) phrases.add(e.text.trim().slice(0, 40));
        let worst: Finding | undefined;
        for (const f of counted)
          if (!worst || severityRank(f.severity) > severityRank(worst.severity)) worst = f;
        const startedAt = conv?.started_at ?? Math.min(...fs.map((f) => f.ts));
        const day = dayOf(startedAt);
        const perRule = new Map<string, number>();
        for (const f of fs) perRule.set(f.rule_key, (perRule.get(f.rule_key) ?? 0) + 1);
        for (const [rule_key, hits] of perRule)
          ruleRows.push({ org_id: orgId, conversation_id: id, team_id: teamId, day, rule_key, hits });
        const override = review?.override_score ?? null;
        rows.push({
          org_id: orgId,
          conversation_id: id,
          team_id: teamId,
          agent_user_id: conv?.agent_user_id ?? first!.agent_user_id,
          channel: conv?.channel ?? 'chat',
          started_at: startedAt,
          day,
          auto_score: result.total,
          override_score: override,
          score: override ?? result.total,
          passed: (override ?? result.total) >= card.passScore,
          worst_rank: worst ? severityRank(worst.severity) : 0,
          worst_severity: worst?.severity ?? null,
          worst_rule: worst ? (worst.ruleId ?? worst.model ?? null) : null,
          worst_title: worst ? (worst.title ?? null) : null,
          finding_count: counted.length,
          rules: JSON.stringify([...perRule.keys()]),
          emotion,
          mood: JSON.stringify(mood),
          intents: JSON.stringify([...intents]),
          phrases: JSON.stringify([...phrases]),
          appealed: appealed.has(id),
          reviewed: review !== undefined,
          breakdown: JSON.stringify(compactBreakdown(result)),
          computed_at: now,
        });
      }
      // Take back what these conversations added to the roll-ups before, then add the new counts.
      const old = await db
        .selectFrom('qa_conv_rules')
        .select([
          'team_id',
          'day',
          'rule_key',
          sql<number>`sum(hits)::int`.as('hits'),
          sql<number>`count(*)::int`.as('convs'),
        ])
        .where('org_id', '=', orgId)
        .where('conversation_id', 'in', batch)
        .groupBy(['team_id', 'day', 'rule_key'])
        .execute();
      await bumpDaily(
        db,
        orgId,
        old.map((o) => ({ ...o, hits: -o.hits, convs: -o.convs })),
      );
      await db
        .deleteFrom('qa_conv_rules')
        .where('org_id', '=', orgId)
        .where('conversation_id', 'in', batch)
        .execute();
      if (ruleRows.length) {
        await db.insertInto('qa_conv_rules').values(ruleRows).execute();
        const agg = new Map<
          string,
          { team_id: string; day: number; rule_key: string; hits: number; convs: number }
        >();
        for (const r of ruleRows) {
          const k = `${r.team_id}\u0000${r.day}\u0000${r.rule_key}`;
          const a = agg.get(k) ?? { team_id: r.team_id, day: r.day, rule_key: r.rule_key, hits: 0, convs: 0 };
          a.hits += r.hits;
          a.convs++;
          agg.set(k, a);
        }
        await bumpDaily(db, orgId, [...agg.values()]);
      }
      if (rows.length) {
        await db
          .insertInto('qa_scores')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['org_id', 'conversation_id']).doUpdateSet((eb) => {
              const cols = [
                'team_id',
                'agent_user_id',
                'channel',
                'started_at',
                'day',
                'auto_score',
                'override_score',
                'score',
                'passed',
                'worst_rank',
                'worst_severity',
                'worst_rule',
                'worst_title',
                'finding_count',
                'rules',
                'emotion',
                'mood',
                'intents',
                'phrases',
                'appealed',
                'reviewed',
                'breakdown',
                'computed_at',
              ] as const;
              return Object.fromEntries(cols.map((c) => [c, eb.ref(`excluded.${c}`)]));
            }),
          )
          .execute();
      }
      done += rows.length;
    });
  }
  return done;
}

async function bumpDaily(
  db: Kysely<QaDB>,
  orgId: string,
  rows: { team_id: string; day: number; rule_key: string; hits: number; convs: number }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    const part = rows.slice(i, i + 1000);
    if (!part.length) continue;
    await db
      .insertInto('qa_rule_daily')
      .values(part.map((r) => ({ org_id: orgId, ...r })))
      .onConflict((oc) =>
        oc.columns(['org_id', 'team_id', 'day', 'rule_key']).doUpdateSet({
          hits: sql`qa_rule_daily.hits + excluded.hits`,
          convs: sql`qa_rule_daily.convs + excluded.convs`,
        }),
      )
      .execute();
  }
}

/** What analytics and coaching need of a score: dimension shares and whether it auto-failed. */
export function compactBreakdown(r: ScoreResult) {
  return {
    v: r.scorecardVersion,
    autoFailed: r.autoFailed.length,
    dims: r.dimensions.map((d) => ({ id: d.dimensionId, score: d.score, max: d.max })),
  };
}

/** Conversations that arrived shortly before the watermark are looked at again (late commits). */
const LAG_MS = 10_000;
const lastRun = new WeakMap<object, { at: number; running?: Promise<number> }>();

/**
 * Scores whatever arrived since the last refresh. Called before reads (throttled per database
 * handle to one pass every `minIntervalMs`) so a list always shows what was ingested a moment ago.
 */
export async function refreshScores(
  ctx: { db: Kysely<import('../db/types').DB>; now: () => number },
  minIntervalMs = 0,
): Promise<number> {
  const db = qaDb(ctx);
  const state = lastRun.get(ctx.db) ?? { at: 0 };
  lastRun.set(ctx.db, state);
  if (state.running) return state.running;
  if (ctx.now() - state.at < minIntervalMs) return 0;
  state.running = (async () => {
    const now = ctx.now();
    const mark = await db
      .selectFrom('qa_state')
      .select('value')
      .where('key', '=', 'scores')
      .executeTakeFirst();
    const since = mark?.value ?? -1;
    const changed = await sql<{ org_id: string; id: string }>`
      select org_id, conversation_id as id from findings where received_at > ${since}
      union select org_id, id from conversations where received_at > ${since}
      union select org_id, conversation_id as id from qa_transcripts where received_at > ${since}`.execute(
      db,
    );
    const byOrg = new Map<string, string[]>();
    for (const r of changed.rows) {
      const l = byOrg.get(r.org_id);
      if (l) l.push(r.id);
      else byOrg.set(r.org_id, [r.id]);
    }
    let n = 0;
    for (const [orgId, ids] of byOrg) n += await rescore(db, orgId, ids, now);
    const next = Math.max(since, now - LAG_MS);
    await db
      .insertInto('qa_state')
      .values({ key: 'scores', value: next })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: next }))
      .execute();
    return n;
  })();
  try {
    return await state.running;
  } finally {
    state.at = ctx.now();
    state.running = undefined;
  }
}
