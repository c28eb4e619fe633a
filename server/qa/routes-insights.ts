/** Analytics (trends, hot topics, rule precision, CSV) and coaching from weakest dimensions. */
import type { Context } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { newId } from '../../lib/ids';
import { hotTopics, weakestDimensions } from '../../lib/qa/analytics';
import type { App, AppDeps, Env } from '../http';
import { HttpError } from '../principal';
import { DAY_MS, qaDb } from './db';
import {
  ANALYTICS_KINDS,
  analyticsTable,
  conversationsTable,
  EXPORT_FORMATS,
  ExportLang,
  renderTable,
  type Table,
} from './exports';
import { exportRows } from './routes-conversations';
import { rulePrecisions } from './routes-review';
import { ruleNamesFor } from './rule-names';
import { CoachingAssign } from './schemas';
import { refreshScores, scorecardFor } from './scores';
import { audit, body, MANAGERS, READERS, type Scope, scope } from './scope';

function range(c: Context<Env>, now: number) {
  const to = Number(c.req.query('to')) || now;
  const from = Number(c.req.query('from')) || to - 28 * DAY_MS;
  return { from, to };
}

export async function analytics(
  deps: AppDeps,
  s: Scope,
  opts: { team?: string; agent?: string; from: number; to: number },
) {
  const db = qaDb(deps.ctx);
  const teams = opts.team ? s.teamIds.filter((t) => t === opts.team) : s.teamIds;
  if (!teams.length) return null;
  const fromDay = Math.floor(opts.from / DAY_MS);
  const toDay = Math.ceil(opts.to / DAY_MS);
  let base = db
    .selectFrom('qa_scores')
    .where('org_id', '=', s.p.orgId)
    .where('day', '>=', fromDay)
    .where('day', '<', toDay);
  if (opts.team || s.p.role === 'lead') base = base.where('team_id', 'in', teams);
  if (opts.agent) base = base.where('agent_user_id', '=', opts.agent);
  const weekAgo = opts.to - 7 * DAY_MS;
  const [daily, byAgent, byTeam, emotions, intents, rules, precision, phrases, allRuleNames] =
    await Promise.all([
      base
        .select([
          'day',
          sql<number>`count(*)::int`.as('n'),
          sql<number>`round(avg(score)::numeric, 2)::float8`.as('avgScore'),
          sql<number>`(sum(case when emotion = 'angry' then 1 else 0 end))::int`.as('angry'),
          sql<number>`(sum(case when passed then 0 else 1 end))::int`.as('failed'),
        ])
        .groupBy('day')
        .orderBy('day')
        .execute(),
      base
        .select([
          'agent_user_id as agentUserId',
          sql<number>`count(*)::int`.as('n'),
          sql<number>`round(avg(score)::numeric, 2)::float8`.as('avgScore'),
          sql<number>`(sum(case when emotion = 'angry' then 1 else 0 end))::int`.as('angry'),
        ])
        .groupBy('agent_user_id')
        .orderBy('avgScore')
        .limit(200)
        .execute(),
      base
        .select([
          'team_id as teamId',
          sql<number>`count(*)::int`.as('n'),
          sql<number>`round(avg(score)::numeric, 2)::float8`.as('avgScore'),
        ])
        .groupBy('team_id')
        .execute(),
      base
        .select(['emotion', sql<number>`count(*)::int`.as('n')])
        .groupBy('emotion')
        .execute(),
      // Intents this week against the week before, for hot topics.
      sql<{ key: string; thisWeek: number; lastWeek: number }>`
      select i as key,
        sum(case when started_at >= ${weekAgo} then 1 else 0 end)::int as "thisWeek",
        sum(case when started_at < ${weekAgo} then 1 else 0 end)::int as "lastWeek"
      from (${base.select(['started_at', 'intents']).where('started_at', '>=', opts.to - 14 * DAY_MS)}) t,
        jsonb_array_elements_text(t.intents) i
      group by i`.execute(db),
      db
        .selectFrom('qa_rule_daily')
        .select([
          'rule_key as ruleId',
          sql<number>`sum(hits)::int`.as('hits'),
          sql<number>`sum(convs)::int`.as('convs'),
          sql<number>`sum(case when day >= ${Math.floor(weekAgo / DAY_MS)} then hits else 0 end)::int`.as(
            'thisWeek',
          ),
          sql<number>`sum(case when day < ${Math.floor(weekAgo / DAY_MS)} and day >= ${Math.floor((opts.to - 14 * DAY_MS) / DAY_MS)} then hits else 0 end)::int`.as(
            'lastWeek',
          ),
        ])
        .where('org_id', '=', s.p.orgId)
        .where('team_id', 'in', teams)
        .where('day', '>=', fromDay)
        .where('day', '<', toDay)
        .groupBy('rule_key')
        .orderBy('hits', 'desc')
        .limit(200)
        .execute(),
      rulePrecisions(deps, s.p.orgId, teams),
      sql<{ key: string; thisWeek: number; lastWeek: number }>`
      select p as key,
        sum(case when started_at >= ${weekAgo} then 1 else 0 end)::int as "thisWeek",
        sum(case when started_at < ${weekAgo} then 1 else 0 end)::int as "lastWeek"
      from (${base.select(['started_at', 'phrases']).where('started_at', '>=', opts.to - 14 * DAY_MS)}) t,
        jsonb_array_elements_text(t.phrases) p
      group by p`.execute(db),
      ruleNamesFor(db, teams),
    ]);
  const names = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', [...byAgent.map((a) => a.agentUserId), ''])
    .execute();
  const nameBy = new Map(names.map((n) => [n.id, n.display_name]));
  const ruleNames = Object.fromEntries(
    rules.flatMap((r) => (allRuleNames[r.ruleId] ? [[r.ruleId, allRuleNames[r.ruleId]!]] : [])),
  );
  return {
    from: opts.from,
    to: opts.to,
    daily: daily.map((d) => ({ ...d, date: new Date(d.day * DAY_MS).toISOString().slice(0, 10) })),
    teams: byTeam,
    agents: byAgent.map((a) => ({ ...a, name: nameBy.get(a.agentUserId) ?? a.agentUserId })),
    emotions,
    intents: intents.rows.sort((a, b) => b.thisWeek - a.thisWeek),
    rules: rules.map((r) => ({
      ...r,
      ...(precision.get(r.ruleId) ?? { fired: r.hits, wrong: 0, precision: 1 }),
    })),
    /** Each rule key's name in the three languages, where a rulebook defines it. */
    ruleNames,
    hot: {
      intents: hotTopics(intents.rows),
      phrases: hotTopics(phrases.rows),
      rules: hotTopics(rules.map((r) => ({ key: r.ruleId, thisWeek: r.thisWeek, lastWeek: r.lastWeek }))),
    },
  };
}

export function registerQaInsights(app: App, deps: AppDeps): void {
  const { ctx } = deps;
  const db = qaDb(ctx);

  app.get('/v1/qa/analytics', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    await refreshScores(ctx);
    const r = await analytics(deps, s, {
      ...range(c, ctx.now()),
      team: c.req.query('team') || undefined,
      agent: c.req.query('agent') || undefined,
    });
    if (!r) throw new HttpError(404, 'not_found', 'no such team');
    return c.json(r);
  });

  for (const format of EXPORT_FORMATS)
    app.get(`/v1/qa/analytics.${format}`, async (c) => {
      const s = await scope(c, deps, [...READERS]);
      const kind = z.enum(ANALYTICS_KINDS).parse(c.req.query('kind') ?? 'daily');
      const team = c.req.query('team') || undefined;
      const { from, to } = range(c, ctx.now());
      await refreshScores(ctx);
      let table: Table;
      if (kind === 'conversations') {
        if (team && !s.teamIds.includes(team)) throw new HttpError(404, 'not_found', 'no such team');
        table = conversationsTable(await exportRows(deps, s, { team, from, to }));
      } else {
        const r = await analytics(deps, s, { from, to, team });
        if (!r) throw new HttpError(404, 'not_found', 'no such team');
        table = analyticsTable(kind, r);
      }
      const out = renderTable(table, format, ExportLang.parse(c.req.query('lang')));
      return c.body(out.body, 200, out.headers);
    });

  // Coaching: the agent's weakest dimensions with example conversations to learn from.
  app.get('/v1/qa/coaching/suggest', async (c) => {
    const s = await scope(c, deps, [...READERS]);
    const agent = c.req.query('agent') ?? '';
    const rows = await db
      .selectFrom('qa_scores')
      .select(['conversation_id', 'breakdown', 'score', 'team_id'])
      .where('org_id', '=', s.p.orgId)
      .where('agent_user_id', '=', agent)
      .where('team_id', 'in', s.teamIds.length ? s.teamIds : [''])
      .orderBy('started_at', 'desc')
      .limit(500)
      .execute();
    if (!rows.length) throw new HttpError(404, 'not_found', 'no scored conversations for this agent');
    const dims = (b: unknown) =>
      ((b as { dims?: { id: string; score: number; max: number }[] }).dims ?? []).map((d) => ({
        dimensionId: d.id,
        score: d.score,
        max: d.max,
      }));
    const weakest = weakestDimensions(rows.map((r) => dims(r.breakdown))).slice(0, 3);
    const card = await scorecardFor(db, rows[0]!.team_id);
    const cases = await db
      .selectFrom('qa_cases')
      .innerJoin('qa_scores', (j) =>
        j
          .onRef('qa_scores.org_id', '=', 'qa_cases.org_id')
          .onRef('qa_scores.conversation_id', '=', 'qa_cases.conversation_id'),
      )
      .select(['qa_cases.conversation_id', 'qa_cases.kind', 'qa_cases.note', 'qa_scores.breakdown'])
      .where('qa_cases.org_id', '=', s.p.orgId)
      .limit(500)
      .execute();
    return c.json({
      agentUserId: agent,
      conversations: rows.length,
      weakest: weakest.map((w) => {
        const dim = card.dimensions.find((d) => d.id === w.dimensionId);
        const ratioIn = (b: unknown) => {
          const d = dims(b).find((x) => x.dimensionId === w.dimensionId);
          return d && d.max > 0 ? d.score / d.max : 1;
        };
        return {
          ...w,
          name: dim?.name ?? null,
          // The agent's own conversations that lost most on this dimension.
          ownExamples: rows
            .map((r) => ({ id: r.conversation_id, ratio: ratioIn(r.breakdown) }))
            .filter((r) => r.ratio < 1)
            .sort((a, b) => a.ratio - b.ratio)
            .slice(0, 3)
            .map((r) => r.id),
          // Case library: good examples that scored full marks on it, bad ones that did not.
          library: cases
            .filter((k) => (k.kind === 'good' ? ratioIn(k.breakdown) >= 1 : ratioIn(k.breakdown) < 1))
            .slice(0, 3)
            .map((k) => ({ id: k.conversation_id, kind: k.kind, note: k.note })),
        };
      }),
    });
  });

  app.post('/v1/qa/coaching', async (c) => {
    const s = await scope(c, deps, ['lead', ...MANAGERS]);
    const r = await body(c, CoachingAssign);
    const member = await db
      .selectFrom('team_members')
      .select('team_id')
      .where('user_id', '=', r.agentUserId)
      .where('team_id', 'in', s.teamIds.length ? s.teamIds : [''])
      .executeTakeFirst();
    if (!member) throw new HttpError(404, 'not_found', 'no such agent in your teams');
    const id = newId(ctx.now());
    await db
      .insertInto('qa_coaching')
      .values({
        id,
        org_id: s.p.orgId,
        agent_user_id: r.agentUserId,
        dimension_id: r.dimensionId,
        note: r.note,
        examples: JSON.stringify(r.examples),
        state: 'assigned',
        assigned_by: s.p.userId,
        created_at: ctx.now(),
        due_at: r.dueAt ?? null,
      })
      .execute();
    await audit(deps, s, 'coaching-assign', null, {
      id,
      agentUserId: r.agentUserId,
      dimensionId: r.dimensionId,
    });
    return c.json({ id }, 201);
  });

  // Agents (side panel or console) see their own assignments; managers see their teams'.
  app.get('/v1/qa/coaching', async (c) => {
    const s = await scope(c, deps, ['agent', ...READERS]);
    let qb = db
      .selectFrom('qa_coaching')
      .leftJoin('users', 'users.id', 'qa_coaching.agent_user_id')
      .selectAll('qa_coaching')
      .select('users.display_name as agentName')
      .where('qa_coaching.org_id', '=', s.p.orgId);
    if (s.p.role === 'agent') qb = qb.where('qa_coaching.agent_user_id', '=', s.p.userId);
    else if (s.p.role === 'lead')
      qb = qb.where(
        'qa_coaching.agent_user_id',
        'in',
        db
          .selectFrom('team_members')
          .select('user_id')
          .where('team_id', 'in', s.teamIds.length ? s.teamIds : ['']),
      );
    const rows = await qb.orderBy('qa_coaching.created_at', 'desc').limit(500).execute();
    return c.json({
      items: rows.map((r) => ({
        id: r.id,
        agentUserId: r.agent_user_id,
        agentName: r.agentName,
        dimensionId: r.dimension_id,
        note: r.note,
        examples: r.examples,
        state: r.state,
        createdAt: r.created_at,
        dueAt: r.due_at,
      })),
    });
  });

  app.post('/v1/qa/coaching/:id/done', async (c) => {
    const s = await scope(c, deps, ['agent', ...READERS]);
    const row = await db
      .selectFrom('qa_coaching')
      .selectAll()
      .where('org_id', '=', s.p.orgId)
      .where('id', '=', c.req.param('id'))
      .executeTakeFirst();
    if (!row || (s.p.role === 'agent' && row.agent_user_id !== s.p.userId))
      throw new HttpError(404, 'not_found', 'no such coaching item');
    // Leads close items of agents in their own teams only (as GET /v1/qa/coaching lists them).
    if (
      s.p.role === 'lead' &&
      !(await db
        .selectFrom('team_members')
        .select('user_id')
        .where('user_id', '=', row.agent_user_id)
        .where('team_id', 'in', s.teamIds.length ? s.teamIds : [''])
        .executeTakeFirst())
    )
      throw new HttpError(404, 'not_found', 'no such coaching item');
    await db.updateTable('qa_coaching').set({ state: 'done' }).where('id', '=', row.id).execute();
    return c.json({ ok: true });
  });
}
