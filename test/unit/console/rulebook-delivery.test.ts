/**
 * A rulebook published from the console reaches an enrolled device: the device's own document
 * check (lib/sync/documents checkDocument, what the extension runs) fetches the new version with
 * If-None-Match, validates it with the rule compiler, swaps it in, and then sees no change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRulebook } from '../../../lib/rules';
import { type DocumentValidator, MemoryDocumentStore, checkDocument } from '../../../lib/sync/documents';
import { seedQaDemo } from '../../../server/qa/demo';
import { BACKENDS, startEnv, type TestEnv } from '../server/harness';

const compiles: DocumentValidator = (body) => {
  const r = compileRulebook(body);
  return r.ok ? { ok: true } : { ok: false, reason: 'rulebook does not compile' };
};

describe.each(BACKENDS)('rulebook publish reaches the device on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend);
    await seedQaDemo(env.database.db, env.demo, { conversations: 20 });
  });
  afterAll(() => env?.close());

  it('an enrolled agent device picks up the published draft and keeps it until the next publish', async () => {
    const qa = { cookie: env.cookies.qa };
    const store = new MemoryDocumentStore();
    const check = () =>
      checkDocument({
        endpoint: env.url,
        fetch,
        token: env.agentToken,
        kind: 'rulebook',
        store,
        validate: compiles,
      });
    const first = await check();
    expect(first.outcome).toBe('updated');
    const live = (await env.call('GET', '/v1/qa/rules/team_shanghai_a', qa)).json.live;
    expect(store.docs.get('rulebook')?.etag).toBe(live.etag);
    expect((await check()).outcome).toBe('unchanged');

    const draft = structuredClone(live.body);
    draft.version = '2026.12.9';
    draft.rules.push({
      ...draft.rules[0],
      id: 'general.refund-delay',
      scope: { speaker: 'customer' },
      when: { type: 'phrase', phrases: ['退款到现在还没到账'] },
    });
    const saved = await env.call('PUT', '/v1/qa/rules/team_shanghai_a/draft', {
      ...qa,
      body: { rulebook: draft },
    });
    expect(saved.json.valid).toBe(true);
    // A saved draft is not live: the device sees no change yet.
    expect((await check()).outcome).toBe('unchanged');
    const pub = await env.call('POST', '/v1/qa/rules/team_shanghai_a/publish', qa);
    expect(pub.status).toBeLessThan(300);

    const next = await check();
    expect(next).toMatchObject({ outcome: 'updated', version: pub.json.version, previous: live.version });
    const stored = store.docs.get('rulebook')!;
    expect(stored.etag).toBe(pub.json.etag);
    expect((stored.body as { rules: { id: string }[] }).rules.map((r) => r.id)).toContain(
      'general.refund-delay',
    );
    expect(compileRulebook(stored.body).ok).toBe(true);
    expect((await check()).outcome).toBe('unchanged');
  });
});
