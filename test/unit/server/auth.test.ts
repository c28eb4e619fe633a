import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestEnv, startEnv } from './harness';

describe.each(BACKENDS)('sign-in, devices and documents on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend, { limits: { loginPerMinute: 1000 } });
  });
  afterAll(async () => env?.close());

  it('sets an HttpOnly SameSite session cookie and ends it on logout', async () => {
    const r = await env.call('POST', '/v1/auth/login', {
      body: { email: env.demo.users.qa.email.toUpperCase(), password: 'correct horse battery' },
    });
    expect(r.status).toBe(200);
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/sotto_session=sss_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const session = cookie.split(';')[0]!;
    expect((await env.call('GET', '/v1/me', { cookie: session })).json).toMatchObject({
      role: 'qa',
      via: 'session',
    });
    expect((await env.call('POST', '/v1/auth/logout', { cookie: session })).status).toBe(204);
    expect((await env.call('GET', '/v1/me', { cookie: session })).status).toBe(401);
    const stored = await env.database.db.selectFrom('sessions').select('token_hash').execute();
    expect(stored.every((s) => !s.token_hash.startsWith('sss_'))).toBe(true);
  });

  it('refuses wrong passwords and unknown users alike', async () => {
    const wrong = await env.call('POST', '/v1/auth/login', {
      body: { email: env.demo.users.qa.email, password: 'nope' },
    });
    const unknown = await env.call('POST', '/v1/auth/login', {
      body: { email: 'who@demo.sotto.local', password: 'nope' },
    });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.json).toEqual(unknown.json);
  });

  it('lets an enrolment code be used once, stores only hashes, rotates and revokes tokens', async () => {
    const code = await env.call('POST', '/v1/enrolment-codes', {
      cookie: env.cookies.admin,
      body: { userId: env.demo.users.agent.id },
    });
    expect(code.status).toBe(201);
    const lower = code.json.code.toLowerCase().replace(/-/g, ' ');
    const first = await env.call('POST', '/v1/devices/enrol', {
      body: { code: lower, deviceName: 'desk 7' },
    });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      userId: env.demo.users.agent.id,
      role: 'agent',
      teamIds: ['team_shanghai_a'],
    });
    const second = await env.call('POST', '/v1/devices/enrol', { body: { code: code.json.code } });
    expect(second.status).toBe(401);

    const stored = await env.database.db
      .selectFrom('devices')
      .select('token_hash')
      .where('id', '=', first.json.deviceId)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(first.json.token);
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);

    const rotated = await env.call('POST', '/v1/devices/rotate', { token: first.json.token });
    expect(rotated.status).toBe(200);
    expect(rotated.json.deviceId).toBe(first.json.deviceId);
    expect((await env.call('GET', '/v1/me', { token: first.json.token })).status).toBe(401);
    expect((await env.call('GET', '/v1/me', { token: rotated.json.token })).status).toBe(200);

    expect(
      (await env.call('POST', `/v1/devices/${first.json.deviceId}/revoke`, { token: rotated.json.token }))
        .status,
    ).toBe(204);
    expect((await env.call('GET', '/v1/me', { token: rotated.json.token })).status).toBe(401);
    const list = await env.call('GET', '/v1/devices', { cookie: env.cookies.lead });
    expect(
      list.json.devices.find((d: { id: string }) => d.id === first.json.deviceId).revokedAt,
    ).toBeGreaterThan(0);
  });

  it('serves team documents with versions, ETag and 304', async () => {
    const team = env.demo.teams[0]!.id;
    const v1 = await env.call('PUT', `/v1/teams/${team}/documents/scripts`, {
      cookie: env.cookies.qa,
      body: { body: { hints: ['您好'] } },
    });
    expect(v1.status).toBe(201);
    expect(v1.json.version).toBe(1);
    const got = await env.call('GET', '/v1/documents/scripts', { token: env.agentToken });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ teamId: team, kind: 'scripts', version: 1, body: { hints: ['您好'] } });
    const etag = got.headers.get('etag')!;
    expect(etag).toBe(v1.json.etag);
    const same = await env.call('GET', '/v1/documents/scripts', {
      token: env.agentToken,
      headers: { 'if-none-match': etag },
    });
    expect(same.status).toBe(304);
    expect(same.text).toBe('');
    const v2 = await env.call('PUT', `/v1/teams/${team}/documents/scripts`, {
      cookie: env.cookies.admin,
      body: { body: { hints: ['您好', '请稍等'] } },
    });
    expect(v2.json.version).toBe(2);
    const changed = await env.call('GET', '/v1/documents/scripts', {
      token: env.agentToken,
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.json.version).toBe(2);
    expect((await env.call('GET', '/v1/documents/models', { token: env.agentToken })).status).toBe(404);
    expect((await env.call('GET', '/v1/documents/nonsense', { token: env.agentToken })).status).toBe(400);
  });

  it('removes a webhook', async () => {
    const team = env.demo.teams[0]!.id;
    const made = await env.call('POST', `/v1/teams/${team}/webhooks`, {
      cookie: env.cookies.admin,
      body: { platform: 'wecom', url: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=K' },
    });
    expect(
      (await env.call('DELETE', `/v1/teams/${team}/webhooks/${made.json.id}`, { cookie: env.cookies.admin }))
        .status,
    ).toBe(204);
    expect(
      (await env.call('DELETE', `/v1/teams/${team}/webhooks/${made.json.id}`, { cookie: env.cookies.admin }))
        .status,
    ).toBe(404);
  });

  it('publishes an OpenAPI 3.1 document built from the schemas', async () => {
    const doc = (await env.call('GET', '/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    const ingest = doc.paths['/v1/ingest'].post;
    const schema = ingest.requestBody.content['application/json'].schema;
    expect(JSON.stringify(schema)).toContain('conversationId');
    expect(Object.keys(ingest.responses)).toEqual(
      expect.arrayContaining(['200', '401', '413', '429', '503']),
    );
  });
});
