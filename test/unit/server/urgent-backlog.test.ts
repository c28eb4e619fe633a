/**
 * Device side of the urgent lane (lib/sync/client.ts) against a real endpoint: a warning queued
 * behind a backlog larger than one batch window is sent in a request of its own while the bulk
 * batches ahead of it are still on their way, instead of waiting for the backlog to drain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncClient } from '../../../lib/sync/client';
import { MemoryOutboxStore } from '../../../lib/sync/outbox';
import { URGENT_LANE_HEADER } from '../../../lib/sync/protocol';
import { BACKENDS, type TestEnv, finding, startEnv } from './harness';

describe.each(BACKENDS)('urgent entries behind a backlog, %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend, { limits: { ingestPerSecond: 10_000, ingestBurst: 10_000 } });
  });
  afterAll(async () => env?.close());

  it('sends a warning queued behind more than a batch of metrics while the first bulk batch is held', async () => {
    let releaseBulk: () => void = () => {};
    const bulkHeld = new Promise<void>((r) => {
      releaseBulk = r;
    });
    const requests: { urgent: boolean; findings: number; whileBulkHeld: boolean }[] = [];
    let held = false;
    const client = new SyncClient({
      endpoint: env.url,
      store: new MemoryOutboxStore(),
      getToken: () => env.agentToken,
      batch: { maxItems: 50 },
      backoff: { baseMs: 1, capMs: 5 },
      fetch: async (url, init) => {
        const urgent = init.headers[URGENT_LANE_HEADER] !== undefined;
        const body = JSON.parse(init.body ?? '{}') as { findings: unknown[] };
        requests.push({ urgent, findings: body.findings.length, whileBulkHeld: held });
        // The first bulk batch hangs (a slow network) until the warning has gone out.
        if (!urgent && requests.filter((r) => !r.urgent).length === 1) {
          held = true;
          await bulkHeld;
          held = false;
        }
        return fetch(url, init);
      },
    });
    const metrics = Array.from({ length: 200 }, () => finding({ kind: 'metric', severity: 'info' }));
    await client.enqueue({ findings: metrics });
    const warning = finding({ severity: 'critical', kind: 'violation' });
    await client.enqueue({ findings: [warning] });

    const flushed = client.flush();
    const stored = async () =>
      (
        await env.database.db
          .selectFrom('findings')
          .select('id')
          .where('id', '=', warning.finding.id)
          .execute()
      ).length;
    // Polls the database: the warning is stored although the bulk batch ahead of it is still held.
    for (let i = 0; (await stored()) === 0; i++) {
      if (i > 3000) throw new Error('the warning never reached the endpoint');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(requests.find((r) => r.urgent)).toMatchObject({ findings: 1, whileBulkHeld: true });
    releaseBulk();
    expect(await flushed).toMatchObject({ outcome: 'idle' });
    expect((await client.status()).queued).toBe(0);
  });
});
