/**
 * Alerts do not wait behind bulk load: the endpoint's bulk admission gate queues or turns away
 * bulk batches while batches carrying warnings go straight through, and the device sends
 * warnings in a request of their own while a bulk batch is in flight or backing off.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchLike, SyncClient } from '../../../lib/sync/client';
import { MemoryOutboxStore } from '../../../lib/sync/outbox';
import { URGENT_LANE_HEADER, URGENT_LANE_VALUE } from '../../../lib/sync/protocol';
import { IngestGate } from '../../../server/ingest-gate';
import { BACKENDS, type TestEnv, eventually, finding, startEnv } from './harness';

describe('IngestGate', () => {
  it('admits up to its concurrency, queues up to its queue, turns the rest away', async () => {
    const gate = new IngestGate(2, 1);
    const a = await gate.enter();
    const b = await gate.enter();
    expect(a && b).toBeTruthy();
    let cAdmitted = false;
    const c = gate.enter().then((r) => {
      cAdmitted = true;
      return r;
    });
    expect(await gate.enter()).toBeUndefined(); // queue of one is full
    expect(gate.stats()).toMatchObject({ running: 2, waiting: 1, shed: 1 });
    await Promise.resolve();
    expect(cAdmitted).toBe(false);
    a!();
    a!(); // releasing twice frees one slot only
    const releaseC = await c;
    expect(cAdmitted).toBe(true);
    expect(gate.stats()).toMatchObject({ running: 2, waiting: 0 });
    b!();
    releaseC!();
    expect(gate.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('turns a waiting batch away once it has waited longer than allowed', async () => {
    const gate = new IngestGate(1, 10);
    const held = await gate.enter();
    expect(await gate.enter(20)).toBeUndefined();
    expect(gate.stats()).toMatchObject({ running: 1, waiting: 0, shed: 1 });
    const next = gate.enter(60_000);
    held!();
    const released = await next;
    expect(released).toBeTypeOf('function');
    released!();
    expect(gate.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('asks turned-away batches back later when more work is ahead, spread by jitter', async () => {
    const gate = new IngestGate(1, 0);
    const idle = gate.retryAfterMs(() => 0);
    const held = await gate.enter();
    expect(gate.retryAfterMs(() => 0)).toBeGreaterThanOrEqual(idle);
    expect(gate.retryAfterMs(() => 0.999)).toBeGreaterThan(gate.retryAfterMs(() => 0));
    expect(gate.retryAfterMs(() => 0.999)).toBeLessThanOrEqual(60_000);
    held!();
  });
});

describe.each(BACKENDS)('alert lanes on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend, {
      limits: {
        ingestPerSecond: 10_000,
        ingestBurst: 10_000,
        bulkIngestConcurrency: 1,
        bulkIngestQueue: 0,
        bodyIdleMs: 600_000,
      },
    });
  });
  afterAll(async () => env?.close());

  const stored = async (id: string) =>
    !!(await env.database.db.selectFrom('findings').select('id').where('id', '=', id).executeTakeFirst());
  const alerted = async (id: string) =>
    !!(await env.database.db
      .selectFrom('alerts')
      .select('id')
      .where('finding_id', '=', id)
      .executeTakeFirst());

  /** Status of a one-metric bulk batch; 0 when the connection failed (a restart closes sockets). */
  async function bulkStatus(f: ReturnType<typeof finding>): Promise<number> {
    try {
      return (await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { findings: [f] } }))
        .status;
    } catch {
      return 0;
    }
  }

  /** A bulk upload that holds the endpoint's only bulk slot until `finish()` sends the rest. */
  function stuckBulkUpload(): { finish(): Promise<number>; abort(): void } {
    const body = Buffer.from(JSON.stringify({ findings: [finding({ severity: 'info', kind: 'metric' })] }));
    const u = new URL(`${env.url}/v1/ingest`);
    let status: (n: number) => void = () => {};
    const done = new Promise<number>((r) => {
      status = r;
    });
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: `Bearer ${env.agentToken}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => status(res.statusCode ?? 0));
      },
    );
    req.on('error', () => {});
    req.write(body.subarray(0, 10));
    return {
      abort() {
        req.destroy();
      },
      finish() {
        req.end(body.subarray(10));
        return done;
      },
    };
  }

  /** Until the stuck upload is admitted: a request still in flight has not taken the slot yet. */
  const holdsSlot = () => eventually(async () => env.server.ingestStats().running === 1);

  it('turns bulk away with Retry-After while urgent batches go through', async () => {
    const stuck = stuckBulkUpload();
    await holdsSlot();
    // Wait until the stuck upload holds the slot: a second bulk batch is then turned away.
    const busy = await eventually(async () => {
      const r = await env.call('POST', '/v1/ingest', {
        token: env.agentToken,
        body: { findings: [finding({ severity: 'info', kind: 'metric' })] },
      });
      return r.status === 503 ? r : undefined;
    });
    expect(busy.json.error).toBe('busy');
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const warning = finding({ severity: 'critical', kind: 'violation' });
    const urgent = await env.call('POST', '/v1/ingest', {
      token: env.agentToken,
      headers: { [URGENT_LANE_HEADER]: URGENT_LANE_VALUE },
      body: { findings: [warning] },
    });
    expect(urgent.status).toBe(200);
    expect(await stored(warning.finding.id)).toBe(true);
    expect(await alerted(warning.finding.id)).toBe(true);
    expect(await stuck.finish()).toBe(200);
  });

  it('frees the slot of an upload that stops mid-body (408) or whose client goes away', async () => {
    await env.restart({
      limits: {
        ingestPerSecond: 10_000,
        ingestBurst: 10_000,
        bulkIngestConcurrency: 1,
        bulkIngestQueue: 0,
        bodyIdleMs: 300,
      },
    });
    const stalled = stuckBulkUpload();
    // The stalled upload is answered 408 and its slot goes back: bulk batches are stored again.
    const late = finding({ severity: 'info', kind: 'metric' });
    await eventually(async () => {
      return (await bulkStatus(late)) === 200;
    });
    expect(await stored(late.finding.id)).toBe(true);
    stalled.abort();
    await env.restart({
      limits: {
        ingestPerSecond: 10_000,
        ingestBurst: 10_000,
        bulkIngestConcurrency: 1,
        bulkIngestQueue: 0,
        bodyIdleMs: 600_000,
      },
    });
    const gone = stuckBulkUpload();
    await holdsSlot();
    await eventually(async () => {
      return (await bulkStatus(finding({ severity: 'info', kind: 'metric' }))) === 503;
    });
    gone.abort();
    const after = finding({ severity: 'info', kind: 'metric' });
    await eventually(async () => {
      return (await bulkStatus(after)) === 200;
    });
    expect(await stored(after.finding.id)).toBe(true);
  });

  it('a device sends a new warning while its bulk batch is still in flight or backing off', async () => {
    // Bulk requests from this device hang until released, then fail once with a network error.
    let releaseBulk: () => void = () => {};
    const bulkHeld = new Promise<void>((r) => {
      releaseBulk = r;
    });
    let bulkCalls = 0;
    let urgentCalls = 0;
    const fetchLike: FetchLike = async (url, init) => {
      if (init.headers[URGENT_LANE_HEADER] === URGENT_LANE_VALUE) urgentCalls++;
      else {
        bulkCalls++;
        await bulkHeld;
        if (bulkCalls === 1) throw new Error('connection reset');
      }
      return fetch(url, init);
    };
    const client = new SyncClient({
      endpoint: env.url,
      fetch: fetchLike,
      store: new MemoryOutboxStore(),
      getToken: () => env.agentToken,
      backoff: { baseMs: 60_000, capMs: 60_000 },
    });
    const metrics = Array.from({ length: 20 }, () => finding({ severity: 'info', kind: 'metric' }));
    await client.enqueue({ findings: metrics });
    const bulk = client.flush();
    await eventually(async () => bulkCalls > 0);
    const warning = finding({ severity: 'critical', kind: 'violation' });
    await client.enqueue({ findings: [warning] });
    // Stored and alerted while the bulk request is still hanging.
    await eventually(() => alerted(warning.finding.id));
    expect(urgentCalls).toBe(1);
    expect(await stored(metrics[0]!.finding.id)).toBe(false);
    releaseBulk();
    const report = await bulk;
    expect(report.outcome).toBe('retry'); // the bulk lane now backs off for a minute…
    const second = finding({ severity: 'critical', kind: 'violation' });
    await client.enqueue({ findings: [second] });
    await client.flush(); // …but the urgent lane does not wait for it
    await eventually(() => alerted(second.finding.id));
    // Confirmed entries leave the outbox once the response is read; the metrics stay queued.
    await eventually(async () => (await client.status()).queued === 20);
    expect(await stored(metrics[0]!.finding.id)).toBe(false);
  });
});
