/**
 * Property tests (fast-check) of every route that takes data from devices: /v1/ingest,
 * /v1/qa/feedback, /v1/qa/transcripts, /v1/qa/appeals, and the public /v1/devices/enrol. Random
 * and adversarial bodies (junk JSON, wrong types, prototype keys, huge and odd strings, numbers at
 * the edges, non-JSON text) mixed with good items. For every body: no 5xx, an answer (no hang),
 * a reason for every refusal, and the good items in a batch are still stored.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../lib/ids';
import { BACKENDS, type TestEnv, conversation, finding, startEnv } from '../server/harness';

/** Values chosen to break parsers and validators. */
const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(
    null,
    '',
    '__proto__',
    { __proto__: { polluted: true } },
    { constructor: { prototype: { polluted: true } } },
    Number.MAX_SAFE_INTEGER,
    -1,
    1e308,
    -0,
    '\u0000\uFFFF\uD800',
    '𠀀'.repeat(3000),
    'x'.repeat(70_000),
    [],
    [[[[[[[[[[]]]]]]]]]],
    { finding: null },
    { finding: { id: 'not-a-ulid' } },
    { id: 123, type: 'resolved' },
  ),
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }),
);

/** A finding the endpoint must accept, with random text in its evidence. */
const goodFinding = fc
  .record({
    text: fc.string({ maxLength: 300, unit: 'grapheme' }),
    severity: fc.constantFrom('info', 'hint', 'warning', 'critical', 'auto-fail'),
    seq: fc.nat({ max: 10_000 }),
  })
  .map(({ text, severity, seq }) =>
    finding({
      severity: severity as 'info',
      kind: 'warning',
      evidence: [{ seq, start: 0, end: text.length, text }],
    }),
  );

const RUNS = Number(process.env.SOTTO_FUZZ_RUNS ?? 40);

describe.each(BACKENDS)('ingest routes under random and adversarial input on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend, {
      limits: { ingestPerSecond: 100_000, ingestBurst: 100_000, loginPerMinute: 100_000 },
    });
  });
  afterAll(async () => env?.close());

  const stored = async (ids: string[]) =>
    ids.length === 0
      ? 0
      : (await env.database.db.selectFrom('findings').select('id').where('id', 'in', ids).execute()).length;

  it('POST /v1/ingest: no 5xx, a reason per bad item, every good item stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            goodFinding.map((f) => ({ good: true as const, f })),
            nasty.map((f) => ({ good: false as const, f })),
          ),
          {
            maxLength: 30,
          },
        ),
        fc.array(fc.oneof(fc.constant(conversation()), nasty), { maxLength: 5 }),
        fc.array(nasty, { maxLength: 5 }),
        async (items, conversations, events) => {
          const goodIds = items.flatMap((x) => (x.good ? [x.f.finding.id] : []));
          const r = await env.call('POST', '/v1/ingest', {
            token: env.agentToken,
            body: { findings: items.map((x) => x.f), conversations, events },
          });
          expect(r.status).toBe(200);
          for (const rej of r.json.rejected) {
            expect(['conversation', 'finding', 'event']).toContain(rej.kind);
            expect(rej.reason.length).toBeGreaterThan(0);
            if (rej.kind === 'finding') expect(items[rej.index]?.good).toBe(false);
          }
          expect(r.json.accepted.findings).toEqual(expect.arrayContaining(goodIds));
          expect(await stored(goodIds)).toBe(goodIds.length);
        },
      ),
      { numRuns: RUNS },
    );
  });

  // Found by the property above: PostgreSQL refuses to upsert one row twice in one statement.
  it('POST /v1/ingest: the same conversation twice in a batch is one row, the later copy filling in', async () => {
    const c = conversation();
    const ended = { ...c, endedAt: c.startedAt + 60_000 };
    const r = await env.call('POST', '/v1/ingest', {
      token: env.agentToken,
      body: { conversations: [c, ended] },
    });
    expect(r.status).toBe(200);
    expect(r.json.accepted.conversations).toEqual([c.id]);
    const row = await env.database.db
      .selectFrom('conversations')
      .select('ended_at')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row.ended_at).toBe(ended.endedAt);
  });

  it('POST /v1/ingest: whole bodies of any shape get a 4xx with a reason, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          nasty.map((v) => JSON.stringify(v) ?? 'undefined'),
          fc.string({ maxLength: 500 }),
          fc.constantFrom('{', '{"findings":', '[]', 'null', '{"findings":{}}', '{"findings":[],"events":7}'),
        ),
        async (text) => {
          const r = await env.call('POST', '/v1/ingest', { token: env.agentToken, body: text });
          expect(r.status).toBeLessThan(500);
          if (r.status !== 200) expect(r.json.reason ?? r.json.error).toBeTruthy();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /v1/qa/feedback: a reason per bad event, good ones kept', async () => {
    const good = finding();
    await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { findings: [good] } });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constant(null), nasty), { maxLength: 10 }), async (junk) => {
        const wrong = {
          id: newId(),
          type: 'wrong',
          conversationId: good.finding.conversationId,
          findingId: good.finding.id,
          ts: Date.now(),
        };
        const events = [...junk, wrong];
        const r = await env.call('POST', '/v1/qa/feedback', { token: env.agentToken, body: { events } });
        expect(r.status).toBe(200);
        expect(r.json.accepted).toContain(wrong.id);
        expect(r.json.accepted.length + r.json.rejected.length).toBe(events.length);
        for (const rej of r.json.rejected) expect(rej.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /v1/qa/transcripts, /v1/qa/appeals, /v1/devices/enrol: any body, no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/qa/transcripts', '/v1/qa/appeals', '/v1/devices/enrol'),
        fc.oneof(
          nasty,
          fc.record({ conversationId: nasty, turns: fc.array(nasty, { maxLength: 5 }) }),
          fc.record({ findingId: nasty, reason: nasty }),
          fc.record({ code: nasty, deviceName: nasty }),
        ),
        async (path, body) => {
          const r = await env.call('POST', path, {
            token: env.agentToken,
            body: JSON.stringify(body) ?? 'null',
          });
          expect(r.status).toBeLessThan(500);
          if (r.status >= 400) expect(r.json?.reason ?? r.json?.error).toBeTruthy();
        },
      ),
      { numRuns: RUNS },
    );
  });
});
