/**
 * Authoring: a team's scorecard (versioned; publishing re-scores the team) and rulebook (draft
 * with schema validation, shadow test on stored transcripts against the live version, publish as
 * a new document version the extensions pick up by ETag, roll back by re-publishing an old one).
 */
import { createHash } from 'node:crypto';
import { compileRulebook, rulebookJsonSchema } from '../../lib/rules';
import { diffShadow, runShadow, type StoredConversation, type TranscriptLine } from '../../lib/rules/shadow';
import { parseScorecard } from '../../lib/scoring';
import type { App, AppDeps } from '../http';
import { HttpError } from '../principal';
import { type QaDB, qaDb } from './db';
import { RulebookDraft, Rollback, ScorecardPut } from './schemas';
import { rescore, scorecardFor, type TranscriptTurn } from './scores';
import { audit, body, MANAGERS, READERS, requireScopeTeam, type Scope, scope } from './scope';
import type { Kysely } from 'kysely';

/** Shadow tests look at the most recent stored transcripts of the team, at most this many. */
const SHADOW_LIMIT = 2000;

export async function publishDocument(
  db: Kysely<QaDB>,
  teamId: string,
  kind: string,
  body: unknown,
  userId: string,
  now: number,
) {
  const json = JSON.stringify(body);
  return db.transaction().execute(async (trx) => {
    const prev = await trx
      .selectFrom('documents')
      .select('version')
      .where('team_id', '=', teamId)
      .where('kind', '=', kind)
      .orderBy('version', 'desc')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    const version = (prev?.version ?? 0) + 1;
    // Same ETag shape as PUT /v1/teams/{teamId}/documents/{kind}, so both publish paths agree.
    const digest = createHash('sha256').update(json).digest('base64url').slice(0, 16);
    const etag = `"${kind}-v${version}-${digest}"`;
    await trx
      .insertInto('documents')
      .values({ team_id: teamId, kind, version, body: json, etag, created_by: userId, created_at: now })
      .execute();
    return { version, etag };
  });
}

export function registerQaRules(app: App, deps: AppDeps): void {
  const { ctx } = deps;
  const db = qaDb(ctx);

  app.get('/v1/qa/scorecards/:teamId', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const teamId = c.req.param('teamId');
    requireScopeTeam(s, teamId);
    const versions = await db
      .selectFrom('qa_scorecards')
      .leftJoin('users', 'users.id', 'qa_scorecards.created_by')
      .select(['qa_scorecards.version', 'qa_scorecards.created_at as createdAt', 'users.display_name as by'])
      .where('team_id', '=', teamId)
      .orderBy('version', 'desc')
      .execute();
    return c.json({ current: await scorecardFor(db, teamId), versions });
  });

  app.put('/v1/qa/scorecards/:teamId', async (c) => {
    const s = await scope(c, deps, [...MANAGERS]);
    const teamId = c.req.param('teamId');
    requireScopeTeam(s, teamId);
    const { scorecard } = await body(c, ScorecardPut);
    const parsed = parseScorecard(scorecard);
    if (!parsed.ok) return c.json({ error: 'invalid_scorecard', errors: parsed.errors }, 422);
    const prev = await db
      .selectFrom('qa_scorecards')
      .select('version')
      .where('team_id', '=', teamId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    const version = (prev?.version ?? 1) + 1;
    const card = { ...parsed.scorecard, version };
    await db
      .insertInto('qa_scorecards')
      .values({
        org_id: s.p.orgId,
        team_id: teamId,
        version,
        body: JSON.stringify(card),
        created_by: s.p.userId,
        created_at: ctx.now(),
      })
      .execute();
    // New weights apply to the team's history too, so trends stay comparable.
    const ids = await db
      .selectFrom('qa_scores')
      .select('conversation_id')
      .where('org_id', '=', s.p.orgId)
      .where('team_id', '=', teamId)
      .execute();
    const rescored = await rescore(
      db,
      s.p.orgId,
      ids.map((i) => i.conversation_id),
      ctx.now(),
    );
    await audit(deps, s, 'scorecard-publish', null, { teamId, version, rescored });
    return c.json({ version, rescored }, 201);
  });

  app.get('/v1/qa/rules/schema', async (c) => {
    await scope(c, deps, [...READERS]);
    return c.json(rulebookJsonSchema());
  });

  async function live(teamId: string) {
    return db
      .selectFrom('documents')
      .select(['version', 'body', 'etag', 'created_at'])
      .where('team_id', '=', teamId)
      .where('kind', '=', 'rulebook')
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  app.get('/v1/qa/rules/:teamId', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const teamId = c.req.param('teamId');
    requireScopeTeam(s, teamId);
    const [current, versions, draft] = await Promise.all([
      live(teamId),
      db
        .selectFrom('documents')
        .leftJoin('users', 'users.id', 'documents.created_by')
        .select([
          'documents.version',
          'documents.etag',
          'documents.created_at as createdAt',
          'users.display_name as by',
        ])
        .where('team_id', '=', teamId)
        .where('kind', '=', 'rulebook')
        .orderBy('version', 'desc')
        .limit(50)
        .execute(),
      db
        .selectFrom('qa_rule_drafts')
        .select(['body', 'updated_at'])
        .where('team_id', '=', teamId)
        .executeTakeFirst(),
    ]);
    return c.json({
      live: current ? { version: current.version, etag: current.etag, body: current.body } : null,
      versions,
      draft: draft ? { body: draft.body, updatedAt: draft.updated_at } : null,
    });
  });

  function validate(json: unknown) {
    const r = compileRulebook(json);
    return r.ok
      ? { ok: true as const, compiled: r.compiled, errors: [] }
      : { ok: false as const, errors: r.errors };
  }

  app.put('/v1/qa/rules/:teamId/draft', async (c) => {
    const s = await scope(c, deps, [...MANAGERS]);
    const teamId = c.req.param('teamId');
    requireScopeTeam(s, teamId);
    const { rulebook } = await body(c, RulebookDraft);
    const v = validate(rulebook);
    // Invalid drafts are kept too (work in progress) but say what is wrong.
    await db
      .insertInto('qa_rule_drafts')
      .values({
        team_id: teamId,
        org_id: s.p.orgId,
        body: JSON.stringify(rulebook),
        updated_by: s.p.userId,
        updated_at: ctx.now(),
      })
      .onConflict((oc) =>
        oc
          .column('team_id')
          .doUpdateSet({ body: JSON.stringify(rulebook), updated_by: s.p.userId, updated_at: ctx.now() }),
      )
      .execute();
    return c.json({ valid: v.ok, errors: v.errors });
  });

  app.post('/v1/qa/rules/:teamId/shadow', async (c) => {
    const s = await scope(c, deps, [...MANAGERS]);
    const teamId = c.req.param('teamId');
    requireScopeTeam(s, teamId);
    const draft = await db
      .selectFrom('qa_rule_drafts')
      .select('body')
      .where('team_id', '=', teamId)
      .executeTakeFirst();
    if (!draft) throw new HttpError(404, 'not_found', 'no draft to test');
    const v = validate(draft.body);
    if (!v.ok) return c.json({ error: 'invalid_rulebook', errors: v.errors }, 422);
    const history = await storedHistory(s, teamId);
    const next = runShadow(v.compiled, history, 3);
    const current = await live(teamId);
    const prevCompiled = current ? compileRulebook(current.body) : undefined;
    const prev = prevCompiled?.ok ? runShadow(prevCompiled.compiled, history, 0) : undefined;
    const diff = prev ? diffShadow(next, prev) : [];
    await audit(deps, s, 'rules-shadow', null, { teamId, conversations: history.length });
    return c.json({
      conversations: next.conversations,
      turns: next.turns,
      liveVersion: current?.version ?? null,
      rules: next.rules.map((r) => ({
        ruleId: r.ruleId,
        hits: r.hits,
        conversations: r.conversations.length,
        examples: r.examples.map((e) => ({
          conversationId: e.conversationId,
          seq: e.turn?.seq ?? e.hit.seq,
          speaker: e.turn?.speaker ?? null,
          text: e.turn?.text ?? '',
          spans: e.hit.evidence
            .filter((x) => x.seq === e.turn?.seq)
            .map((x) => ({ start: x.start, end: x.end })),
        })),
      })),
      diff: diff
        .filter((d) => d.status !== 'same')
        .map((d) => ({
          ...d,
          gained: d.gained.slice(0, 20),
          lost: d.lost.slice(0, 20),
          gainedCount: d.gained.length,
          lostCount: d.lost.length,
        })),
    });
  });

  app.post('/v1/qa/rules/:teamId/publish', async (c) => {
    const s = await scope(c, deps, [...MANAGERS]);
    const teamId = c.req.param('teamId');
    requireScopeTeam(s, teamId);
    const draft = await db
      .selectFrom('qa_rule_drafts')
      .select('body')
      .where('team_id', '=', teamId)
      .executeTakeFirst();
    if (!draft) throw new HttpError(404, 'not_found', 'no draft to publish');
    const v = validate(draft.body);
    if (!v.ok) return c.json({ error: 'invalid_rulebook', errors: v.errors }, 422);
    const out = await publishDocument(db, teamId, 'rulebook', draft.body, s.p.userId, ctx.now());
    ctx.documentChanges.publish({ teamId, kind: 'rulebook', ...out });
    await audit(deps, s, 'rules-publish', null, { teamId, ...out });
    return c.json(out, 201);
  });

  app.post('/v1/qa/rules/:teamId/rollback', async (c) => {
    const s = await scope(c, deps, [...MANAGERS]);
    const teamId = c.req.param('teamId');
    requireScopeTeam(s, teamId);
    const { version } = await body(c, Rollback);
    const old = await db
      .selectFrom('documents')
      .select('body')
      .where('team_id', '=', teamId)
      .where('kind', '=', 'rulebook')
      .where('version', '=', version)
      .executeTakeFirst();
    if (!old) throw new HttpError(404, 'not_found', 'no such version');
    // Rolling back publishes the old body as a new version: extensions only move forward by ETag.
    const out = await publishDocument(db, teamId, 'rulebook', old.body, s.p.userId, ctx.now());
    ctx.documentChanges.publish({ teamId, kind: 'rulebook', ...out });
    await audit(deps, s, 'rules-rollback', null, { teamId, from: version, ...out });
    return c.json(out, 201);
  });

  async function storedHistory(s: Scope, teamId: string): Promise<StoredConversation[]> {
    const rows = await db
      .selectFrom('qa_transcripts')
      .select(['conversation_id', 'turns'])
      .where('org_id', '=', s.p.orgId)
      .where('team_id', '=', teamId)
      .orderBy('received_at', 'desc')
      .limit(SHADOW_LIMIT)
      .execute();
    const channels = await db
      .selectFrom('conversations')
      .select(['id', 'channel'])
      .where('org_id', '=', s.p.orgId)
      .where('id', 'in', [...rows.map((r) => r.conversation_id), ''])
      .execute();
    const chBy = new Map(channels.map((x) => [x.id, x.channel]));
    return rows.map((r) => ({
      id: r.conversation_id,
      turns: (r.turns as TranscriptTurn[])
        .map(
          (t): TranscriptLine => ({
            conversationId: r.conversation_id,
            seq: t.seq,
            speaker: t.speaker,
            text: t.text,
            ts: t.ts,
            channel: chBy.get(r.conversation_id) === 'voice' ? 'voice' : 'chat',
            source: 'stored',
            ...(t.emotion ? { emotion: t.emotion as TranscriptLine['emotion'] } : {}),
            ...(t.intent ? { intent: t.intent as TranscriptLine['intent'] } : {}),
            ...(t.metrics ? { metrics: t.metrics } : {}),
          }),
        )
        .sort((a, b) => a.seq - b.seq),
    }));
  }
}
