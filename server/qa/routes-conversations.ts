/**
 * Console conversations: the filtered, paginated list (from qa_scores), one conversation with
 * evidence, timeline, score breakdown, reviews, comments and audit trail, the manual review
 * (which may override the score), comments, the case library mark and saved views.
 */
import { sql } from 'kysely';
import type { Finding } from '../../lib/finding';
import { SEVERITY_RANK } from '../../lib/qa/analytics';
import { scoreConversation } from '../../lib/scoring';
import type { App, AppDeps } from '../http';
import { HttpError } from '../principal';
import { qaDb } from './db';
import {
  conversationsTable,
  EXPORT_FORMATS,
  EXPORT_ROW_LIMIT,
  ExportLang,
  renderTable,
  type ScoreRow,
} from './exports';
import {
  countedFindings,
  loadFindings,
  refreshScores,
  rescore,
  scorecardFor,
  type TranscriptTurn,
} from './scores';
import { CaseMark, Comment, ListQuery, Review, TranscriptUpload, View } from './schemas';
import { recordAudit } from '../privacy';
import { audit, body, MANAGERS, READERS, type Scope, scope } from './scope';

export { ListQuery };

export function listQuery(c: { req: { queries(): Record<string, string[]> } }): ListQuery {
  const flat = Object.fromEntries(
    Object.entries(c.req.queries()).flatMap(([k, v]) =>
      v[0] === undefined || v[0] === '' ? [] : [[k, v[0]]],
    ),
  );
  const r = ListQuery.safeParse(flat);
  if (!r.success)
    throw new HttpError(
      400,
      'bad_request',
      r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  return r.data;
}

/** The caller's scores matching the list filters, or null when the filters leave no team. */
export function filteredScores(deps: AppDeps, s: Scope, f: Omit<ListQuery, 'sort' | 'page' | 'pageSize'>) {
  const db = qaDb(deps.ctx);
  const teams = f.team ? s.teamIds.filter((t) => t === f.team) : s.teamIds;
  if (teams.length === 0) return null;
  let base = db.selectFrom('qa_scores').where('qa_scores.org_id', '=', s.p.orgId);
  // qa/admin see the whole org: skip the team list unless a team was picked (keeps the index range simple).
  if (f.team || s.p.role === 'lead' || s.p.role === 'agent')
    base = base.where('qa_scores.team_id', 'in', teams);
  if (s.p.role === 'agent') base = base.where('qa_scores.agent_user_id', '=', s.p.userId);
  if (f.agent) base = base.where('qa_scores.agent_user_id', '=', f.agent);
  if (f.from !== undefined) base = base.where('qa_scores.started_at', '>=', f.from);
  if (f.to !== undefined) base = base.where('qa_scores.started_at', '<', f.to);
  if (f.channel) base = base.where('qa_scores.channel', '=', f.channel);
  if (f.rule) base = base.where(sql<boolean>`qa_scores.rules @> ${JSON.stringify([f.rule])}::jsonb`);
  if (f.intent) base = base.where(sql<boolean>`qa_scores.intents @> ${JSON.stringify([f.intent])}::jsonb`);
  if (f.severity) base = base.where('qa_scores.worst_rank', '>=', SEVERITY_RANK[f.severity]);
  if (f.emotion) base = base.where('qa_scores.emotion', '=', f.emotion);
  if (f.scoreMin !== undefined) base = base.where('qa_scores.score', '>=', f.scoreMin);
  if (f.scoreMax !== undefined) base = base.where('qa_scores.score', '<=', f.scoreMax);
  if (f.appealed !== undefined) base = base.where('qa_scores.appealed', '=', f.appealed);
  if (f.reviewed !== undefined) base = base.where('qa_scores.reviewed', '=', f.reviewed);
  return base;
}

export async function listConversations(deps: AppDeps, s: Scope, f: ListQuery) {
  const db = qaDb(deps.ctx);
  const base = filteredScores(deps, s, f);
  if (!base) return { total: 0, page: f.page, pageSize: f.pageSize, rows: [] };
  // Counting stops at 10,000: past that the page count is shown as "10,000+" and counting all
  // matches of a broad filter over millions of rows would cost more than the page itself.
  const countQ = sql<{
    n: number;
  }>`select count(*)::int as n from (${base.select(sql`1`.as('x')).limit(10_001)}) t`;
  let rowsQ = base
    .leftJoin('users', 'users.id', 'qa_scores.agent_user_id')
    .leftJoin('teams', 'teams.id', 'qa_scores.team_id')
    .select([
      'qa_scores.conversation_id as id',
      'qa_scores.team_id as teamId',
      'teams.name as teamName',
      'qa_scores.agent_user_id as agentUserId',
      'users.display_name as agentName',
      'qa_scores.channel',
      'qa_scores.started_at as startedAt',
      'qa_scores.score',
      'qa_scores.auto_score as autoScore',
      'qa_scores.override_score as overrideScore',
      'qa_scores.passed',
      'qa_scores.worst_severity as worstSeverity',
      'qa_scores.worst_rule as worstRule',
      'qa_scores.worst_title as worstTitle',
      'qa_scores.finding_count as findingCount',
      'qa_scores.emotion',
      'qa_scores.mood',
      'qa_scores.intents',
      'qa_scores.appealed',
      'qa_scores.reviewed',
    ]);
  rowsQ =
    f.sort === 'score'
      ? rowsQ.orderBy('qa_scores.score', 'asc').orderBy('qa_scores.started_at', 'desc')
      : rowsQ.orderBy('qa_scores.started_at', 'desc');
  const [count, rows] = await Promise.all([
    countQ.execute(db),
    rowsQ
      .orderBy('qa_scores.conversation_id')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
  ]);
  const total = count.rows[0]?.n ?? 0;
  return {
    total: Math.min(total, 10_000),
    totalCapped: total > 10_000,
    page: f.page,
    pageSize: f.pageSize,
    rows,
  };
}

/** The filtered list for CSV/XLSX export: newest first, at most EXPORT_ROW_LIMIT rows. */
export async function exportRows(
  deps: AppDeps,
  s: Scope,
  f: Omit<ListQuery, 'sort' | 'page' | 'pageSize'>,
): Promise<ScoreRow[]> {
  const base = filteredScores(deps, s, f);
  if (!base) return [];
  return base
    .leftJoin('users', 'users.id', 'qa_scores.agent_user_id')
    .leftJoin('teams', 'teams.id', 'qa_scores.team_id')
    .select([
      'qa_scores.conversation_id',
      'teams.name as team_name',
      'users.display_name as agent_name',
      'qa_scores.channel',
      'qa_scores.started_at',
      'qa_scores.score',
      'qa_scores.auto_score',
      'qa_scores.worst_severity',
      'qa_scores.worst_rule',
      'qa_scores.emotion',
      'qa_scores.appealed',
      'qa_scores.reviewed',
    ])
    .orderBy('qa_scores.started_at', 'desc')
    .orderBy('qa_scores.conversation_id')
    .limit(EXPORT_ROW_LIMIT)
    .execute();
}

/** The conversation if the caller may see it (agents: their own), else 404. */
export async function visibleConversation(deps: AppDeps, s: Scope, id: string) {
  const row = await qaDb(deps.ctx)
    .selectFrom('qa_scores')
    .selectAll()
    .where('org_id', '=', s.p.orgId)
    .where('conversation_id', '=', id)
    .executeTakeFirst();
  if (!row || !s.teamIds.includes(row.team_id) || (s.p.role === 'agent' && row.agent_user_id !== s.p.userId))
    throw new HttpError(404, 'not_found', 'no such conversation');
  return row;
}

export function registerQaConversations(app: App, deps: AppDeps): void {
  const { ctx } = deps;
  const db = qaDb(ctx);

  app.get('/v1/qa/meta', async (c) => {
    const s = await scope(c, deps, ['agent', ...READERS]);
    await refreshScores(ctx);
    const teams = s.teamIds.length
      ? await db
          .selectFrom('teams')
          .select(['id', 'name'])
          .where('id', 'in', s.teamIds)
          .orderBy('name')
          .execute()
      : [];
    const agents = s.teamIds.length
      ? await db
          .selectFrom('users')
          .innerJoin('team_members', 'team_members.user_id', 'users.id')
          .select(['users.id', 'users.display_name as name', 'team_members.team_id as teamId'])
          .where('team_members.team_id', 'in', s.teamIds)
          .where('users.role', '=', 'agent')
          .orderBy('users.display_name')
          .execute()
      : [];
    const rules = s.teamIds.length
      ? await db
          .selectFrom('qa_rule_daily')
          .select('rule_key')
          .distinct()
          .where('org_id', '=', s.p.orgId)
          .where('team_id', 'in', s.teamIds)
          .orderBy('rule_key')
          .limit(500)
          .execute()
      : [];
    const me = await db
      .selectFrom('users')
      .select('display_name')
      .where('id', '=', s.p.userId)
      .executeTakeFirst();
    return c.json({
      me: { userId: s.p.userId, role: s.p.role, name: me?.display_name ?? '' },
      teams,
      agents,
      rules: rules.map((r) => r.rule_key),
      reviewers: seesAll(s)
        ? await db
            .selectFrom('users')
            .select(['id', 'display_name as name'])
            .where('org_id', '=', s.p.orgId)
            .where('role', 'in', ['qa', 'admin', 'lead'])
            .orderBy('display_name')
            .execute()
        : [],
    });
  });

  app.get('/v1/qa/conversations', async (c) => {
    const s = await scope(c, deps, ['agent', ...READERS]);
    const f = listQuery(c);
    await refreshScores(ctx);
    return c.json(await listConversations(deps, s, f));
  });

  // The list as filtered in the console, as a file (every page, not only the one shown).
  for (const format of EXPORT_FORMATS)
    app.get(`/v1/qa/conversations.${format}`, async (c) => {
      const s = await scope(c, deps, ['agent', ...READERS]);
      const f = listQuery(c);
      await refreshScores(ctx);
      const out = renderTable(
        conversationsTable(await exportRows(deps, s, f)),
        format,
        ExportLang.parse(c.req.query('lang')),
      );
      return c.body(out.body, 200, out.headers);
    });

  app.get('/v1/qa/conversations/:id', async (c) => {
    const s = await scope(c, deps, ['agent', ...READERS]);
    await refreshScores(ctx);
    const id = c.req.param('id');
    const row = await visibleConversation(deps, s, id);
    const [conv, findings, transcript, reviews, comments, auditRows, appeals, kase, card] = await Promise.all(
      [
        db
          .selectFrom('conversations')
          .selectAll()
          .where('org_id', '=', s.p.orgId)
          .where('id', '=', id)
          .executeTakeFirst(),
        loadFindings(db, s.p.orgId, [id]),
        db
          .selectFrom('qa_transcripts')
          .select('turns')
          .where('org_id', '=', s.p.orgId)
          .where('conversation_id', '=', id)
          .executeTakeFirst(),
        db
          .selectFrom('qa_reviews')
          .leftJoin('users', 'users.id', 'qa_reviews.reviewer_id')
          .select([
            'qa_reviews.id',
            'qa_reviews.override_score as overrideScore',
            'qa_reviews.manual',
            'qa_reviews.comment',
            'qa_reviews.created_at as createdAt',
            'users.display_name as reviewer',
          ])
          .where('qa_reviews.org_id', '=', s.p.orgId)
          .where('qa_reviews.conversation_id', '=', id)
          .orderBy('qa_reviews.id', 'desc')
          .execute(),
        db
          .selectFrom('qa_comments')
          .leftJoin('users', 'users.id', 'qa_comments.user_id')
          .select([
            'qa_comments.id',
            'qa_comments.body',
            'qa_comments.created_at as createdAt',
            'users.display_name as author',
          ])
          .where('qa_comments.org_id', '=', s.p.orgId)
          .where('qa_comments.conversation_id', '=', id)
          .orderBy('qa_comments.id')
          .execute(),
        db
          .selectFrom('qa_audit')
          .leftJoin('users', 'users.id', 'qa_audit.user_id')
          .select([
            'qa_audit.id',
            'qa_audit.action',
            'qa_audit.detail',
            'qa_audit.created_at as createdAt',
            'users.display_name as user',
          ])
          .where('qa_audit.org_id', '=', s.p.orgId)
          .where('qa_audit.conversation_id', '=', id)
          .where('qa_audit.action', '<>', 'conversation-read')
          .orderBy('qa_audit.id', 'desc')
          .limit(200)
          .execute(),
        db
          .selectFrom('qa_appeals')
          .selectAll()
          .where('org_id', '=', s.p.orgId)
          .where('conversation_id', '=', id)
          .execute(),
        db
          .selectFrom('qa_cases')
          .selectAll()
          .where('org_id', '=', s.p.orgId)
          .where('conversation_id', '=', id)
          .executeTakeFirst(),
        scorecardFor(db, row.team_id),
      ],
    );
    const latest = reviews[0];
    const breakdown = scoreConversation(
      countedFindings(findings),
      card,
      (latest?.manual as Record<string, number>) ?? {},
    );
    const appealBy = new Map(appeals.map((a) => [a.finding_id, a]));
    const turns = (transcript?.turns as TranscriptTurn[] | undefined) ?? [];
    // Reading a conversation with its evidence is audited (who saw what).
    await recordAudit(ctx, s.p, 'conversation-read', id, { via: 'console', findings: findings.length });
    return c.json({
      conversation: {
        id,
        teamId: row.team_id,
        agentUserId: row.agent_user_id,
        channel: row.channel,
        startedAt: row.started_at,
        endedAt: conv?.ended_at ?? null,
        score: row.score,
        autoScore: row.auto_score,
        overrideScore: row.override_score,
        passed: row.passed,
        emotion: row.emotion,
        mood: row.mood,
        intents: row.intents,
        appealed: row.appealed,
        reviewed: row.reviewed,
      },
      findings: findings.map((f) => {
        const a = appealBy.get(f.id);
        return {
          ...(f.body as Finding),
          voided: f.status === 'voided',
          appeal: a ? { id: a.id, state: a.state, reason: a.reason, deadlineAt: a.deadline_at } : null,
        };
      }),
      transcript: turns,
      // Emotion and silence over time: customer emotion per turn, silence from voice metrics.
      timeline: turns.map((t) => ({
        seq: t.seq,
        ts: t.ts,
        speaker: t.speaker,
        emotion: t.emotion ?? null,
        silenceMs: t.metrics?.silenceMs ?? null,
      })),
      scorecard: card,
      breakdown,
      reviews,
      comments,
      audit: auditRows,
      case: kase ? { kind: kase.kind, note: kase.note } : null,
    });
  });

  app.post('/v1/qa/conversations/:id/review', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const id = c.req.param('id');
    const before = await visibleConversation(deps, s, id);
    const r = await body(c, Review);
    await db
      .insertInto('qa_reviews')
      .values({
        org_id: s.p.orgId,
        conversation_id: id,
        reviewer_id: s.p.userId,
        override_score: r.overrideScore ?? null,
        manual: JSON.stringify(r.manual),
        comment: r.comment ?? null,
        created_at: ctx.now(),
      })
      .execute();
    await rescore(db, s.p.orgId, [id], ctx.now());
    // A review finishes the conversation's open queue item.
    await db
      .updateTable('qa_queue')
      .set({ state: 'done', done_at: ctx.now() })
      .where('org_id', '=', s.p.orgId)
      .where('conversation_id', '=', id)
      .where('state', '=', 'open')
      .execute();
    const after = await visibleConversation(deps, s, id);
    await audit(deps, s, 'review', id, {
      scoreBefore: before.score,
      scoreAfter: after.score,
      override: r.overrideScore ?? null,
      manual: r.manual,
      comment: r.comment ?? null,
    });
    return c.json(
      { score: after.score, autoScore: after.auto_score, overrideScore: after.override_score },
      201,
    );
  });

  app.post('/v1/qa/conversations/:id/comments', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const id = c.req.param('id');
    await visibleConversation(deps, s, id);
    const { text } = await body(c, Comment);
    const row = await db
      .insertInto('qa_comments')
      .values({
        org_id: s.p.orgId,
        conversation_id: id,
        user_id: s.p.userId,
        body: text,
        created_at: ctx.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(deps, s, 'comment', id, { commentId: row.id });
    return c.json({ id: row.id }, 201);
  });

  app.put('/v1/qa/conversations/:id/case', async (c) => {
    const s = await scope(c, deps, [...MANAGERS]);
    const id = c.req.param('id');
    await visibleConversation(deps, s, id);
    const r = await body(c, CaseMark);
    if (r.kind === 'none')
      await db
        .deleteFrom('qa_cases')
        .where('org_id', '=', s.p.orgId)
        .where('conversation_id', '=', id)
        .execute();
    else
      await db
        .insertInto('qa_cases')
        .values({
          org_id: s.p.orgId,
          conversation_id: id,
          kind: r.kind,
          note: r.note ?? null,
          created_by: s.p.userId,
          created_at: ctx.now(),
        })
        .onConflict((oc) =>
          oc.columns(['org_id', 'conversation_id']).doUpdateSet({ kind: r.kind, note: r.note ?? null }),
        )
        .execute();
    await audit(deps, s, 'case', id, r);
    return c.json({ ok: true });
  });

  app.get('/v1/qa/views', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const rows = await db
      .selectFrom('qa_views')
      .select(['id', 'name', 'query'])
      .where('org_id', '=', s.p.orgId)
      .where('user_id', '=', s.p.userId)
      .orderBy('name')
      .execute();
    return c.json({ views: rows });
  });
  app.post('/v1/qa/views', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const v = await body(c, View);
    ListQuery.parse(v.query);
    const row = await db
      .insertInto('qa_views')
      .values({
        org_id: s.p.orgId,
        user_id: s.p.userId,
        name: v.name,
        query: JSON.stringify(v.query),
        created_at: ctx.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return c.json({ id: row.id }, 201);
  });
  app.delete('/v1/qa/views/:id', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    await db
      .deleteFrom('qa_views')
      .where('org_id', '=', s.p.orgId)
      .where('user_id', '=', s.p.userId)
      .where('id', '=', Number(c.req.param('id')) || 0)
      .execute();
    return c.body(null, 204);
  });

  // Devices upload redacted transcripts when their policy allows it; they feed the conversation
  // page and shadow tests of draft rules.
  app.post('/v1/qa/transcripts', async (c) => {
    const s = await scope(c, deps, ['agent', 'lead']);
    if (s.p.kind !== 'device' || !s.p.deviceTeamId)
      throw new HttpError(403, 'forbidden', 'transcripts come from enrolled devices');
    const t = await body(c, TranscriptUpload);
    await db
      .insertInto('qa_transcripts')
      .values({
        org_id: s.p.orgId,
        conversation_id: t.conversationId,
        team_id: s.p.deviceTeamId,
        turns: JSON.stringify(t.turns),
        received_at: ctx.now(),
      })
      .onConflict((oc) =>
        oc
          .columns(['org_id', 'conversation_id'])
          .doUpdateSet({ turns: JSON.stringify(t.turns), received_at: ctx.now() }),
      )
      .execute();
    return c.json({ ok: true }, 201);
  });
}

function seesAll(s: Scope): boolean {
  return s.p.role === 'qa' || s.p.role === 'admin';
}
