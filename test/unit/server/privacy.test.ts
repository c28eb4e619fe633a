/**
 * The audit log, retention with a fake clock, and one customer's data on request (export and
 * erasure), against the real endpoint on PGlite (and PostgreSQL when configured).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestEnv, conversation, eventually, finding, startEnv } from './harness';

const DAY = 24 * 3600_000;
const hashOf = (customer: string) => createHash('sha256').update(customer).digest('hex');

describe.each(BACKENDS)('privacy on %s', (backend) => {
  let env: TestEnv;
  // The endpoint's clock; the test moves it forward to make data expire.
  let clock = Date.now();
  beforeAll(async () => {
    env = await startEnv(backend, {
      now: () => clock,
      retentionIntervalMs: 25,
      limits: { ingestPerSecond: 1000, ingestBurst: 1000 },
    });
  });
  afterAll(async () => env?.close());

  const admin = () => ({ cookie: env.cookies.admin });
  const qa = () => ({ cookie: env.cookies.qa });
  const count = async (table: 'findings' | 'conversations' | 'alerts', column: string, ids: string[]) =>
    (
      await env.database.db
        .selectFrom(table)
        .select(column as 'org_id')
        .where(column as 'org_id', 'in', ids)
        .execute()
    ).length;

  /** Sessions last hours; after the clock jumps, sign in again. */
  async function relogin() {
    for (const role of ['qa', 'admin'] as const) {
      const r = await env.call('POST', '/v1/auth/login', {
        body: { email: env.demo.users[role].email, password: 'correct horse battery' },
      });
      expect(r.status).toBe(200);
      env.cookies[role] = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    }
  }

  async function ingest(convs: ReturnType<typeof conversation>[], findings: ReturnType<typeof finding>[]) {
    const r = await env.call('POST', '/v1/ingest', {
      token: env.agentToken,
      body: { conversations: convs, findings },
    });
    expect(r.status).toBe(200);
    expect(r.json.rejected).toEqual([]);
  }

  it('records who read a conversation and who changed what, readable by qa and admin only', async () => {
    const c = conversation();
    await ingest([c], [finding({ conversationId: c.id })]);
    expect((await env.call('GET', `/v1/conversations/${c.id}`, { cookie: env.cookies.lead })).status).toBe(
      200,
    );
    expect(
      (await env.call('PUT', `/v1/teams/${env.demo.teams[0]!.id}/settings`, { ...admin(), body: {} })).status,
    ).toBe(200);
    const log = await env.call('GET', `/v1/audit?conversationId=${encodeURIComponent(c.id)}`, qa());
    expect(log.status).toBe(200);
    expect(log.json.entries).toHaveLength(1);
    expect(log.json.entries[0]).toMatchObject({
      action: 'conversation-read',
      userId: env.demo.users.lead.id,
      conversationId: c.id,
    });
    const changes = await env.call('GET', '/v1/audit?action=team-settings', admin());
    expect(changes.json.entries[0]).toMatchObject({ userId: env.demo.users.admin.id });
    expect((await env.call('GET', '/v1/audit', { cookie: env.cookies.lead })).status).toBe(403);
    expect((await env.call('GET', '/v1/audit', { token: env.agentToken })).status).toBe(403);
  });

  it('exports one customer’s conversations as JSON and erases them, audit-logged', async () => {
    const customer = hashOf(`customer-${Math.random()}`);
    const other = hashOf(`customer-${Math.random()}`);
    const c1 = conversation({ customerHash: customer, startedAt: clock - 2 * DAY });
    const c2 = conversation({ customerHash: customer, startedAt: clock - DAY });
    const c3 = conversation({ customerHash: other });
    const f1 = finding({ conversationId: c1.id, severity: 'critical', kind: 'violation' });
    const f2 = finding({ conversationId: c2.id, severity: 'info', kind: 'metric' });
    const f3 = finding({ conversationId: c3.id, severity: 'critical', kind: 'violation' });
    await ingest([c1, c2, c3], [f1, f2, f3]);
    // c2 is a repeat contact of c1: its alert links the earlier conversation.
    await eventually(async () => (await count('alerts', 'conversation_id', [c1.id, c2.id])) === 2);

    const exp = await env.call('POST', '/v1/privacy/export', { ...qa(), body: { customerHash: customer } });
    expect(exp.status).toBe(200);
    expect(exp.json.conversationIds).toEqual([c1.id, c2.id].sort());
    expect(exp.json.data.conversations.map((c: { id: string }) => c.id).sort()).toEqual(
      [c1.id, c2.id].sort(),
    );
    expect(exp.json.data.findings.map((f: { id: string }) => f.id).sort()).toEqual(
      [f1.finding.id, f2.finding.id].sort(),
    );
    expect(JSON.stringify(exp.json)).not.toContain(c3.id);

    // qa may export but not erase.
    expect(
      (await env.call('POST', '/v1/privacy/delete', { ...qa(), body: { customerHash: customer } })).status,
    ).toBe(403);
    expect((await env.call('POST', '/v1/privacy/delete', { ...admin(), body: {} })).status).toBe(400);
    const del = await env.call('POST', '/v1/privacy/delete', {
      ...admin(),
      body: { customerHash: customer },
    });
    expect(del.status).toBe(200);
    expect(del.json.deleted).toMatchObject({ conversations: 2, findings: 2 });
    expect(del.json.deleted.alerts).toBeGreaterThanOrEqual(2);
    expect(await count('conversations', 'id', [c1.id, c2.id])).toBe(0);
    expect(await count('findings', 'id', [f1.finding.id, f2.finding.id])).toBe(0);
    expect(await count('alerts', 'conversation_id', [c1.id, c2.id])).toBe(0);
    // Everyone else's data stays.
    expect(await count('conversations', 'id', [c3.id])).toBe(1);
    expect(await count('findings', 'id', [f3.finding.id])).toBe(1);
    expect((await env.call('GET', `/v1/conversations/${c1.id}`, qa())).status).toBe(404);

    const log = await env.call('GET', '/v1/audit?limit=20', admin());
    const actions = log.json.entries.map((e: { action: string }) => e.action);
    expect(actions).toContain('customer-export');
    expect(actions).toContain('customer-delete');
    const erased = log.json.entries.find((e: { action: string }) => e.action === 'customer-delete');
    expect(erased.detail.conversationIds).toEqual([c1.id, c2.id].sort());
  });

  it('deletes data older than the organisation’s retention days on its timer', async () => {
    const old = conversation({ startedAt: clock - 10 * DAY });
    const oldFinding = finding({
      conversationId: old.id,
      ts: clock - 10 * DAY,
      severity: 'info',
      kind: 'metric',
    });
    // Findings whose conversation metadata never arrived expire by their own time.
    const orphan = finding({ ts: clock - 10 * DAY, severity: 'info', kind: 'metric' });
    const fresh = conversation({ startedAt: clock - DAY });
    const freshFinding = finding({ conversationId: fresh.id, ts: clock - DAY });
    await ingest([old, fresh], [oldFinding, orphan, freshFinding]);

    // No retention set: the timer keeps everything.
    clock += 30 * DAY;
    await new Promise((r) => setTimeout(r, 200));
    await relogin();
    expect(await count('findings', 'id', [oldFinding.finding.id, orphan.finding.id])).toBe(2);

    // 35 days (clock moved 30): the conversation from 40 days ago goes, the one from 31 stays.
    expect(
      (await env.call('PUT', '/v1/org/retention', { ...qa(), body: { retentionDays: 35 } })).status,
    ).toBe(403);
    const set = await env.call('PUT', '/v1/org/retention', { ...admin(), body: { retentionDays: 35 } });
    expect(set.status).toBe(200);
    expect((await env.call('GET', '/v1/org/retention', qa())).json.retentionDays).toBe(35);
    await eventually(async () => (await count('conversations', 'id', [old.id])) === 0);
    await eventually(
      async () => (await count('findings', 'id', [oldFinding.finding.id, orphan.finding.id])) === 0,
    );
    expect(await count('conversations', 'id', [fresh.id])).toBe(1);
    expect(await count('findings', 'id', [freshFinding.finding.id])).toBe(1);

    // On demand, too: move past the fresh one's retention and run it now.
    clock += 10 * DAY;
    await relogin();
    const run = await env.call('POST', '/v1/org/retention/run', admin());
    expect(run.status).toBe(200);
    expect(await count('findings', 'id', [freshFinding.finding.id])).toBe(0);
    const log = await env.call('GET', '/v1/audit?action=retention-set', admin());
    expect(log.json.entries[0].detail).toEqual({ retentionDays: 35 });
    await env.call('PUT', '/v1/org/retention', { ...admin(), body: { retentionDays: null } });
  });
});
