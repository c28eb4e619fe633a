/**
 * An endpoint restart as devices see it (server/index.ts): the new process listens before its
 * database is open and holds the requests that arrive meanwhile instead of refusing them (a
 * refused device falls into its backoff), and a closing one lets requests in flight finish on the
 * still-open database instead of cutting them, taking only urgent new ones meanwhile.
 */
import { type IncomingMessage, request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { URGENT_LANE_HEADER, URGENT_LANE_VALUE } from '../../../lib/sync/protocol';
import { IngestGate } from '../../../server/ingest-gate';
import { createServer } from '../../../server/index';
import { jsonLogger } from '../../../server/log';
import { pgliteFromTemplate } from './harness';

/** A PGlite whose queries wait while `hold()` is in force, so a test can catch a request mid-way. */
async function gatedPglite() {
  const real = await pgliteFromTemplate();
  let gate: Promise<void> | undefined;
  let only: RegExp | undefined;
  let lift: () => void = () => {};
  let onHeld: () => void = () => {};
  const client = {
    async query(sql: string, params?: unknown[]) {
      if (gate && (!only || only.test(sql))) {
        onHeld();
        await gate;
      }
      return real.query(sql, params);
    },
    close: () => real.close(),
    get closed() {
      return real.closed;
    },
  };
  return {
    pglite: client as unknown as PGlite,
    /** Hold queries (those matching `match`) from now on; resolves once one is waiting. */
    hold(match?: RegExp) {
      only = match;
      gate = new Promise<void>((r) => {
        lift = r;
      });
      return new Promise<void>((r) => {
        onHeld = r;
      });
    },
    release() {
      gate = undefined;
      lift();
    },
  };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

/** GET `path`; `onConnect` runs once the TCP connection is up. Rejects on ECONNREFUSED. */
function get(
  port: number,
  path: string,
  onConnect: () => void = () => {},
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on('socket', (s) => s.once('connect', onConnect));
    req.on('error', reject);
    req.end();
  });
}

describe('endpoint restart', () => {
  it('listens at once and answers a request that arrives while the database is still opening', async () => {
    const db = await gatedPglite();
    const port = await freePort();
    const opened = db.hold(); // the migrations check waits: the database is "opening"
    const events: string[] = [];
    const starting = createServer({ db: { pglite: db.pglite }, port, log: jsonLogger('silent') });
    void starting.then(() => events.push('database open'));
    await opened;
    const answer = get(port, '/healthz', () => events.push('connected'));
    await new Promise<void>((r) => setTimeout(r, 0));
    while (!events.includes('connected')) await new Promise<void>((r) => setTimeout(r, 5));
    db.release();
    const server = await starting;
    const res = await answer;
    expect(events).toEqual(['connected', 'database open']);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, db: 'pglite' });
    await server.close();
  });

  it('lets a request in flight finish on the open database when closing, takes only urgent new ones, then stops listening', async () => {
    const db = await gatedPglite();
    // A drain time far beyond the test, so only the request's end lets close() go on.
    const server = await createServer({
      db: { pglite: db.pglite },
      log: jsonLogger('silent'),
      drainMs: 300_000,
    });
    const held = db.hold(/^select 1$/); // the health check's query, not the background jobs'
    const inFlight = get(server.port, '/healthz');
    await held; // the request is in the middle of its database work
    const closed = server.close();
    // Draining: a plain request is sent back at once to retry (not refused, not held)...
    const plain = await get(server.port, '/healthz');
    expect(plain.status).toBe(503);
    expect(plain.connection).toBe('close');
    // ...while one marked urgent is still answered (this one needs no database query, so it is
    // not queued behind the held one).
    const urgent = await get(server.port, '/openapi.json', () => {}, {
      [URGENT_LANE_HEADER]: URGENT_LANE_VALUE,
    });
    expect(urgent.status).toBe(200);
    db.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    // Not reused: the device's next request goes to the new process.
    expect(res.connection).toBe('close');
    await closed;
    expect(db.pglite.closed).toBe(true);
    await expect(get(server.port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('IngestGate when the endpoint closes', () => {
  it('sends waiting bulk batches back at once and lets none wait any more', async () => {
    const gate = new IngestGate(1, 10);
    const running = await gate.enter();
    const waiting = [gate.enter(), gate.enter()];
    gate.turnAwayWaiting();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    expect(await gate.enter()).toBeUndefined();
    expect(gate.stats()).toMatchObject({ running: 1, waiting: 0, shed: 3 });
    running!();
    expect(gate.stats()).toMatchObject({ running: 0 });
  });
});
