/**
 * Authorisation matrix: every route of the endpoint (the OpenAPI document plus the QA console's
 * /v1/qa routes) called as nobody, with a revoked device token, and as every role over both
 * transports (session cookie and device token). A cell is the one status that caller must get:
 * 401 for nobody and revoked tokens, 403 for a role that may not act, 404 when a lead of another
 * team reaches for a team they do not lead (404 rather than 403 so ids cannot be probed).
 *
 * Two tests keep the table honest: every documented or registered route must have a row, and
 * a known gap would be listed as a row whose cell says what the endpoint does today plus an
 * `it.fails` that states what it should do (none is open now).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../lib/ids';
import { seedQaDemo } from '../../../server/qa/demo';
import { BACKENDS, conversation, finding, startEnv, type TestEnv } from '../server/harness';

const CALLERS = [
  'anon',
  'revoked',
  'agent',
  'agentDevice',
  'lead',
  'leadDevice',
  'otherLead',
  'qa',
  'admin',
] as const;
type Caller = (typeof CALLERS)[number];
type Auth = { token?: string; cookie?: string };
type Expect = Record<Caller, number>;

const AGENTS: Caller[] = ['agent', 'agentDevice'];
const LEADS: Caller[] = ['lead', 'leadDevice', 'otherLead'];
const MANAGERS: Caller[] = ['qa', 'admin'];
const DEVICES: Caller[] = ['agentDevice', 'leadDevice'];
const SESSIONS: Caller[] = ['agent', 'lead', 'otherLead', 'qa', 'admin'];

/** `ok` for the callers in `who`, 403 for other roles, 401 for nobody and revoked tokens. */
function allow(ok: number, who: Caller[], over: Partial<Expect> = {}): Expect {
  const e = {} as Expect;
  for (const c of CALLERS) e[c] = c === 'anon' || c === 'revoked' ? 401 : who.includes(c) ? ok : 403;
  return { ...e, ...over };
}
/** Public: the same status for everyone, signed in or not. */
const PUBLIC = (n: number): Expect => Object.fromEntries(CALLERS.map((c) => [c, n])) as Expect;

interface Call {
  path: string;
  body?: unknown;
  /** Replaces the caller's credentials (e.g. a fresh session for logout). */
  auth?: Auth;
}
interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route as documented (OpenAPI `{param}` form). */
  route: string;
  call: (caller: Caller) => Promise<Call> | Call;
  expect: Expect;
}

const SH = 'team_shanghai_a';
const CH = 'team_chicago_b';

describe.each(BACKENDS)('authorisation of every route on %s', (backend) => {
  let env: TestEnv;
  const auth = {} as Record<Caller, Auth>;
  let convId = '';
  let alertId = 0;
  let findingId = '';
  let coachingId = '';
  let calibrationId = '';
  let rulebook: unknown;
  let scorecard: unknown;

  const as = (c: Caller) => auth[c];
  async function ok(method: string, path: string, a: Auth, body?: unknown) {
    const r = await env.call(method, path, { ...a, body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  }
  async function freshDevice(user: 'agent' | 'lead'): Promise<{ token: string; deviceId: string }> {
    const code = await ok('POST', '/v1/enrolment-codes', as('admin'), { userId: env.demo.users[user].id });
    const d = await ok('POST', '/v1/devices/enrol', {}, { code: code.code, deviceName: 'spare' });
    return { token: d.token, deviceId: d.deviceId };
  }
  async function freshSession(c: Caller): Promise<Auth> {
    const email =
      c === 'otherLead'
        ? 'lead.chicago@demo.sotto.local'
        : env.demo.users[c as 'agent' | 'lead' | 'qa' | 'admin'].email;
    const r = await env.call('POST', '/v1/auth/login', {
      body: { email, password: 'correct horse battery' },
    });
    return { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] };
  }
  /** A finding of the demo agent in Shanghai, new enough to appeal. */
  async function agentFinding(): Promise<{ id: string; conversationId: string }> {
    const c = conversation({ agentId: 'agent-7' });
    const f = finding({ conversationId: c.id, ts: Date.now() });
    await ok('POST', '/v1/ingest', as('agentDevice'), { conversations: [c], findings: [f] });
    await ok('GET', `/v1/qa/conversations/${c.id}`, as('qa'));
    return { id: f.finding.id, conversationId: c.id };
  }

  beforeAll(async () => {
    env = await startEnv(backend, {
      limits: { ingestPerSecond: 10_000, ingestBurst: 10_000, loginPerMinute: 10_000 },
    });
    await seedQaDemo(env.database.db, env.demo, { conversations: 12 });
    await ok(
      'POST',
      '/v1/users',
      { cookie: env.cookies.admin },
      {
        email: 'lead.chicago@demo.sotto.local',
        displayName: 'Chicago lead',
        role: 'lead',
        password: 'correct horse battery',
        teamIds: [CH],
      },
    );
    Object.assign(auth, {
      anon: {},
      agent: { cookie: env.cookies.agent },
      agentDevice: { token: env.agentToken },
      lead: { cookie: env.cookies.lead },
      leadDevice: { token: env.leadToken },
      qa: { cookie: env.cookies.qa },
      admin: { cookie: env.cookies.admin },
    });
    auth.otherLead = await freshSession('otherLead');
    const spare = await freshDevice('agent');
    await ok('POST', `/v1/devices/${spare.deviceId}/revoke`, as('admin'));
    auth.revoked = { token: spare.token };

    const f = await agentFinding();
    convId = f.conversationId;
    findingId = f.id;
    alertId = (
      await env.database.db
        .insertInto('alerts')
        .values({
          org_id: env.demo.orgId,
          team_id: SH,
          kind: 'compliance',
          conversation_id: convId,
          rule_key: 'general.forbidden-promise',
          severity: 'critical',
          title: 'test alert',
          finding_id: null,
          agent_user_id: env.demo.users.agent.id,
          linked_conversation_id: null,
          finding_ts: null,
          created_at: Date.now(),
          notify: false,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    coachingId = (
      await ok('POST', '/v1/qa/coaching', as('qa'), {
        agentUserId: env.demo.users.agent.id,
        dimensionId: 'courtesy',
        note: 'greet the customer by name',
      })
    ).id;
    calibrationId = (
      await ok('POST', '/v1/qa/calibrations', as('qa'), {
        name: 'weekly',
        conversationIds: [convId],
        reviewerIds: (['agent', 'lead', 'qa', 'admin'] as const).map((r) => env.demo.users[r].id),
      })
    ).id;
    rulebook = JSON.parse(readFileSync(new URL('../../../rulebooks/general.json', import.meta.url), 'utf8'));
    await ok('PUT', `/v1/qa/rules/${SH}/draft`, as('qa'), { rulebook });
    await ok('POST', `/v1/qa/rules/${SH}/publish`, as('qa'));
    scorecard = (await ok('GET', `/v1/qa/scorecards/${SH}`, as('qa'))).current;
  });
  afterAll(async () => env?.close());

  const rows = (): Row[] => [
    // Public: health, the API description, the console's static shell, sign-in and enrolment.
    { method: 'GET', route: '/healthz', call: () => ({ path: '/healthz' }), expect: PUBLIC(200) },
    { method: 'GET', route: '/openapi.json', call: () => ({ path: '/openapi.json' }), expect: PUBLIC(200) },
    {
      method: 'POST',
      route: '/v1/auth/login',
      call: () => ({
        path: '/v1/auth/login',
        body: { email: env.demo.users.qa.email, password: 'wrong one!' },
      }),
      expect: PUBLIC(401),
    },
    {
      method: 'POST',
      route: '/v1/auth/logout',
      // Each session caller signs out a fresh session of its own, so the shared cookies live on.
      call: async (c) => ({
        path: '/v1/auth/logout',
        auth: SESSIONS.includes(c) ? await freshSession(c) : as(c),
      }),
      expect: PUBLIC(204),
    },
    {
      method: 'POST',
      route: '/v1/devices/enrol',
      call: async () => {
        const code = await ok('POST', '/v1/enrolment-codes', as('admin'), {
          userId: env.demo.users.agent.id,
        });
        return { path: '/v1/devices/enrol', body: { code: code.code } };
      },
      expect: PUBLIC(201),
    },

    // Devices and accounts.
    {
      method: 'GET',
      route: '/v1/me',
      call: () => ({ path: '/v1/me' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS]),
    },
    {
      method: 'POST',
      route: '/v1/devices/rotate',
      // Devices rotate a fresh token of the same user: rotating the shared one would end it.
      call: async (c) => ({
        path: '/v1/devices/rotate',
        auth:
          c === 'agentDevice' || c === 'leadDevice'
            ? { token: (await freshDevice(c === 'agentDevice' ? 'agent' : 'lead')).token }
            : as(c),
      }),
      expect: allow(200, DEVICES),
    },
    {
      method: 'GET',
      route: '/v1/devices',
      call: () => ({ path: '/v1/devices' }),
      expect: allow(200, [...LEADS, ...MANAGERS]),
    },
    {
      method: 'POST',
      route: '/v1/devices/{id}/revoke',
      call: async () => ({ path: `/v1/devices/${(await freshDevice('agent')).deviceId}/revoke` }),
      expect: allow(204, ['lead', 'leadDevice', 'admin'], { otherLead: 404 }),
    },
    {
      method: 'POST',
      route: '/v1/enrolment-codes',
      call: () => ({ path: '/v1/enrolment-codes', body: { userId: env.demo.users.agent.id } }),
      expect: allow(201, ['lead', 'leadDevice', 'admin'], { otherLead: 404 }),
    },
    {
      method: 'POST',
      route: '/v1/users',
      call: () => ({
        path: '/v1/users',
        body: { email: `u${newId().toLowerCase()}@demo.sotto.local`, displayName: 'U', role: 'agent' },
      }),
      expect: allow(201, ['admin']),
    },
    {
      method: 'GET',
      route: '/v1/teams',
      call: () => ({ path: '/v1/teams' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS]),
    },
    {
      method: 'POST',
      route: '/v1/teams',
      call: () => ({ path: '/v1/teams', body: { name: `T ${newId()}` } }),
      expect: allow(201, ['admin']),
    },
    {
      method: 'PUT',
      route: '/v1/teams/{teamId}/settings',
      call: () => ({ path: `/v1/teams/${SH}/settings`, body: {} }),
      expect: allow(200, ['lead', 'leadDevice', 'otherLead', 'admin'], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/teams/{teamId}/webhooks',
      call: () => ({ path: `/v1/teams/${SH}/webhooks` }),
      expect: allow(200, ['lead', 'leadDevice', 'otherLead', 'admin'], { otherLead: 404 }),
    },
    {
      method: 'POST',
      route: '/v1/teams/{teamId}/webhooks',
      call: () => ({
        path: `/v1/teams/${SH}/webhooks`,
        body: { platform: 'slack', url: 'http://127.0.0.1:9/hook', minSeverity: 'auto-fail' },
      }),
      expect: allow(201, ['admin']),
    },
    {
      method: 'DELETE',
      route: '/v1/teams/{teamId}/webhooks/{id}',
      call: async () => {
        const w = await ok('POST', `/v1/teams/${SH}/webhooks`, as('admin'), {
          platform: 'slack',
          url: 'http://127.0.0.1:9/hook',
          minSeverity: 'auto-fail',
        });
        return { path: `/v1/teams/${SH}/webhooks/${w.id}` };
      },
      expect: allow(204, ['admin']),
    },

    // Sync from devices, alerts, documents.
    {
      method: 'POST',
      route: '/v1/ingest',
      call: () => ({ path: '/v1/ingest', body: { findings: [finding({ severity: 'info' })] } }),
      expect: allow(200, DEVICES),
    },
    {
      method: 'GET',
      route: '/v1/alerts',
      call: () => ({ path: '/v1/alerts' }),
      expect: allow(200, [...LEADS, ...MANAGERS]),
    },
    {
      method: 'POST',
      route: '/v1/alerts/{id}/actions',
      call: () => ({
        path: `/v1/alerts/${alertId}/actions`,
        body: { action: 'note', note: 'called the customer back' },
      }),
      expect: allow(201, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/alerts/{id}/actions',
      call: () => ({ path: `/v1/alerts/${alertId}/actions` }),
      expect: allow(200, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/alerts/stream',
      call: () => ({ path: '/v1/alerts/stream' }),
      expect: allow(200, [...LEADS, ...MANAGERS]),
    },
    {
      method: 'GET',
      route: '/v1/conversations/{id}',
      call: () => ({ path: `/v1/conversations/${convId}` }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/teams/{teamId}/documents/{kind}',
      call: () => ({ path: `/v1/teams/${SH}/documents/rulebook` }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/documents/changes',
      // Pushed document versions of the caller's own team, like GET /v1/documents/{kind}.
      call: () => ({ path: '/v1/documents/changes' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS], { qa: 404, admin: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/documents/{kind}',
      // The caller's own (device or first) team's document: the Chicago lead gets Chicago's;
      // qa and admin belong to no team and get 404.
      call: () => ({ path: '/v1/documents/rulebook' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS], { qa: 404, admin: 404 }),
    },
    {
      method: 'PUT',
      route: '/v1/teams/{teamId}/documents/{kind}',
      call: () => ({ path: `/v1/teams/${SH}/documents/rulebook`, body: { body: rulebook } }),
      expect: allow(201, MANAGERS),
    },

    // QA console: conversations.
    {
      method: 'GET',
      route: '/v1/qa/meta',
      call: () => ({ path: '/v1/qa/meta' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS]),
    },
    {
      method: 'GET',
      route: '/v1/qa/conversations',
      call: () => ({ path: '/v1/qa/conversations' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS]),
    },
    {
      method: 'GET',
      route: '/v1/qa/conversations/{id}',
      call: () => ({ path: `/v1/qa/conversations/${convId}` }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'POST',
      route: '/v1/qa/conversations/{id}/review',
      call: () => ({ path: `/v1/qa/conversations/${convId}/review`, body: { comment: 'ok' } }),
      expect: allow(201, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'POST',
      route: '/v1/qa/conversations/{id}/comments',
      call: () => ({ path: `/v1/qa/conversations/${convId}/comments`, body: { text: 'note' } }),
      expect: allow(201, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'PUT',
      route: '/v1/qa/conversations/{id}/case',
      call: () => ({ path: `/v1/qa/conversations/${convId}/case`, body: { kind: 'good' } }),
      expect: allow(200, MANAGERS),
    },
    {
      method: 'GET',
      route: '/v1/qa/views',
      call: () => ({ path: '/v1/qa/views' }),
      expect: allow(200, [...LEADS, ...MANAGERS]),
    },
    {
      method: 'POST',
      route: '/v1/qa/views',
      call: () => ({ path: '/v1/qa/views', body: { name: 'mine', query: {} } }),
      expect: allow(201, [...LEADS, ...MANAGERS]),
    },
    {
      method: 'DELETE',
      route: '/v1/qa/views/{id}',
      // Only the caller's own views are deleted; another user's id is a no-op.
      call: () => ({ path: '/v1/qa/views/999999' }),
      expect: allow(204, [...LEADS, ...MANAGERS]),
    },
    {
      method: 'POST',
      route: '/v1/qa/transcripts',
      call: () => ({ path: '/v1/qa/transcripts', body: { conversationId: `t-${newId()}`, turns: [] } }),
      // Only enrolled devices upload transcripts; signed-in agents and leads are refused too.
      expect: allow(201, DEVICES),
    },

    // QA console: appeals, feedback, sampling, queue, calibration.
    {
      method: 'POST',
      route: '/v1/qa/appeals',
      call: async (c) => ({
        path: '/v1/qa/appeals',
        body: { findingId: c === 'otherLead' ? findingId : (await agentFinding()).id, reason: 'not me' },
      }),
      expect: allow(201, [...AGENTS, ...LEADS], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/qa/appeals',
      call: () => ({ path: '/v1/qa/appeals' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS]),
    },
    {
      method: 'POST',
      route: '/v1/qa/appeals/{id}/decide',
      call: async () => {
        const f = await agentFinding();
        const a = await ok('POST', '/v1/qa/appeals', as('agent'), { findingId: f.id, reason: 'not me' });
        return { path: `/v1/qa/appeals/${a.id}/decide`, body: { decision: 'accept' } };
      },
      expect: allow(200, MANAGERS),
    },
    {
      method: 'POST',
      route: '/v1/qa/feedback',
      call: () => ({
        path: '/v1/qa/feedback',
        body: { events: [{ id: newId(), type: 'wrong', conversationId: convId, findingId, ts: Date.now() }] },
      }),
      // otherLead gets 200 with the event rejected; see the focused test below.
      expect: allow(200, [...AGENTS, ...LEADS]),
    },
    {
      method: 'POST',
      route: '/v1/qa/sampling',
      call: () => ({ path: '/v1/qa/sampling', body: { strategy: 'random', teamId: SH } }),
      expect: allow(201, MANAGERS),
    },
    {
      method: 'GET',
      route: '/v1/qa/queue',
      call: () => ({ path: '/v1/qa/queue' }),
      expect: allow(200, [...LEADS, ...MANAGERS]),
    },
    {
      method: 'POST',
      route: '/v1/qa/calibrations',
      call: () => ({
        path: '/v1/qa/calibrations',
        body: {
          name: 'c',
          conversationIds: [convId],
          reviewerIds: [env.demo.users.qa.id, env.demo.users.admin.id],
        },
      }),
      expect: allow(201, MANAGERS),
    },
    {
      method: 'GET',
      route: '/v1/qa/calibrations',
      call: () => ({ path: '/v1/qa/calibrations' }),
      expect: allow(200, [...LEADS, ...MANAGERS]),
    },
    {
      method: 'GET',
      route: '/v1/qa/calibrations/{id}',
      call: () => ({ path: `/v1/qa/calibrations/${calibrationId}` }),
      // A lead of another team who is not a reviewer does not see the session.
      expect: allow(200, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'POST',
      route: '/v1/qa/calibrations/{id}/ratings',
      call: () => ({
        path: `/v1/qa/calibrations/${calibrationId}/ratings`,
        body: { conversationId: convId, score: 80 },
      }),
      // otherLead neither reviews the session nor leads its team: it does not exist for them.
      expect: allow(201, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },

    // QA console: analytics and coaching.
    {
      method: 'GET',
      route: '/v1/qa/analytics',
      call: () => ({ path: `/v1/qa/analytics?team=${SH}` }),
      expect: allow(200, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/qa/analytics.csv',
      call: () => ({ path: `/v1/qa/analytics.csv?team=${SH}` }),
      expect: allow(200, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/qa/analytics.xlsx',
      call: () => ({ path: `/v1/qa/analytics.xlsx?team=${SH}` }),
      expect: allow(200, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/qa/conversations.csv',
      call: () => ({ path: '/v1/qa/conversations.csv' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS]),
    },
    {
      method: 'GET',
      route: '/v1/qa/conversations.xlsx',
      call: () => ({ path: '/v1/qa/conversations.xlsx' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS]),
    },
    {
      method: 'GET',
      route: '/v1/qa/coaching/suggest',
      call: () => ({ path: `/v1/qa/coaching/suggest?agent=${env.demo.users.agent.id}` }),
      expect: allow(200, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'POST',
      route: '/v1/qa/coaching',
      call: () => ({
        path: '/v1/qa/coaching',
        body: { agentUserId: env.demo.users.agent.id, dimensionId: 'courtesy', note: 'n' },
      }),
      expect: allow(201, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'GET',
      route: '/v1/qa/coaching',
      call: () => ({ path: '/v1/qa/coaching' }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS]),
    },
    {
      method: 'POST',
      route: '/v1/qa/coaching/{id}/done',
      // A lead of another team may not close a Shanghai agent's coaching item.
      call: () => ({ path: `/v1/qa/coaching/${coachingId}/done` }),
      expect: allow(200, [...AGENTS, ...LEADS, ...MANAGERS], { otherLead: 404 }),
    },

    // QA console: scorecards and rules.
    {
      method: 'GET',
      route: '/v1/qa/scorecards/{teamId}',
      call: () => ({ path: `/v1/qa/scorecards/${SH}` }),
      expect: allow(200, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'PUT',
      route: '/v1/qa/scorecards/{teamId}',
      call: () => ({ path: `/v1/qa/scorecards/${SH}`, body: { scorecard } }),
      expect: allow(201, MANAGERS),
    },
    {
      method: 'GET',
      route: '/v1/qa/rules/schema',
      call: () => ({ path: '/v1/qa/rules/schema' }),
      expect: allow(200, [...LEADS, ...MANAGERS]),
    },
    {
      method: 'GET',
      route: '/v1/qa/rules/{teamId}',
      call: () => ({ path: `/v1/qa/rules/${SH}` }),
      expect: allow(200, [...LEADS, ...MANAGERS], { otherLead: 404 }),
    },
    {
      method: 'PUT',
      route: '/v1/qa/rules/{teamId}/draft',
      call: () => ({ path: `/v1/qa/rules/${SH}/draft`, body: { rulebook } }),
      expect: allow(200, MANAGERS),
    },
    {
      method: 'POST',
      route: '/v1/qa/rules/{teamId}/shadow',
      call: async () => {
        await ok('PUT', `/v1/qa/rules/${SH}/draft`, as('qa'), { rulebook });
        return { path: `/v1/qa/rules/${SH}/shadow`, body: {} };
      },
      expect: allow(200, MANAGERS),
    },
    {
      method: 'POST',
      route: '/v1/qa/rules/{teamId}/publish',
      call: async () => {
        await ok('PUT', `/v1/qa/rules/${SH}/draft`, as('qa'), { rulebook });
        return { path: `/v1/qa/rules/${SH}/publish` };
      },
      expect: allow(201, MANAGERS),
    },
    {
      method: 'POST',
      route: '/v1/qa/rules/{teamId}/rollback',
      call: () => ({ path: `/v1/qa/rules/${SH}/rollback`, body: { version: 1 } }),
      expect: allow(201, MANAGERS),
    },

    // Privacy: the audit log, retention, one customer's data on request.
    {
      method: 'GET',
      route: '/v1/audit',
      call: () => ({ path: '/v1/audit?limit=5' }),
      expect: allow(200, MANAGERS),
    },
    {
      method: 'GET',
      route: '/v1/org/retention',
      call: () => ({ path: '/v1/org/retention' }),
      expect: allow(200, MANAGERS),
    },
    {
      method: 'PUT',
      route: '/v1/org/retention',
      call: () => ({ path: '/v1/org/retention', body: { retentionDays: null } }),
      expect: allow(200, ['admin']),
    },
    {
      method: 'POST',
      route: '/v1/org/retention/run',
      call: () => ({ path: '/v1/org/retention/run' }),
      expect: allow(200, ['admin']),
    },
    {
      method: 'POST',
      route: '/v1/privacy/export',
      call: () => ({ path: '/v1/privacy/export', body: { conversationIds: [convId] } }),
      expect: allow(200, MANAGERS),
    },
    {
      method: 'POST',
      // An id that does not exist: the row checks who may erase, not the erasure itself.
      route: '/v1/privacy/delete',
      call: () => ({ path: '/v1/privacy/delete', body: { conversationIds: [`gone-${newId()}`] } }),
      expect: allow(200, ['admin']),
    },
  ];

  /** One request; the SSE stream is aborted as soon as its status is known. */
  async function status(row: Row, caller: Caller): Promise<number> {
    const call = await row.call(caller);
    const a = call.auth ?? as(caller);
    if (row.route === '/v1/alerts/stream' || row.route === '/v1/documents/changes') {
      const ctl = new AbortController();
      const headers: Record<string, string> = {};
      if (a.token) headers.authorization = `Bearer ${a.token}`;
      if (a.cookie) headers.cookie = a.cookie;
      const res = await fetch(`${env.url}${call.path}`, { headers, signal: ctl.signal });
      ctl.abort();
      return res.status;
    }
    return (await env.call(row.method, call.path, { ...a, body: call.body })).status;
  }

  it('gives every caller exactly the allowed status on every route', async () => {
    const mismatches: string[] = [];
    for (const row of rows())
      for (const caller of CALLERS) {
        const got = await status(row, caller);
        if (got !== row.expect[caller])
          mismatches.push(`${row.method} ${row.route} as ${caller}: ${got}, want ${row.expect[caller]}`);
      }
    expect(mismatches).toEqual([]);
  });

  it('has a row for every documented and every registered route', async () => {
    const doc = (await env.call('GET', '/openapi.json')).json;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    // The console routes are plain Hono routes: read them from the source.
    const dir = new URL('../../../server/qa/', import.meta.url);
    const registered = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [
          ...readFileSync(new URL(f, dir), 'utf8').matchAll(/app\.(get|post|put|delete)\('(\/v1\/[^']+)'/g),
        ].map((m) => `${m[1]!.toUpperCase()} ${m[2]!.replace(/:(\w+)/g, '{$1}')}`),
      );
    expect(registered.length).toBeGreaterThan(30);
    const covered = new Set(rows().map((r) => `${r.method} ${r.route}`));
    expect([...new Set([...documented, ...registered])].filter((r) => !covered.has(r))).toEqual([]);
  });

  it('rejects feedback on another team’s finding', async () => {
    const r = await env.call('POST', '/v1/qa/feedback', {
      ...as('otherLead'),
      body: { events: [{ id: newId(), type: 'wrong', conversationId: convId, findingId, ts: Date.now() }] },
    });
    expect(r.status).toBe(200);
    expect(r.json.accepted).toEqual([]);
    expect(r.json.rejected).toHaveLength(1);
  });

  // Calibration sessions draw on any team: a lead who neither reviews a session nor leads every
  // team in it neither reads it nor finds it in the list.
  it('hides a calibration session from a lead who neither reviews it nor leads its teams', async () => {
    expect((await env.call('GET', `/v1/qa/calibrations/${calibrationId}`, as('otherLead'))).status).toBe(404);
    const list = await env.call('GET', '/v1/qa/calibrations', as('otherLead'));
    expect(list.status).toBe(200);
    expect(list.json.sessions.map((x: { id: string }) => x.id)).not.toContain(calibrationId);
    const mine = await env.call('GET', '/v1/qa/calibrations', as('lead'));
    expect(mine.json.sessions.map((x: { id: string }) => x.id)).toContain(calibrationId);
  });
});
