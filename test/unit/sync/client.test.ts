/**
 * SyncClient against a real endpoint on loopback (PGlite, or PostgreSQL too when configured),
 * with a real TCP proxy that cuts connections before and after the endpoint has answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../lib/ids';
import { SyncClient, enrolDevice } from '../../../lib/sync/client';
import { MemoryOutboxStore } from '../../../lib/sync/outbox';
import { startFlakyProxy } from '../../../server/testing/flaky-proxy';
import { BACKENDS, type TestEnv, conversation, finding, startEnv } from '../server/harness';

const realFetch = (url: string, init: RequestInit) => fetch(url, init);

describe.each(BACKENDS)('SyncClient on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend, {
      limits: { ingestPerSecond: 10_000, ingestBurst: 10_000, maxBodyBytes: 200_000 },
    });
  });
  afterAll(async () => env?.close());

  const stored = async (ids: string[]) =>
    (await env.database.db.selectFrom('findings').select('id').where('id', 'in', ids).execute()).length;

  function client(store = new MemoryOutboxStore(), token = env.agentToken, endpoint = env.url) {
    let t: string | undefined = token;
    const c = new SyncClient({
      endpoint,
      fetch: realFetch,
      store,
      getToken: () => t,
      batch: { maxItems: 100 },
      backoff: { baseMs: 1, capMs: 5 },
    });
    return { c, store, setToken: (x: string | undefined) => (t = x) };
  }

  it('drains the outbox in batches and records the last success', async () => {
    const { c } = client();
    const items = Array.from({ length: 450 }, () => finding({ severity: 'info' }));
    await c.enqueue({ findings: items, conversations: [conversation()] });
    expect((await c.status()).queued).toBe(451);
    const report = await c.flush();
    expect(report).toMatchObject({ outcome: 'idle', accepted: 451, rejected: 0, requests: 5 });
    const status = await c.status();
    expect(status.queued).toBe(0);
    expect(status.lastSuccessAt).toBeGreaterThan(0);
    expect(await stored(items.map((i) => i.finding.id))).toBe(450);
  });

  it('drops items the endpoint refuses, with the reason, and keeps sending the rest', async () => {
    const { c, store } = client();
    const good = finding({ severity: 'info' });
    const future = finding({ ts: Date.now() + 30 * 24 * 3600_000 });
    await c.enqueue({ findings: [good, future] });
    const r = await c.flush();
    expect(r).toMatchObject({ outcome: 'idle', accepted: 1, rejected: 1 });
    expect(store.dead).toHaveLength(1);
    expect(store.dead[0]!.reason).toMatch(/future/);
    expect((await c.status()).lastError).toMatch(/future/);
  });

  it('isolates an item the endpoint refuses as a whole request (413) by splitting the batch', async () => {
    const { c, store } = client();
    const small = Array.from({ length: 5 }, () => finding({ severity: 'info' }));
    // Under the client's own limit but over this endpoint's 200 kB body limit.
    const big = finding({
      severity: 'info',
      evidence: Array.from({ length: 50 }, (_, i) => ({ seq: i, start: 0, end: 1, text: '证'.repeat(1990) })),
    });
    await c.enqueue({ findings: [...small.slice(0, 2), big, ...small.slice(2)] });
    const r = await c.flush();
    expect(r.outcome).toBe('idle');
    expect(r.accepted).toBe(5);
    expect(
      store.dead.map((d) => d.entry.payload.kind === 'finding' && d.entry.payload.item.finding.id),
    ).toEqual([big.finding.id]);
    expect(await stored(small.map((s) => s.finding.id))).toBe(5);
  });

  it('stops and asks for enrolment on 401, then resumes with a new token', async () => {
    const code = await env.call('POST', '/v1/enrolment-codes', {
      cookie: env.cookies.lead,
      body: { userId: env.demo.users.agent.id },
    });
    const creds = await enrolDevice(realFetch, env.url, { code: code.json.code, deviceName: 'test' });
    const { c, setToken } = client(new MemoryOutboxStore(), creds.token);
    await env.call('POST', `/v1/devices/${creds.deviceId}/revoke`, { cookie: env.cookies.admin });
    const f = finding({ severity: 'info' });
    await c.enqueue({ findings: [f] });
    expect((await c.flush()).outcome).toBe('reenrol');
    expect(await c.status()).toMatchObject({ needsEnrolment: true, queued: 1 });
    expect((await c.flush()).requests).toBe(0);
    const code2 = await env.call('POST', '/v1/enrolment-codes', {
      cookie: env.cookies.lead,
      body: { userId: env.demo.users.agent.id },
    });
    setToken((await enrolDevice(realFetch, env.url, { code: code2.json.code })).token);
    await c.enrolled();
    expect(await c.flush()).toMatchObject({ outcome: 'idle', accepted: 1 });
  });

  it('backs off while the endpoint is unreachable and keeps everything', async () => {
    const proxy = await startFlakyProxy({ upstreamPort: env.server.port, drop: () => true });
    const { c } = client(new MemoryOutboxStore(), env.agentToken, proxy.url);
    const items = Array.from({ length: 20 }, () => finding({ severity: 'info' }));
    await c.enqueue({ findings: items });
    const r1 = await c.flush();
    expect(r1.outcome).toBe('retry');
    expect(r1.retryInMs).toBeGreaterThanOrEqual(0);
    const s1 = await c.status();
    expect(s1).toMatchObject({ queued: 20, failures: 1 });
    expect(s1.lastError).toMatch(/network/);
    await proxy.close();
    const up = await startFlakyProxy({ upstreamPort: env.server.port, drop: () => false, port: proxy.port });
    try {
      const r2 = await c.flush({ force: true });
      expect(r2).toMatchObject({ outcome: 'idle', accepted: 20 });
      expect((await c.status()).failures).toBe(0);
    } finally {
      await up.close();
    }
  });

  it('loses nothing and duplicates nothing when connections drop before and after the endpoint answers', async () => {
    let n = 0;
    // Every third request is cut on the way in, every third answer on the way out.
    const proxy = await startFlakyProxy({ upstreamPort: env.server.port, drop: () => ++n % 3 === 0 });
    try {
      const { c } = client(new MemoryOutboxStore(), env.agentToken, proxy.url);
      const items = Array.from({ length: 1000 }, () => finding({ severity: 'info' }));
      // Some findings queued twice, as a restarted service worker might.
      await c.enqueue({ findings: [...items, ...items.slice(0, 50)] });
      let duplicates = 0;
      for (;;) {
        const r = await c.flush({ force: true });
        duplicates += r.duplicates;
        if (r.outcome === 'idle') break;
      }
      expect((await c.status()).queued).toBe(0);
      expect(await stored(items.map((i) => i.finding.id))).toBe(1000);
      expect(proxy.stats.droppedRequests + proxy.stats.droppedResponses).toBeGreaterThan(0);
      expect(duplicates).toBeGreaterThanOrEqual(50);
    } finally {
      await proxy.close();
    }
  });

  it('sends resolution events so escalation windows close', async () => {
    const { c } = client();
    const f = finding({}, { escalateAfterMs: 60_000 });
    const ev = {
      id: newId(),
      type: 'resolved' as const,
      conversationId: f.finding.conversationId,
      ruleId: 'compliance.no-guarantee',
      ts: Date.now(),
    };
    await c.enqueue({ findings: [f], events: [ev] });
    expect(await c.flush()).toMatchObject({ outcome: 'idle', accepted: 2 });
    const row = await env.database.db
      .selectFrom('resolutions')
      .select('id')
      .where('id', '=', ev.id)
      .executeTakeFirst();
    expect(row?.id).toBe(ev.id);
  });
});
