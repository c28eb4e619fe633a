/**
 * Team documents are pushed, not only polled (issue 9): a device following
 * `/v1/documents/changes` gets its team's current versions on connect and each new publication
 * as it happens, never another team's. Script libraries and model manifests go through the same
 * validate → one-write swap → keep the previous version on invalid as rulebooks.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelManifest } from '../../../lib/models/manifest';
import { followDocumentChanges } from '../../../lib/sync/document-changes';
import {
  MemoryDocumentStore,
  checkDocument,
  modelsValidator,
  validateScriptsDocument,
} from '../../../lib/sync/documents';
import type { DocumentChange, DocumentKind } from '../../../lib/sync/protocol';
import { BACKENDS, type TestEnv, startEnv } from './harness';

const shippedModels = ModelManifest.parse(
  JSON.parse(readFileSync(new URL('../../../models/manifest.json', import.meta.url), 'utf8')),
);

const library = (version: string, title = '手续费说明') => ({
  schemaVersion: 1,
  id: 'team-finance',
  version,
  scripts: [
    {
      id: 'finance.fee-explain',
      title: { zh_CN: title, zh_TW: '手續費說明', en: 'Explain the fee' },
      text: { zh_CN: '这笔手续费是……', zh_TW: '這筆手續費是……', en: 'This fee is…' },
      when: { intents: ['billing_dispute'] },
    },
  ],
});

/** Collects pushed changes; `next(n)` waits until n have arrived. */
function follow(env: TestEnv, token: string) {
  const got: DocumentChange[] = [];
  let notify: () => void = () => {};
  const ac = new AbortController();
  const done = followDocumentChanges({
    endpoint: env.url,
    fetch: (url, init) => fetch(url, init),
    getToken: () => token,
    signal: ac.signal,
    onChanges: (changes) => {
      got.push(...changes);
      notify();
    },
  });
  const next = async (n: number) => {
    while (got.length < n) await new Promise<void>((r) => (notify = r));
    return got.slice(0, n);
  };
  return { got, next, stop: () => ac.abort(), done };
}

describe.each(BACKENDS)('team document push and swap, %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend);
  });
  afterAll(async () => env?.close());

  const publish = async (teamId: string, kind: DocumentKind, body: unknown) => {
    const r = await env.call('PUT', `/v1/teams/${teamId}/documents/${kind}`, {
      cookie: env.cookies.qa,
      body: { body },
    });
    expect(r.status, r.text).toBe(201);
    return r.json as { version: number; etag: string };
  };

  /** The device's update check for one kind, into a store of its own. */
  const checker = (kind: DocumentKind, validate: Parameters<typeof checkDocument>[0]['validate']) => {
    const store = new MemoryDocumentStore();
    const check = () =>
      checkDocument({
        endpoint: env.url,
        fetch: (url, init) => fetch(url, init),
        token: env.agentToken,
        kind,
        store,
        validate,
      });
    return { kind, store, check };
  };

  /** Publishes `body`, which the device must refuse (reason matching `reason`) and keep `kept`. */
  const expectRefused = async (
    teamId: string,
    { kind, check, store }: ReturnType<typeof checker>,
    body: unknown,
    kept: { version: number; etag: string },
    reason?: RegExp,
  ) => {
    const bad = await publish(teamId, kind, body);
    const r = await check();
    expect(r).toMatchObject({ outcome: 'invalid', version: bad.version, kept: kept.version });
    if (reason && r.outcome === 'invalid') expect(r.reason).toMatch(reason);
    expect(store.docs.get(kind)!.etag).toBe(kept.etag);
  };

  it("pushes the device's team's current versions, then each new publication, and no other team's", async () => {
    const [mine, other] = env.demo.teams;
    const before = await publish(mine!.id, 'rulebook', { id: 'placeholder' });
    const stream = follow(env, env.agentToken);
    // On connect: what the team has now, so a device that was asleep catches up.
    expect(await stream.next(1)).toEqual([{ teamId: mine!.id, kind: 'rulebook', ...before }]);

    await publish(other!.id, 'scripts', library('other-1'));
    const pushed = await publish(mine!.id, 'scripts', library('1'));
    const [, change] = await stream.next(2);
    expect(change).toEqual({ teamId: mine!.id, kind: 'scripts', ...pushed });
    // The other team's publication came first and was not sent to this device.
    expect(stream.got.filter((c) => c.teamId !== mine!.id)).toEqual([]);
    stream.stop();
    expect(await stream.done).toBe('aborted');
  });

  it('refuses the stream without a valid device token', async () => {
    const stream = follow(env, 'not-a-token');
    expect(await stream.done).toBe('refused');
  });

  it('swaps in a valid script library and keeps the previous one when the next is invalid', async () => {
    const [mine] = env.demo.teams;
    const device = checker('scripts', validateScriptsDocument);
    const good = await publish(mine!.id, 'scripts', library('2'));
    expect(await device.check()).toMatchObject({ outcome: 'updated', version: good.version });
    expect(device.store.docs.get('scripts')!.etag).toBe(good.etag);

    // Two scripts with one id: not a library.
    const broken = library('3');
    broken.scripts.push(broken.scripts[0]!);
    await expectRefused(mine!.id, device, broken, good, /duplicate id/);
    expect((device.store.docs.get('scripts')!.body as { version: string }).version).toBe('2');
  });

  it('accepts a model manifest only when it names models shipped with the extension', async () => {
    const [mine] = env.demo.teams;
    const device = checker('models', modelsValidator(shippedModels));
    // The team runs the shipped emotion model only.
    const emotionOnly = { version: 1, models: shippedModels.models.filter((m) => m.task === 'emotion') };
    const good = await publish(mine!.id, 'models', emotionOnly);
    expect(await device.check()).toMatchObject({ outcome: 'updated', version: good.version });

    const foreign = {
      version: 1,
      models: [{ ...emotionOnly.models[0]!, file: 'emotion/other.onnx', sha256: 'f'.repeat(64) }],
    };
    await expectRefused(mine!.id, device, foreign, good, /not shipped/);
    await expectRefused(mine!.id, device, { version: 2, models: [] }, good);
  });
});
