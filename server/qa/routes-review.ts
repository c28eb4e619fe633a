/**
 * Review work: appeals (复议) and "this is wrong" feedback from agents, QA decisions, sampling
 * into review queues, and calibration sessions with inter-rater agreement.
 */
import { sql } from 'kysely';
import { newId } from '../../lib/ids';
import {
  assignReviewers,
  cohensKappa,
  fleissKappa,
  gradeOf,
  kappaBand,
  sampleRandom,
  sampleRiskWeighted,
} from '../../lib/qa';
import type { App, AppDeps } from '../http';
import { HttpError, seesWholeOrg } from '../principal';
import { DAY_MS, qaDb } from './db';
import { rescore } from './scores';
import {
  Appeal,
  AppealDecision,
  CalibrationCreate,
  CalibrationRating,
  FeedbackEnvelope,
  FeedbackEvent,
  Sample,
} from './schemas';
import { audit, body, MANAGERS, READERS, type Scope, scope } from './scope';

/** How long QA has to decide an appeal, and how long after a finding an agent may appeal it. */
export const APPEAL_DECISION_DAYS = 3;
export const APPEAL_WINDOW_DAYS = 7;

export function registerQaReview(app: App, deps: AppDeps): void {
  const { ctx } = deps;
  const db = qaDb(ctx);

  /** An agent's appeal of one of their own findings; idempotent per finding. */
  async function fileAppeal(s: Scope, findingId: string, reason: string) {
    const f = await db
      .selectFrom('findings')
      .select(['id', 'team_id', 'conversation_id', 'rule_key', 'agent_user_id', 'ts'])
      .where('org_id', '=', s.p.orgId)
      .where('id', '=', findingId)
      .executeTakeFirst();
    if (!f || (s.p.role === 'agent' && f.agent_user_id !== s.p.userId) || !s.teamIds.includes(f.team_id))
      throw new HttpError(404, 'not_found', 'no such finding');
    const now = ctx.now();
    if (now - f.ts > APPEAL_WINDOW_DAYS * DAY_MS)
      throw new HttpError(
        409,
        'appeal_window_closed',
        `findings can be appealed within ${APPEAL_WINDOW_DAYS} days`,
      );
    const id = newId(now);
    const inserted = await db
      .insertInto('qa_appeals')
      .values({
        id,
        org_id: s.p.orgId,
        team_id: f.team_id,
        conversation_id: f.conversation_id,
        finding_id: f.id,
        rule_key: f.rule_key,
        agent_user_id: f.agent_user_id,
        reason,
        state: 'open',
        deadline_at: now + APPEAL_DECISION_DAYS * DAY_MS,
        decided_by: null,
        decision_comment: null,
        decided_at: null,
        score_before: null,
        score_after: null,
        created_at: now,
      })
      .onConflict((oc) => oc.column('finding_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      await rescore(db, s.p.orgId, [f.conversation_id], now);
      await audit(deps, s, 'appeal', f.conversation_id, { appealId: id, findingId, reason });
    }
    const row = await db
      .selectFrom('qa_appeals')
      .selectAll()
      .where('finding_id', '=', f.id)
      .executeTakeFirstOrThrow();
    return { appeal: shape(row, now), created: inserted !== undefined };
  }

  app.post('/v1/qa/appeals', async (c) => {
    const s = await scope(c, deps, ['agent', 'lead']);
    const a = await body(c, Appeal);
    const r = await fileAppeal(s, a.findingId, a.reason);
    return c.json(r.appeal, r.created ? 201 : 200);
  });

  // The side panel's queued feedback (components/panel/feedback.ts): appeals and "this is wrong".
  app.post('/v1/qa/feedback', async (c) => {
    const s = await scope(c, deps, ['agent', 'lead']);
    const { events } = await body(c, FeedbackEnvelope);
    const accepted: string[] = [];
    const rejected: { id: string; index: number; reason: string }[] = [];
    for (const [index, raw] of events.entries()) {
      const parsed = FeedbackEvent.safeParse(raw);
      if (!parsed.success) {
        const rawId = (raw as { id?: unknown } | null)?.id;
        rejected.push({
          id: typeof rawId === 'string' && rawId.length <= 200 ? rawId : `#${index}`,
          index,
          reason: parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.map(String).join('.') || '(event)'}: ${i.message}`)
            .join('; '),
        });
        continue;
      }
      const e = parsed.data;
      try {
        if (e.type === 'appeal' && e.findingId) await fileAppeal(s, e.findingId, e.reason?.trim() || '—');
        else if (e.type === 'wrong') {
          const f = e.findingId
            ? await db
                .selectFrom('findings')
                .select(['rule_key', 'agent_user_id', 'team_id'])
                .where('org_id', '=', s.p.orgId)
                .where('id', '=', e.findingId)
                .executeTakeFirst()
            : undefined;
          const ruleKey = f?.rule_key ?? e.ruleId;
          if (!ruleKey || (f && !s.teamIds.includes(f.team_id))) throw new Error('unknown finding or rule');
          await db
            .insertInto('qa_feedback')
            .values({
              id: e.id,
              org_id: s.p.orgId,
              finding_id: e.findingId ?? null,
              conversation_id: e.conversationId,
              rule_key: ruleKey,
              user_id: s.p.userId,
              type: 'wrong',
              reason: e.reason ?? null,
              ts: e.ts,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        } else throw new Error(`type ${e.type} is not kept by the QA endpoint`);
        accepted.push(e.id);
      } catch (err) {
        rejected.push({ id: e.id, index, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    return c.json({ accepted, rejected });
  });

  app.get('/v1/qa/appeals', async (c) => {
    const s = await scope(c, deps, ['agent', ...READERS]);
    const state = c.req.query('state');
    let qb = db
      .selectFrom('qa_appeals')
      .leftJoin('users', 'users.id', 'qa_appeals.agent_user_id')
      .leftJoin('findings', 'findings.id', 'qa_appeals.finding_id')
      .selectAll('qa_appeals')
      .select(['users.display_name as agentName', 'findings.title', 'findings.body'])
      .where('qa_appeals.org_id', '=', s.p.orgId);
    if (s.teamIds.length === 0) return c.json({ appeals: [] });
    qb = qb.where('qa_appeals.team_id', 'in', s.teamIds);
    if (s.p.role === 'agent') qb = qb.where('qa_appeals.agent_user_id', '=', s.p.userId);
    const now = ctx.now();
    if (state === 'overdue')
      qb = qb.where('qa_appeals.state', '=', 'open').where('qa_appeals.deadline_at', '<', now);
    else if (state) qb = qb.where('qa_appeals.state', '=', state);
    const rows = await qb.orderBy('qa_appeals.deadline_at').limit(500).execute();
    return c.json({
      appeals: rows.map((r) => ({
        ...shape(r, now),
        agentName: r.agentName,
        title: r.title,
        names: (r.body as { names?: unknown } | null)?.names,
        evidence: (r.body as { evidence?: unknown[] } | null)?.evidence ?? [],
      })),
    });
  });

  app.post('/v1/qa/appeals/:id/decide', async (c) => {
    const s = await scope(c, deps, [...MANAGERS]);
    const d = await body(c, AppealDecision);
    if (d.decision === 'reject' && !d.comment)
      throw new HttpError(400, 'bad_request', 'a rejection needs a comment');
    const a = await db
      .selectFrom('qa_appeals')
      .selectAll()
      .where('org_id', '=', s.p.orgId)
      .where('id', '=', c.req.param('id'))
      .executeTakeFirst();
    if (!a || !s.teamIds.includes(a.team_id)) throw new HttpError(404, 'not_found', 'no such appeal');
    if (a.state !== 'open') throw new HttpError(409, 'already_decided', `appeal is ${a.state}`);
    const now = ctx.now();
    const before = await db
      .selectFrom('qa_scores')
      .select('score')
      .where('org_id', '=', s.p.orgId)
      .where('conversation_id', '=', a.conversation_id)
      .executeTakeFirst();
    if (d.decision === 'accept')
      await db
        .insertInto('qa_finding_status')
        .values({
          finding_id: a.finding_id,
          org_id: s.p.orgId,
          status: 'voided',
          reason: `appeal ${a.id}`,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('finding_id').doUpdateSet({ status: 'voided', updated_at: now }))
        .execute();
    await rescore(db, s.p.orgId, [a.conversation_id], now);
    const after = await db
      .selectFrom('qa_scores')
      .select('score')
      .where('org_id', '=', s.p.orgId)
      .where('conversation_id', '=', a.conversation_id)
      .executeTakeFirst();
    await db
      .updateTable('qa_appeals')
      .set({
        state: d.decision === 'accept' ? 'accepted' : 'rejected',
        decided_by: s.p.userId,
        decision_comment: d.comment || null,
        decided_at: now,
        score_before: before?.score ?? null,
        score_after: after?.score ?? null,
      })
      .where('id', '=', a.id)
      .execute();
    await audit(deps, s, `appeal-${d.decision}`, a.conversation_id, {
      appealId: a.id,
      findingId: a.finding_id,
      comment: d.comment,
      scoreBefore: before?.score ?? null,
      scoreAfter: after?.score ?? null,
    });
    return c.json({
      state: d.decision === 'accept' ? 'accepted' : 'rejected',
      scoreBefore: before?.score,
      scoreAfter: after?.score,
    });
  });

  // Sampling: every conversation is scored; these strategies choose which ones people review.
  app.post('/v1/qa/sampling', async (c) => {
    const s = await scope(c, deps, [...MANAGERS]);
    const r = await body(c, Sample);
    const now = ctx.now();
    const teams = r.teamId ? s.teamIds.filter((t) => t === r.teamId) : s.teamIds;
    if (!teams.length) throw new HttpError(404, 'not_found', 'no such team');
    // Candidates: not yet reviewed nor queued, in the window (default: the last 7 days).
    const cands = await db
      .selectFrom('qa_scores')
      .leftJoin('qa_queue', (j) =>
        j
          .onRef('qa_queue.org_id', '=', 'qa_scores.org_id')
          .onRef('qa_queue.conversation_id', '=', 'qa_scores.conversation_id'),
      )
      .select([
        'qa_scores.conversation_id as id',
        'qa_scores.score',
        'qa_scores.emotion',
        'qa_scores.agent_user_id',
        'qa_scores.rules',
      ])
      .where('qa_scores.org_id', '=', s.p.orgId)
      .where('qa_scores.team_id', 'in', teams)
      .where('qa_scores.reviewed', '=', false)
      .where('qa_queue.id', 'is', null)
      .where('qa_scores.started_at', '>=', r.from ?? now - 7 * DAY_MS)
      .where('qa_scores.started_at', '<', r.to ?? now + DAY_MS)
      .orderBy('qa_scores.started_at', 'desc')
      .limit(20_000)
      .execute();
    const seed = r.seed ?? now % 2_147_483_647;
    const n = r.count ?? Math.ceil((cands.length * r.percent) / 100);
    let picked: { id: string; reasons: string[] }[];
    if (r.strategy === 'random')
      picked = sampleRandom(
        cands.map((x) => x.id),
        (100 * Math.min(n, cands.length)) / Math.max(1, cands.length),
        seed,
      ).map((id) => ({ id, reasons: ['random'] }));
    else {
      const tenure = await db
        .selectFrom('qa_scores')
        .select(['agent_user_id', sql<number>`min(started_at)`.as('first')])
        .where('org_id', '=', s.p.orgId)
        .where('agent_user_id', 'in', [...new Set(cands.map((x) => x.agent_user_id)), ''])
        .groupBy('agent_user_id')
        .execute();
      const firstBy = new Map(tenure.map((t) => [t.agent_user_id, Number(t.first)]));
      const precision = await rulePrecisions(deps, s.p.orgId, teams);
      picked = sampleRiskWeighted(
        cands.map((x) => ({
          id: x.id,
          score: x.score,
          emotion: x.emotion,
          agentTenureDays: (now - (firstBy.get(x.agent_user_id) ?? now)) / DAY_MS,
          minRulePrecision: Math.min(
            1,
            ...(x.rules as string[]).map((k) => precision.get(k)?.precision ?? 1),
          ),
        })),
        n,
        seed,
      );
    }
    const reviewers = r.reviewerIds?.length
      ? r.reviewerIds
      : (
          await db
            .selectFrom('users')
            .select('id')
            .where('org_id', '=', s.p.orgId)
            .where('role', '=', 'qa')
            .execute()
        ).map((u) => u.id);
    const load = await db
      .selectFrom('qa_queue')
      .select(['assignee_id', sql<number>`count(*)::int`.as('n')])
      .where('org_id', '=', s.p.orgId)
      .where('state', '=', 'open')
      .groupBy('assignee_id')
      .execute();
    const loadBy = new Map(load.map((l) => [l.assignee_id, l.n]));
    const assigned = assignReviewers(
      picked,
      reviewers.map((id) => ({ id, open: loadBy.get(id) ?? 0 })),
    );
    if (assigned.length)
      await db
        .insertInto('qa_queue')
        .values(
          assigned.map(([p, assignee]) => ({
            org_id: s.p.orgId,
            conversation_id: p.id,
            assignee_id: assignee,
            strategy: r.strategy,
            reason: p.reasons.join(',') || r.strategy,
            state: 'open',
            created_at: now,
            done_at: null,
          })),
        )
        .onConflict((oc) => oc.columns(['org_id', 'conversation_id']).doNothing())
        .execute();
    await audit(deps, s, 'sampling', null, {
      strategy: r.strategy,
      candidates: cands.length,
      queued: assigned.length,
      seed,
    });
    return c.json({ candidates: cands.length, queued: assigned.length, seed }, 201);
  });

  app.get('/v1/qa/queue', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    let qb = db
      .selectFrom('qa_queue')
      .innerJoin('qa_scores', (j) =>
        j
          .onRef('qa_scores.org_id', '=', 'qa_queue.org_id')
          .onRef('qa_scores.conversation_id', '=', 'qa_queue.conversation_id'),
      )
      .leftJoin('users', 'users.id', 'qa_queue.assignee_id')
      .select([
        'qa_queue.id',
        'qa_queue.conversation_id as conversationId',
        'qa_queue.strategy',
        'qa_queue.reason',
        'qa_queue.state',
        'qa_queue.created_at as createdAt',
        'users.display_name as assignee',
        'qa_queue.assignee_id as assigneeId',
        'qa_scores.score',
        'qa_scores.emotion',
        'qa_scores.worst_title as worstTitle',
      ])
      .where('qa_queue.org_id', '=', s.p.orgId);
    if (!s.teamIds.length) return c.json({ items: [] });
    qb = qb.where('qa_scores.team_id', 'in', s.teamIds);
    if (c.req.query('mine') === 'true') qb = qb.where('qa_queue.assignee_id', '=', s.p.userId);
    qb = qb.where('qa_queue.state', '=', c.req.query('state') === 'done' ? 'done' : 'open');
    return c.json({ items: await qb.orderBy('qa_queue.id', 'desc').limit(500).execute() });
  });

  // Calibration: several reviewers score the same conversations; agreement as κ over grades.
  app.post('/v1/qa/calibrations', async (c) => {
    const s = await scope(c, deps, [...MANAGERS]);
    const r = await body(c, CalibrationCreate);
    const seen = await db
      .selectFrom('qa_scores')
      .select('conversation_id')
      .where('org_id', '=', s.p.orgId)
      .where('conversation_id', 'in', r.conversationIds)
      .where('team_id', 'in', s.teamIds.length ? s.teamIds : [''])
      .execute();
    if (seen.length !== new Set(r.conversationIds).size)
      throw new HttpError(404, 'not_found', 'unknown conversation');
    const id = newId(ctx.now());
    await db
      .insertInto('qa_calibrations')
      .values({
        id,
        org_id: s.p.orgId,
        name: r.name,
        conversation_ids: JSON.stringify([...new Set(r.conversationIds)]),
        reviewer_ids: JSON.stringify([...new Set(r.reviewerIds)]),
        created_by: s.p.userId,
        created_at: ctx.now(),
      })
      .execute();
    await audit(deps, s, 'calibration-create', null, { id, name: r.name });
    return c.json({ id }, 201);
  });

  app.get('/v1/qa/calibrations', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const rows = await db
      .selectFrom('qa_calibrations')
      .select([
        'id',
        'name',
        'conversation_ids as conversationIds',
        'reviewer_ids as reviewerIds',
        'created_at as createdAt',
      ])
      .where('org_id', '=', s.p.orgId)
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute();
    const visible = await visibleTo(
      s,
      rows.map((r) => ({ conversation_ids: r.conversationIds, reviewer_ids: r.reviewerIds })),
    );
    return c.json({ sessions: rows.filter((_, i) => visible[i]) });
  });

  /**
   * Calibration sessions draw conversations from any team. A lead sees a session only as one of
   * its reviewers or when every conversation in it is from a team they lead; otherwise it does
   * not exist for them (404), so another team's conversations and scores stay out of reach.
   */
  async function visibleTo(s: Scope, cal: { conversation_ids: unknown; reviewer_ids: unknown }[]) {
    if (seesWholeOrg(s.p)) return cal.map(() => true);
    const ids = [...new Set(cal.flatMap((r) => r.conversation_ids as string[]))];
    const teams = new Map<string, string>();
    if (ids.length > 0) {
      const rows = await db
        .selectFrom('conversations')
        .select(['id', 'team_id'])
        .where('org_id', '=', s.p.orgId)
        .where('id', 'in', ids)
        .execute();
      for (const r of rows) teams.set(r.id, r.team_id);
    }
    return cal.map(
      (r) =>
        (r.reviewer_ids as string[]).includes(s.p.userId) ||
        (r.conversation_ids as string[]).every((id) => s.teamIds.includes(teams.get(id) ?? '')),
    );
  }

  async function session(s: Scope, id: string) {
    const row = await db
      .selectFrom('qa_calibrations')
      .selectAll()
      .where('org_id', '=', s.p.orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || !(await visibleTo(s, [row]))[0])
      throw new HttpError(404, 'not_found', 'no such calibration session');
    return row;
  }

  app.post('/v1/qa/calibrations/:id/ratings', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const cal = await session(s, c.req.param('id'));
    const r = await body(c, CalibrationRating);
    if (!(cal.reviewer_ids as string[]).includes(s.p.userId))
      throw new HttpError(403, 'forbidden', 'not a reviewer of this session');
    if (!(cal.conversation_ids as string[]).includes(r.conversationId))
      throw new HttpError(404, 'not_found', 'conversation not in this session');
    await db
      .insertInto('qa_calibration_ratings')
      .values({
        session_id: cal.id,
        reviewer_id: s.p.userId,
        conversation_id: r.conversationId,
        score: r.score,
        created_at: ctx.now(),
      })
      .onConflict((oc) =>
        oc
          .columns(['session_id', 'reviewer_id', 'conversation_id'])
          .doUpdateSet({ score: r.score, created_at: ctx.now() }),
      )
      .execute();
    return c.json({ ok: true }, 201);
  });

  app.get('/v1/qa/calibrations/:id', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const cal = await session(s, c.req.param('id'));
    const convIds = cal.conversation_ids as string[];
    const reviewerIds = cal.reviewer_ids as string[];
    const [ratings, autos, names] = await Promise.all([
      db.selectFrom('qa_calibration_ratings').selectAll().where('session_id', '=', cal.id).execute(),
      db
        .selectFrom('qa_scores')
        .select(['conversation_id', 'auto_score'])
        .where('org_id', '=', s.p.orgId)
        .where('conversation_id', 'in', convIds)
        .execute(),
      db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', reviewerIds).execute(),
    ]);
    const autoBy = new Map(autos.map((a) => [a.conversation_id, a.auto_score]));
    const score = (rev: string, conv: string) =>
      ratings.find((r) => r.reviewer_id === rev && r.conversation_id === conv)?.score ?? null;
    const grades = (rev: string) =>
      convIds.map((cv) => {
        const x = score(rev, cv);
        return x === null ? null : gradeOf(x);
      });
    const pairs: { a: string; b: string; kappa: number | null }[] = [];
    for (let i = 0; i < reviewerIds.length; i++)
      for (let j = i + 1; j < reviewerIds.length; j++)
        pairs.push({
          a: reviewerIds[i]!,
          b: reviewerIds[j]!,
          kappa: cohensKappa(grades(reviewerIds[i]!), grades(reviewerIds[j]!)),
        });
    const fleiss = fleissKappa(
      convIds.map((cv) =>
        reviewerIds.flatMap((rv) => {
          const x = score(rv, cv);
          return x === null ? [] : [gradeOf(x)];
        }),
      ),
    );
    const rows = convIds.map((cv) => {
      const given = reviewerIds.map((rv) => score(rv, cv));
      const nums = given.filter((x): x is number => x !== null);
      const mean = nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : null;
      const auto = autoBy.get(cv) ?? null;
      return {
        conversationId: cv,
        scores: given,
        mean,
        autoScore: auto,
        gap: mean !== null && auto !== null ? mean - auto : null,
      };
    });
    const gaps = rows.flatMap((r) => (r.gap === null ? [] : [Math.abs(r.gap)]));
    return c.json({
      id: cal.id,
      name: cal.name,
      reviewers: reviewerIds.map((id) => ({ id, name: names.find((n) => n.id === id)?.display_name ?? id })),
      rows,
      fleissKappa: fleiss,
      band: kappaBand(fleiss),
      pairs,
      meanAbsGapToAuto: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null,
      amReviewer: reviewerIds.includes(s.p.userId),
    });
  });
}

function shape(
  r: {
    id: string;
    conversation_id: string;
    finding_id: string;
    rule_key: string;
    agent_user_id: string;
    reason: string;
    state: string;
    deadline_at: number;
    decision_comment: string | null;
    decided_at: number | null;
    score_before: number | null;
    score_after: number | null;
    created_at: number;
  },
  now: number,
) {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    findingId: r.finding_id,
    ruleId: r.rule_key,
    agentUserId: r.agent_user_id,
    reason: r.reason,
    state: r.state,
    overdue: r.state === 'open' && r.deadline_at < now,
    deadlineAt: r.deadline_at,
    decisionComment: r.decision_comment,
    decidedAt: r.decided_at,
    scoreBefore: r.score_before,
    scoreAfter: r.score_after,
    createdAt: r.created_at,
  };
}

/**
 * Per rule: findings fired (from the daily roll-up) and the ones shown wrong — accepted appeals,
 * plus "this is wrong" feedback on findings whose appeal QA did not reject.
 */
export async function rulePrecisions(
  deps: AppDeps,
  orgId: string,
  teamIds: string[],
  from?: number,
  to?: number,
) {
  const db = qaDb(deps.ctx);
  if (!teamIds.length) return new Map<string, { fired: number; wrong: number; precision: number | null }>();
  let fq = db
    .selectFrom('qa_rule_daily')
    .select(['rule_key', sql<number>`sum(hits)::int`.as('fired')])
    .where('org_id', '=', orgId)
    .where('team_id', 'in', teamIds);
  if (from !== undefined) fq = fq.where('day', '>=', Math.floor(from / DAY_MS));
  if (to !== undefined) fq = fq.where('day', '<', Math.ceil(to / DAY_MS));
  const [fired, wrong] = await Promise.all([
    fq.groupBy('rule_key').execute(),
    sql<{ rule_key: string; wrong: number }>`
      select rule_key, count(distinct fid)::int as wrong from (
        select rule_key, finding_id as fid from qa_appeals
          where org_id = ${orgId} and state = 'accepted'
        union
        select f.rule_key, coalesce(f.finding_id, f.id) as fid from qa_feedback f
          left join qa_appeals a on a.finding_id = f.finding_id and a.state = 'rejected'
          where f.org_id = ${orgId} and f.type = 'wrong' and a.id is null
      ) w group by rule_key`.execute(db),
  ]);
  const wrongBy = new Map(wrong.rows.map((w) => [w.rule_key, w.wrong]));
  const out = new Map<string, { fired: number; wrong: number; precision: number | null }>();
  for (const f of fired) {
    const w = Math.min(wrongBy.get(f.rule_key) ?? 0, f.fired);
    out.set(f.rule_key, {
      fired: f.fired,
      wrong: w,
      precision: f.fired > 0 ? (f.fired - w) / f.fired : null,
    });
  }
  return out;
}
