/** QA console API over a real endpoint and PGlite (and PostgreSQL when SOTTO_TEST_PG_URL is set). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { qaDb } from '../../../server/qa/db';
import { seedQaDemo } from '../../../server/qa/demo';
import { publishDocument } from '../../../server/qa/routes-rules';
import { BACKENDS, finding, startEnv, type TestEnv } from '../server/harness';

describe.each(BACKENDS)('QA console API on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend);
    await seedQaDemo(env.database.db, env.demo, { conversations: 30 });
  });
  afterAll(() => env?.close());
  const qa = () => ({ cookie: env.cookies.qa });

  it('lists every conversation scored, paginated and filtered', async () => {
    const all = await env.call('GET', '/v1/qa/conversations?pageSize=10', qa());
    expect(all.status).toBe(200);
    expect(all.json.total).toBe(30);
    expect(all.json.rows).toHaveLength(10);
    const page3 = await env.call('GET', '/v1/qa/conversations?pageSize=10&page=3', qa());
    expect(page3.json.rows).toHaveLength(10);
    expect(page3.json.rows[0].id).not.toBe(all.json.rows[0].id);
    const angry = await env.call('GET', '/v1/qa/conversations?emotion=angry&pageSize=100', qa());
    expect(angry.json.total).toBeGreaterThan(0);
    expect(angry.json.rows.every((r: { emotion: string }) => r.emotion === 'angry')).toBe(true);
    const rude = await env.call('GET', '/v1/qa/conversations?rule=general.agent-rude&pageSize=100', qa());
    expect(rude.json.total).toBeGreaterThan(0);
    expect(rude.json.total).toBeLessThan(30);
    const critical = await env.call('GET', '/v1/qa/conversations?severity=critical&scoreMax=50', qa());
    expect(critical.json.rows.every((r: { score: number }) => r.score <= 50)).toBe(true);
    const intent = await env.call('GET', '/v1/qa/conversations?intent=billing_dispute', qa());
    expect(intent.json.total).toBe(6);
    const bad = await env.call('GET', '/v1/qa/conversations?scoreMin=abc', qa());
    expect(bad.status).toBe(400);
  });

  it('checks roles and team scope', async () => {
    expect((await env.call('GET', '/v1/qa/conversations')).status).toBe(401);
    const lead = await env.call('GET', '/v1/qa/conversations?pageSize=100', { cookie: env.cookies.lead });
    expect(lead.json.rows.every((r: { teamId: string }) => r.teamId === 'team_shanghai_a')).toBe(true);
    const other = await env.call('GET', '/v1/qa/conversations?team=team_chicago_b', {
      cookie: env.cookies.lead,
    });
    expect(other.json.total).toBe(0);
    const agent = await env.call('GET', '/v1/qa/conversations?pageSize=100', { cookie: env.cookies.agent });
    expect(
      agent.json.rows.every((r: { agentUserId: string }) => r.agentUserId === env.demo.users.agent.id),
    ).toBe(true);
    const chicago = (await env.call('GET', '/v1/qa/conversations?team=team_chicago_b', qa())).json.rows[0].id;
    expect(
      (await env.call('GET', `/v1/qa/conversations/${chicago}`, { cookie: env.cookies.lead })).status,
    ).toBe(404);
    expect(
      (await env.call('POST', '/v1/qa/sampling', { cookie: env.cookies.lead, body: { strategy: 'random' } }))
        .status,
    ).toBe(403);
    expect(
      (await env.call('POST', '/v1/qa/rules/team_shanghai_a/publish', { cookie: env.cookies.agent })).status,
    ).toBe(403);
  });

  it('shows a conversation with evidence and breakdown, and a review overrides the score', async () => {
    const list = await env.call(
      'GET',
      '/v1/qa/conversations?emotion=angry&rule=general.forbidden-promise',
      qa(),
    );
    const id = list.json.rows[0].id;
    const conv = await env.call('GET', `/v1/qa/conversations/${id}`, qa());
    expect(conv.status).toBe(200);
    expect(conv.json.transcript.length).toBeGreaterThan(3);
    const promise = conv.json.findings.find(
      (f: { ruleId: string }) => f.ruleId === 'general.forbidden-promise',
    );
    expect(promise.evidence[0].text).toMatch(/保证|一定/);
    expect(conv.json.breakdown.total).toBe(conv.json.conversation.autoScore);
    expect(conv.json.breakdown.dimensions.length).toBeGreaterThan(2);
    const r = await env.call('POST', `/v1/qa/conversations/${id}/review`, {
      ...qa(),
      body: { overrideScore: 42.5, comment: '人工复核' },
    });
    expect(r.status).toBe(201);
    expect(r.json.score).toBe(42.5);
    await env.call('POST', `/v1/qa/conversations/${id}/comments`, {
      ...qa(),
      body: { text: 'needs coaching' },
    });
    const after = await env.call('GET', `/v1/qa/conversations/${id}`, qa());
    expect(after.json.conversation.score).toBe(42.5);
    expect(after.json.conversation.reviewed).toBe(true);
    expect(after.json.comments[0].body).toBe('needs coaching');
    expect(after.json.audit.map((a: { action: string }) => a.action)).toEqual(['comment', 'review']);
    const reviewed = await env.call('GET', '/v1/qa/conversations?reviewed=true', qa());
    expect(reviewed.json.rows.map((x: { id: string }) => x.id)).toContain(id);
  });

  it('scores findings that arrive through ingest', async () => {
    const f = finding({
      conversationId: 'live-1',
      ruleId: 'general.agent-rude',
      severity: 'warning',
      title: 'rude',
    });
    const ing = await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { findings: [f] } });
    expect(ing.status).toBe(200);
    const conv = await env.call('GET', '/v1/qa/conversations/live-1', qa());
    expect(conv.status).toBe(200);
    expect(conv.json.conversation.autoScore).toBeLessThan(100);
  });

  it('an accepted appeal recalculates the score and lowers the rule precision', async () => {
    const list = await env.call(
      'GET',
      '/v1/qa/conversations?rule=general.agent-rude&agent=user_demo_agent&reviewed=false&pageSize=100',
      qa(),
    );
    // A seeded conversation: its findings were made by the rule engine, as a device makes them.
    const id = list.json.rows.find((r: { id: string }) => r.id.startsWith('demo-')).id;
    const conv = await env.call('GET', `/v1/qa/conversations/${id}`, { cookie: env.cookies.agent });
    const rude = conv.json.findings.find((x: { ruleId: string }) => x.ruleId === 'general.agent-rude');
    const before = conv.json.conversation.score;
    const precisionOf = async () =>
      (await env.call('GET', '/v1/qa/analytics', qa())).json.rules.find(
        (r: { ruleId: string }) => r.ruleId === 'general.agent-rude',
      ).precision;
    const p0 = await precisionOf();
    const appeal = await env.call('POST', '/v1/qa/appeals', {
      cookie: env.cookies.agent,
      body: { findingId: rude.id, reason: '客户先骂人，我是在复述' },
    });
    expect(appeal.status).toBe(201);
    expect(appeal.json.state).toBe('open');
    expect(
      (
        await env.call('POST', '/v1/qa/appeals', {
          cookie: env.cookies.agent,
          body: { findingId: rude.id, reason: 'again' },
        })
      ).status,
    ).toBe(200);
    const open = await env.call('GET', '/v1/qa/appeals?state=open', qa());
    expect(open.json.appeals.map((a: { id: string }) => a.id)).toContain(appeal.json.id);
    // Listed under the rule's name as the finding carries it.
    expect(rude.names?.en).toBeTruthy();
    expect(open.json.appeals.find((a: { id: string }) => a.id === appeal.json.id).names).toEqual(rude.names);
    expect(
      (
        await env.call('POST', `/v1/qa/appeals/${appeal.json.id}/decide`, {
          cookie: env.cookies.agent,
          body: { decision: 'accept' },
        })
      ).status,
    ).toBe(403);
    const d = await env.call('POST', `/v1/qa/appeals/${appeal.json.id}/decide`, {
      ...qa(),
      body: { decision: 'accept', comment: 'ok' },
    });
    expect(d.status).toBe(200);
    expect(d.json.scoreAfter).toBeGreaterThan(before);
    expect(await precisionOf()).toBeLessThan(p0);
    const again = await env.call('POST', `/v1/qa/appeals/${appeal.json.id}/decide`, {
      ...qa(),
      body: { decision: 'reject', comment: 'x' },
    });
    expect(again.status).toBe(409);
    const mine = await env.call('GET', '/v1/qa/appeals', { cookie: env.cookies.agent });
    expect(mine.json.appeals[0].state).toBe('accepted');
  });

  it('"this is wrong" feedback from the side panel counts against precision', async () => {
    const conv = await env.call(
      'GET',
      '/v1/qa/conversations?rule=general.closing&agent=user_demo_agent&pageSize=1',
      qa(),
    );
    const detail = await env.call('GET', `/v1/qa/conversations/${conv.json.rows[0].id}`, qa());
    const f = detail.json.findings.find((x: { ruleId: string }) => x.ruleId === 'general.closing');
    const r = await env.call('POST', '/v1/qa/feedback', {
      token: env.agentToken,
      body: {
        events: [
          {
            id: '01J00000000000000000000000',
            type: 'wrong',
            conversationId: f.conversationId,
            findingId: f.id,
            ts: Date.now(),
          },
        ],
      },
    });
    expect(r.json.accepted).toHaveLength(1);
    const rules = (await env.call('GET', '/v1/qa/analytics', qa())).json.rules;
    expect(rules.find((x: { ruleId: string }) => x.ruleId === 'general.closing').wrong).toBe(1);
  });

  it('samples review queues and computes calibration κ with the gap to the automatic score', async () => {
    const s = await env.call('POST', '/v1/qa/sampling', {
      ...qa(),
      body: { strategy: 'risk', count: 5, seed: 3 },
    });
    expect(s.status).toBe(201);
    expect(s.json.queued).toBe(5);
    const q = await env.call('GET', '/v1/qa/queue', qa());
    expect(q.json.items).toHaveLength(5);
    const ids = (await env.call('GET', '/v1/qa/conversations?pageSize=4', qa())).json.rows.map(
      (r: { id: string }) => r.id,
    );
    const cal = await env.call('POST', '/v1/qa/calibrations', {
      ...qa(),
      body: {
        name: 'Week 1',
        conversationIds: ids,
        reviewerIds: [env.demo.users.qa.id, env.demo.users.admin.id],
      },
    });
    expect(cal.status).toBe(201);
    const scores = [
      [30, 90, 70, 95],
      [35, 88, 75, 40],
    ];
    for (const [k, who] of (['qa', 'admin'] as const).entries())
      for (const [i, id] of ids.entries())
        await env.call('POST', `/v1/qa/calibrations/${cal.json.id}/ratings`, {
          cookie: env.cookies[who],
          body: { conversationId: id, score: scores[k]![i] },
        });
    const view = await env.call('GET', `/v1/qa/calibrations/${cal.json.id}`, qa());
    // Grades: fail/excellent/pass/excellent vs fail/excellent/pass/fail → 3 of 4 agree.
    expect(view.json.pairs[0].kappa).toBeCloseTo(0.6363, 3);
    expect(view.json.fleissKappa).not.toBeNull();
    expect(view.json.rows[0].gap).toBeCloseTo(32.5 - view.json.rows[0].autoScore, 5);
  });

  it('analytics, hot topics and CSV export', async () => {
    const a = await env.call('GET', '/v1/qa/analytics', qa());
    expect(a.json.daily.length).toBeGreaterThan(5);
    expect(a.json.agents.length).toBe(3);
    expect(a.json.intents.length).toBeGreaterThan(3);
    // Rules are named as their rulebook names them, in all three languages.
    const general = JSON.parse(readFileSync('rulebooks/general.json', 'utf8'));
    const rude = general.rules.find((r: { id: string }) => r.id === 'general.agent-rude');
    expect(a.json.rules.some((r: { ruleId: string }) => r.ruleId === 'general.agent-rude')).toBe(true);
    expect(a.json.ruleNames['general.agent-rude']).toEqual(rude.name);
    // The team's latest published rulebook wins over the shipped one.
    const renamed = structuredClone(general);
    renamed.rules.find((r: { id: string }) => r.id === 'general.agent-rude').name = {
      zh_CN: '坐席辱骂客户',
      zh_TW: '坐席辱罵客戶',
      en: 'Agent insults the customer',
    };
    for (const team of ['team_shanghai_a', 'team_chicago_b'])
      await publishDocument(
        qaDb(env.database),
        team,
        'rulebook',
        renamed,
        env.demo.users.admin.id,
        Date.now(),
      );
    const b = await env.call('GET', '/v1/qa/analytics', qa());
    expect(b.json.ruleNames['general.agent-rude'].en).toBe('Agent insults the customer');
    const csv = await env.call('GET', '/v1/qa/analytics.csv?kind=rules', qa());
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.text).toMatch(/^\uFEFF?rule,hits,conversations,wrong,precision/);
  });

  it('coaching from weakest dimensions with the case library, visible to the agent', async () => {
    const good = (await env.call('GET', '/v1/qa/conversations?scoreMin=95', qa())).json.rows[0].id;
    expect(
      (
        await env.call('PUT', `/v1/qa/conversations/${good}/case`, {
          ...qa(),
          body: { kind: 'good', note: '标准服务' },
        })
      ).status,
    ).toBe(200);
    const s = await env.call('GET', `/v1/qa/coaching/suggest?agent=${env.demo.users.agent.id}`, qa());
    expect(s.status).toBe(200);
    const weakest = s.json.weakest[0];
    expect(weakest.ownExamples.length).toBeGreaterThan(0);
    const a = await env.call('POST', '/v1/qa/coaching', {
      ...qa(),
      body: {
        agentUserId: env.demo.users.agent.id,
        dimensionId: weakest.dimensionId,
        note: '练习共情话术',
        examples: [good],
      },
    });
    expect(a.status).toBe(201);
    const mine = await env.call('GET', '/v1/qa/coaching', { token: env.agentToken });
    expect(mine.json.items[0].note).toBe('练习共情话术');
  });

  it('scorecards are versioned and re-score the team', async () => {
    const cur = await env.call('GET', '/v1/qa/scorecards/team_shanghai_a', qa());
    const card = structuredClone(cur.json.current);
    card.dimensions[0].weight = 90;
    const bad = await env.call('PUT', '/v1/qa/scorecards/team_shanghai_a', {
      ...qa(),
      body: { scorecard: { ...card, dimensions: [] } },
    });
    expect(bad.status).toBe(422);
    const put = await env.call('PUT', '/v1/qa/scorecards/team_shanghai_a', {
      ...qa(),
      body: { scorecard: card },
    });
    expect(put.status).toBe(201);
    expect(put.json.version).toBe(2);
    expect(put.json.rescored).toBeGreaterThan(0);
  });

  it('a draft rulebook is validated, shadow-tested on history, published with a new ETag and rolled back', async () => {
    const rules = await env.call('GET', '/v1/qa/rules/team_shanghai_a', qa());
    const live = rules.json.live;
    const doc0 = await env.call('GET', '/v1/documents/rulebook', { token: env.agentToken });
    expect(doc0.headers.get('etag')).toBe(live.etag);
    const invalid = await env.call('PUT', '/v1/qa/rules/team_shanghai_a/draft', {
      ...qa(),
      body: { rulebook: { id: 'x' } },
    });
    expect(invalid.json.valid).toBe(false);
    const draft = structuredClone(live.body);
    draft.version = '2026.12.1';
    draft.rules.push({
      ...draft.rules[0],
      id: 'general.refund-delay',
      when: { type: 'phrase', phrases: ['退款到现在还没到账'] },
      scope: { speaker: 'customer' },
    });
    const ok = await env.call('PUT', '/v1/qa/rules/team_shanghai_a/draft', {
      ...qa(),
      body: { rulebook: draft },
    });
    expect(ok.json).toEqual({ valid: true, errors: [] });
    const shadow = await env.call('POST', '/v1/qa/rules/team_shanghai_a/shadow', qa());
    expect(shadow.status).toBe(200);
    const added = shadow.json.diff.find((d: { ruleId: string }) => d.ruleId === 'general.refund-delay');
    expect(added.status).toBe('added');
    expect(added.after).toBeGreaterThan(0);
    const pub = await env.call('POST', '/v1/qa/rules/team_shanghai_a/publish', qa());
    expect(pub.status).toBe(201);
    expect(pub.json.etag).not.toBe(live.etag);
    const doc1 = await env.call('GET', '/v1/documents/rulebook', {
      token: env.agentToken,
      headers: { 'if-none-match': live.etag },
    });
    expect(doc1.status).toBe(200);
    expect(doc1.headers.get('etag')).toBe(pub.json.etag);
    expect(doc1.json.body.rules.some((r: { id: string }) => r.id === 'general.refund-delay')).toBe(true);
    const back = await env.call('POST', '/v1/qa/rules/team_shanghai_a/rollback', {
      ...qa(),
      body: { version: live.version },
    });
    expect(back.status).toBe(201);
    const doc2 = await env.call('GET', '/v1/documents/rulebook', { token: env.agentToken });
    expect(doc2.json.body.rules.some((r: { id: string }) => r.id === 'general.refund-delay')).toBe(false);
  });

  it('saved views belong to their user', async () => {
    const v = await env.call('POST', '/v1/qa/views', {
      ...qa(),
      body: { name: '愤怒客户', query: { emotion: 'angry' } },
    });
    expect(v.status).toBe(201);
    expect((await env.call('GET', '/v1/qa/views', qa())).json.views[0].name).toBe('愤怒客户');
    expect((await env.call('GET', '/v1/qa/views', { cookie: env.cookies.admin })).json.views).toHaveLength(0);
  });
});
