/**
 * Team documents reach the device per team with ETags: a device gets its own team's rulebook
 * (another team's domain rulebook stays away from it), a new version is validated and swapped in,
 * an invalid one leaves the previous version in use, and an unchanged one costs a 304.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRulebook } from '../../../lib/rules';
import { type DocumentValidator, MemoryDocumentStore, checkDocument } from '../../../lib/sync/documents';
import { BACKENDS, type TestEnv, startEnv } from './harness';

const book = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../rulebooks/${name}.json`, import.meta.url), 'utf8'));

/** What the extension checks before using a rulebook: it must compile. */
const rulebookValidator: DocumentValidator = (body) => {
  const r = compileRulebook(body);
  return r.ok ? { ok: true } : { ok: false, reason: 'rulebook does not compile' };
};

describe.each(BACKENDS)('team documents on the device, %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend);
  });
  afterAll(async () => env?.close());

  const publish = async (teamId: string, body: unknown) => {
    const r = await env.call('PUT', `/v1/teams/${teamId}/documents/rulebook`, {
      cookie: env.cookies.qa,
      body: { body },
    });
    expect(r.status, r.text).toBe(201);
    return r.json.version as number;
  };
  const check = (store: MemoryDocumentStore) =>
    checkDocument({
      endpoint: env.url,
      fetch: (url, init) => fetch(url, init),
      token: env.agentToken,
      kind: 'rulebook',
      store,
      validate: rulebookValidator,
    });

  it('serves each team its own rulebook, swaps in valid versions, keeps the previous on invalid', async () => {
    const [mine, other] = env.demo.teams;
    const store = new MemoryDocumentStore();
    expect(await check(store)).toEqual({ outcome: 'none' });

    const telecom = book('telecom');
    const finance = book('finance');
    const v1 = await publish(mine!.id, telecom);
    await publish(other!.id, finance);
    expect(await check(store)).toMatchObject({ outcome: 'updated', version: v1 });
    // The agent's team's rulebook, not the other team's domain rulebook.
    expect((store.docs.get('rulebook')!.body as { id: string }).id).toBe(telecom.id);
    expect(store.docs.get('rulebook')!.teamId).toBe(mine!.id);

    expect(await check(store)).toEqual({ outcome: 'unchanged', version: v1 });

    const broken = { ...telecom, rules: [{ id: 'x', kind: 'nonsense' }] };
    const v2 = await publish(mine!.id, broken);
    expect(await check(store)).toMatchObject({ outcome: 'invalid', version: v2, kept: v1 });
    expect(store.docs.get('rulebook')!.version).toBe(v1);
    expect((store.docs.get('rulebook')!.body as { id: string }).id).toBe(telecom.id);

    const general = book('general');
    const v3 = await publish(mine!.id, general);
    expect(await check(store)).toEqual({ outcome: 'updated', version: v3, previous: v1 });
    expect((store.docs.get('rulebook')!.body as { id: string }).id).toBe(general.id);
  });

  it('keeps what it has when the endpoint cannot be reached', async () => {
    const store = new MemoryDocumentStore();
    await check(store);
    const before = store.docs.get('rulebook');
    const r = await checkDocument({
      endpoint: 'http://127.0.0.1:9',
      fetch: (url, init) => fetch(url, init),
      token: env.agentToken,
      kind: 'rulebook',
      store,
      validate: rulebookValidator,
    });
    expect(r.outcome).toBe('failed');
    expect(store.docs.get('rulebook')).toEqual(before);
  });
});
