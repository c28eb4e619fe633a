/**
 * Every route as every kind of caller. A cell is the status the caller must get; "other lead" is
 * the lead of another team (scope), "revoked" a revoked device token, "expired" a session past
 * its expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../lib/ids';
import { sha256 } from '../../../server/crypto';
import { BACKENDS, type TestEnv, conversation, finding, startEnv } from './harness';

const CALLERS = [
  'anon',
  'agentDevice',
  'leadDevice',
  'agent',
  'lead',
  'otherLead',
  'qa',
  'admin',
  'revoked',
  'expired',
] as const;
type Caller = (typeof CALLERS)[number];

type Row = [
  method: string,
  path: string,
  body: (() => unknown) | undefined,
  expected: Record<Caller, number>,
];

const ALL = (n: number, over: Partial<Record<Caller, number>> = {}): Record<Caller, number> => ({
  anon: 401,
  revoked: 401,
  expired: 401,
  agentDevice: n,
  leadDevice: n,
  agent: n,
  lead: n,
  otherLead: n,
  qa: n,
  admin: n,
  ...over,
});

describe.each(BACKENDS)('role and team checks on %s', (backend) => {
  let env: TestEnv;
  const auth: Record<Caller, { token?: string; cookie?: string }> = {} as never;
  let shanghai = '';
  let convId = '';
  beforeAll(async () => {
    env = await startEnv(backend, {
      limits: { ingestPerSecond: 1000, ingestBurst: 1000, loginPerMinute: 1000 },
    });
    shanghai = env.demo.teams[0]!.id;
    const chicago = env.demo.teams[1]!.id;
    const other = await env.call('POST', '/v1/users', {
      cookie: env.cookies.admin,
      body: {
        email: 'lead.chicago@demo.sotto.local',
        displayName: 'Chicago lead',
        role: 'lead',
        password: 'another long password',
        teamIds: [chicago],
      },
    });
    expect(other.status).toBe(201);
    const login = await env.call('POST', '/v1/auth/login', {
      body: { email: 'lead.chicago@demo.sotto.local', password: 'another long password' },
    });
    const code = await env.call('POST', '/v1/enrolment-codes', {
      cookie: env.cookies.lead,
      body: { userId: env.demo.users.agent.id },
    });
    const spare = await env.call('POST', '/v1/devices/enrol', { body: { code: code.json.code } });
    expect(
      (await env.call('POST', `/v1/devices/${spare.json.deviceId}/revoke`, { cookie: env.cookies.lead }))
        .status,
    ).toBe(204);
    const expiredToken = `sss_${newId()}`;
    await env.database.db
      .insertInto('sessions')
      .values({
        token_hash: sha256(expiredToken),
        user_id: env.demo.users.admin.id,
        created_at: 0,
        expires_at: Date.now() - 1,
      })
      .execute();
    Object.assign(auth, {
      anon: {},
      agentDevice: { token: env.agentToken },
      leadDevice: { token: env.leadToken },
      agent: { cookie: env.cookies.agent },
      lead: { cookie: env.cookies.lead },
      otherLead: { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] },
      qa: { cookie: env.cookies.qa },
      admin: { cookie: env.cookies.admin },
      revoked: { token: spare.json.token },
      expired: { cookie: `sotto_session=${expiredToken}` },
    });
    const c = conversation();
    convId = c.id;
    await env.call('POST', '/v1/ingest', {
      token: env.agentToken,
      body: { conversations: [c], findings: [finding({ conversationId: c.id })] },
    });
    await env.call('PUT', `/v1/teams/${shanghai}/documents/rulebook`, {
      cookie: env.cookies.qa,
      body: { body: { rules: [] } },
    });
  });
  afterAll(async () => env?.close());

  const rows = (): Row[] => [
    ['GET', '/v1/me', undefined, ALL(200)],
    ['GET', '/v1/teams', undefined, ALL(200)],
    ['GET', '/v1/alerts', undefined, ALL(200, { agentDevice: 403, agent: 403 })],
    ['GET', '/v1/alerts/stream', undefined, ALL(200, { agentDevice: 403, agent: 403 })],
    ['GET', '/v1/devices', undefined, ALL(200, { agentDevice: 403, agent: 403 })],
    [
      'POST',
      '/v1/enrolment-codes',
      () => ({ userId: env.demo.users.agent.id }),
      ALL(201, { agentDevice: 403, agent: 403, qa: 403, otherLead: 404 }),
    ],
    [
      'POST',
      '/v1/ingest',
      () => ({ findings: [finding({ severity: 'info' })] }),
      ALL(403, { agentDevice: 200, leadDevice: 200 }),
    ],
    [`GET`, `/v1/conversations/${convId}`, undefined, ALL(200, { otherLead: 404 })],
    ['GET', `/v1/teams/${shanghai}/documents/rulebook`, undefined, ALL(200, { otherLead: 404 })],
    ['GET', '/v1/documents/rulebook', undefined, ALL(200, { otherLead: 404, qa: 404, admin: 404 })],
    // The caller's own team's stream: the other team's lead gets theirs; qa and admin have no team.
    ['GET', '/v1/documents/changes', undefined, ALL(200, { qa: 404, admin: 404 })],
    [
      'PUT',
      `/v1/teams/${shanghai}/documents/rulebook`,
      () => ({ body: { rules: [] } }),
      ALL(403, { qa: 201, admin: 201 }),
    ],
    [
      'PUT',
      `/v1/teams/${shanghai}/settings`,
      () => ({}),
      ALL(403, { lead: 200, leadDevice: 200, otherLead: 404, admin: 200 }),
    ],
    [
      'GET',
      `/v1/teams/${shanghai}/webhooks`,
      undefined,
      ALL(403, { lead: 200, leadDevice: 200, otherLead: 404, admin: 200 }),
    ],
    [
      'POST',
      `/v1/teams/${shanghai}/webhooks`,
      () => ({ platform: 'slack', url: 'http://127.0.0.1:9/hook', minSeverity: 'auto-fail' }),
      ALL(403, { admin: 201 }),
    ],
    ['POST', '/v1/teams', () => ({ name: `T ${newId()}` }), ALL(403, { admin: 201 })],
    [
      'POST',
      '/v1/users',
      () => ({ email: `u${newId().toLowerCase()}@demo.sotto.local`, displayName: 'U', role: 'agent' }),
      ALL(403, { admin: 201 }),
    ],
  ];

  it('gives every caller exactly the allowed status on every route', async () => {
    const mismatches: string[] = [];
    for (const [method, path, body, expected] of rows()) {
      for (const caller of CALLERS) {
        const a = auth[caller];
        let status: number;
        if (path === '/v1/alerts/stream' || path === '/v1/documents/changes') {
          const ctl = new AbortController();
          const headers: Record<string, string> = {};
          if (a.token) headers.authorization = `Bearer ${a.token}`;
          if (a.cookie) headers.cookie = a.cookie;
          const res = await fetch(`${env.url}${path}`, { headers, signal: ctl.signal });
          status = res.status;
          ctl.abort();
        } else {
          status = (await env.call(method, path, { ...a, body: body?.() })).status;
        }
        if (status !== expected[caller])
          mismatches.push(`${method} ${path} as ${caller}: ${status}, want ${expected[caller]}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('lists every documented route in the table or in a focused test', async () => {
    const doc = (await env.call('GET', '/openapi.json')).json;
    const covered = new Set([
      ...rows().map(
        ([m, p]) =>
          `${m.toLowerCase()} ${p.replace(shanghai, '{teamId}').replace(convId, '{id}').replace('rulebook', '{kind}')}`,
      ),
      // auth.test.ts covers these
      'post /v1/auth/login',
      'post /v1/auth/logout',
      'post /v1/devices/enrol',
      'post /v1/devices/rotate',
      'post /v1/devices/{id}/revoke',
      'delete /v1/teams/{teamId}/webhooks/{id}',
      // privacy.test.ts and the matrix in test/unit/security/routes.test.ts cover these
      'get /v1/audit',
      'get /v1/org/retention',
      'put /v1/org/retention',
      'post /v1/org/retention/run',
      'post /v1/privacy/export',
      'post /v1/privacy/delete',
      // test/unit/security/routes.test.ts has a row per role for these
      'post /v1/alerts/{id}/actions',
      'get /v1/alerts/{id}/actions',
    ]);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`),
    );
    // The console API (/v1/qa/*) has a row per route and role in test/unit/security/routes.test.ts.
    expect(documented.filter((d) => !covered.has(d) && !d.includes(' /v1/qa/'))).toEqual([]);
  });
});
