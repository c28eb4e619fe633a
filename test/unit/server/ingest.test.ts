import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../lib/ids';
import { BACKENDS, type TestEnv, conversation, finding, startEnv } from './harness';

describe.each(BACKENDS)('ingest on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend, { limits: { ingestPerSecond: 1000, ingestBurst: 1000 } });
  });
  afterAll(async () => env?.close());

  const count = async (ids: string[]) => {
    const rows = await env.database.db.selectFrom('findings').select('id').where('id', 'in', ids).execute();
    return rows.length;
  };

  it('stores a batch once, however often it is retried', async () => {
    const items = Array.from({ length: 300 }, () => finding({ severity: 'info', kind: 'metric' }));
    const body = { findings: items };
    const first = await env.call('POST', '/v1/ingest', { token: env.agentToken, body });
    expect(first.status).toBe(200);
    expect(first.json.accepted.findings).toHaveLength(300);
    expect(first.json.duplicates).toBe(0);
    for (let i = 0; i < 3; i++) {
      const again = await env.call('POST', '/v1/ingest', { token: env.agentToken, body });
      expect(again.status).toBe(200);
      expect(again.json.accepted.findings).toHaveLength(300);
      expect(again.json.duplicates).toBe(300);
    }
    expect(await count(items.map((i) => i.finding.id))).toBe(300);
  });

  it('stores the same id twice in one batch once', async () => {
    const f = finding({ severity: 'info' });
    const r = await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { findings: [f, f, f] } });
    expect(r.status).toBe(200);
    expect(r.json.accepted.findings).toEqual([f.finding.id]);
    expect(await count([f.finding.id])).toBe(1);
  });

  it('names each bad item and stores the good ones', async () => {
    const good = finding({ severity: 'info' });
    const noRule = finding();
    delete (noRule.finding as { ruleId?: string }).ruleId;
    const badId = finding({ id: 'not-a-ulid' });
    const future = finding({ ts: Date.now() + 7 * 24 * 3600_000 });
    const backwards = finding({ evidence: [{ seq: 1, start: 5, end: 2, text: 'x' }] });
    const r = await env.call('POST', '/v1/ingest', {
      token: env.agentToken,
      body: {
        findings: [good, noRule, badId, 42, future, backwards],
        conversations: [conversation(), { id: 'c-x', channel: 'fax', startedAt: 1 }],
        events: [{ id: 'nope', type: 'resolved' }],
      },
    });
    expect(r.status).toBe(200);
    expect(r.json.accepted.findings).toEqual([good.finding.id]);
    const reasons = r.json.rejected.map((x: { kind: string; index: number; id?: string; reason: string }) => [
      x.kind,
      x.index,
      x.id,
    ]);
    expect(reasons).toEqual([
      ['conversation', 1, 'c-x'],
      ['finding', 1, noRule.finding.id],
      ['finding', 2, 'not-a-ulid'],
      ['finding', 3, undefined],
      ['finding', 4, future.finding.id],
      ['finding', 5, backwards.finding.id],
      ['event', 0, 'nope'],
    ]);
    for (const x of r.json.rejected) expect(x.reason.length).toBeGreaterThan(3);
    expect(await count([good.finding.id, noRule.finding.id, future.finding.id])).toBe(1);
  });

  it('refuses malformed envelopes, wrong media types, oversized bodies and too many items', async () => {
    const notJson = await env.call('POST', '/v1/ingest', { token: env.agentToken, body: '{"findings":[' });
    expect(notJson.status).toBe(400);
    const notArray = await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { findings: {} } });
    expect(notArray.status).toBe(400);
    expect(notArray.json.reason).toMatch(/findings/);
    const text = await env.call('POST', '/v1/ingest', {
      token: env.agentToken,
      body: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const tooMany = await env.call('POST', '/v1/ingest', {
      token: env.agentToken,
      body: { findings: Array.from({ length: 501 }, () => finding()) },
    });
    expect(tooMany.status).toBe(413);
    // A fresh connection: the server stops reading an oversized body and closes the socket.
    const huge = await new Promise<number>((resolve, reject) => {
      const req = request(`${env.url}/v1/ingest`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${env.agentToken}` },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ findings: [], pad: 'x'.repeat(2_100_000) }));
    });
    expect(huge).toBe(413);
  });

  it('needs a device token', async () => {
    const anon = await env.call('POST', '/v1/ingest', { body: { findings: [finding()] } });
    expect(anon.status).toBe(401);
    const session = await env.call('POST', '/v1/ingest', {
      cookie: env.cookies.agent,
      body: { findings: [finding()] },
    });
    expect(session.status).toBe(403);
  });

  it('updates conversation metadata without losing earlier fields', async () => {
    const c = conversation({ customerHash: 'ab'.repeat(16) });
    await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { conversations: [c] } });
    const ended = {
      ...c,
      customerHash: undefined,
      endedAt: c.startedAt + 60_000,
      emotion: { counts: { angry: 2 }, worst: 'angry' },
    };
    const r = await env.call('POST', '/v1/ingest', {
      token: env.agentToken,
      body: { conversations: [ended] },
    });
    expect(r.json.accepted.conversations).toEqual([c.id]);
    const row = await env.database.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row.customer_hash).toBe('ab'.repeat(16));
    expect(row.ended_at).toBe(c.startedAt + 60_000);
    expect(row.emotion).toEqual({ counts: { angry: 2 }, worst: 'angry' });
  });

  it('rate-limits one device with 429 and Retry-After', async () => {
    const slow = await startEnv(backend, { limits: { ingestPerSecond: 1, ingestBurst: 2 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await slow.call('POST', '/v1/ingest', { token: slow.agentToken, body: { findings: [] } });
        codes.push(r.status);
        if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      expect(codes.slice(0, 2)).toEqual([200, 200]);
      expect(codes).toContain(429);
    } finally {
      await slow.close();
    }
  });

  it('answers 503 when the database is gone, and stores nothing of that batch', async () => {
    const own = await startEnv(backend);
    const f = finding({ severity: 'info' });
    const ev = { id: newId(), type: 'resolved', conversationId: 'c', ruleId: 'r', ts: Date.now() };
    try {
      await own.database.close();
      const r = await own.call('POST', '/v1/ingest', {
        token: own.agentToken,
        body: { findings: [f], events: [ev] },
      });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBeTruthy();
    } finally {
      await own.close();
    }
  });

  it('writes a batch all or nothing', async () => {
    // A row that will collide inside the transaction after the findings were inserted: the
    // resolution id already exists as a different primary key type is impossible, so instead
    // make the pending-escalation insert fail by dropping its table for this test.
    const own = await startEnv(backend);
    try {
      await own.database.db.schema.dropTable('pending_escalations').execute();
      const plain = finding({ severity: 'info' });
      const windowed = finding({ severity: 'critical' }, { escalateAfterMs: 1000 });
      const r = await own.call('POST', '/v1/ingest', {
        token: own.agentToken,
        body: { findings: [plain, windowed] },
      });
      expect(r.status).toBeGreaterThanOrEqual(500);
      const rows = await own.database.db
        .selectFrom('findings')
        .select('id')
        .where('id', 'in', [plain.finding.id, windowed.finding.id])
        .execute();
      expect(rows).toHaveLength(0);
    } finally {
      await own.close();
    }
  });
});
