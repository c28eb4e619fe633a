/**
 * `createServer`: the QA endpoint on a loopback or public port, with its background jobs
 * (escalation sweeper, webhook deliveries). Tests and the demo start it in-process on port 0.
 */
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { URGENT_LANE_HEADER, URGENT_LANE_VALUE } from '../lib/sync/protocol';
import { DeliveryWorker } from './alerts/deliveries';
import { type AlertRow, sweepEscalations } from './alerts/engine';
import { AlertHub } from './alerts/hub';
import { createApp } from './app';
import type { ServerContext, ServerLimits, WebhookPolicy } from './context';
import { type Database, type OpenOptions, openDatabase } from './db/connect';
import { DocumentHub } from './documents-hub';
import { IngestGate } from './ingest-gate';
import { type Logger, errorFields, jsonLogger } from './log';
import { PrincipalResolver } from './principal';
import { runRetention } from './privacy';
import { RateLimiter } from './ratelimit';

export interface CreateServerOptions {
  /** An open database (kept open on close) or how to open one (closed on close). */
  db: Database | OpenOptions;
  port?: number;
  host?: string;
  /** Base URL for links in webhooks; defaults to the listening URL. */
  publicUrl?: string;
  log?: Logger;
  limits?: Partial<ServerLimits>;
  webhooks?: Partial<WebhookPolicy>;
  /** How often to check agent-first windows that have run out. */
  sweepIntervalMs?: number;
  /** How often retention deletes data past each organisation's retention days (default hourly). */
  retentionIntervalMs?: number;
  cookieSecure?: boolean;
  now?: () => number;
  /** How long close() waits for requests in flight before cutting them (default 1 s). */
  drainMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  database: Database;
  /** Bulk ingest admission: running, waiting and turned-away batches (for benchmarks and ops). */
  ingestStats(): ReturnType<IngestGate['stats']>;
  close(): Promise<void>;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 2_000_000,
  ingestPerSecond: 20,
  ingestBurst: 60,
  loginPerMinute: 10,
  leadAlertsPerMinute: 30,
  bulkIngestConcurrency: 2,
  bulkIngestQueue: 1000,
  bulkIngestMaxWaitMs: 2_000,
  bodyIdleMs: 10_000,
};

function isDatabase(x: Database | OpenOptions): x is Database {
  return typeof (x as Database).close === 'function' && 'db' in x;
}

type FetchHandler = (req: Request, env: unknown) => Response | Promise<Response>;

/** How long close() lets requests in flight finish (the database still open) before cutting them. */
const DEFAULT_DRAIN_MS = 1_000;

export async function createServer(opts: CreateServerOptions): Promise<RunningServer> {
  const owned = !isDatabase(opts.db);
  const log = opts.log ?? jsonLogger('info');

  // Listen before the database is open and hold requests until it is: a device that finds the
  // port refused falls into its backoff, one whose request is held is answered as soon as the
  // endpoint can (a PGlite data directory takes a moment to open).
  let handler: FetchHandler | undefined;
  let setReady: (h: FetchHandler | undefined) => void = () => {};
  const ready = new Promise<FetchHandler | undefined>((resolve) => {
    setReady = resolve;
  });
  let inFlight = 0;
  /** Of those, the ones that arrived before the endpoint began to close. */
  let inFlightBefore = 0;
  let draining = false;
  let stopping = false;
  let drained: (() => void) | undefined;
  let drainedBefore: (() => void) | undefined;
  const fetchHandler: FetchHandler = async (req, env) => {
    const h = handler ?? (await ready);
    if (!h) {
      return Response.json(
        { error: 'unavailable', reason: 'database unavailable, retry later', retryAfterMs: 2000 },
        { status: 503, headers: { 'retry-after': '2' } },
      );
    }
    // Closing, the port stays open while requests in flight finish: a warning a lead waits for
    // is still taken on the open database, anything else is sent back at once to retry after
    // its own backoff (a closed port used to turn warnings away for the whole drain).
    if (stopping || (draining && req.headers.get(URGENT_LANE_HEADER) !== URGENT_LANE_VALUE)) {
      return Response.json(
        { error: 'unavailable', reason: 'endpoint restarting, retry shortly' },
        { status: 503, headers: { connection: 'close' } },
      );
    }
    // In flight until the response is written (an SSE stream counts only until it starts).
    inFlight++;
    const early = !draining;
    if (early) inFlightBefore++;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      inFlight--;
      if (early && --inFlightBefore === 0) drainedBefore?.();
      if (inFlight === 0) drained?.();
    };
    try {
      const res = await h(req, env);
      // Closing: this connection is not reused, the device's next request finds the new process.
      if (draining) {
        try {
          res.headers.set('connection', 'close');
        } catch {
          // immutable headers (a proxied response): the connection is cut at the end of close()
        }
      }
      const outgoing = (env as { outgoing?: ServerResponse } | undefined)?.outgoing;
      const stream = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
      if (outgoing && !stream && !outgoing.writableFinished) outgoing.once('close', done);
      else done();
      return res;
    } catch (err) {
      done();
      throw err;
    }
  };
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: fetchHandler, port: opts.port ?? 0, hostname: opts.host ?? '127.0.0.1' }, () =>
      resolve(s),
    );
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Open SSE streams would otherwise keep close() waiting forever.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });

  let database: Database;
  const openStarted = Date.now();
  try {
    // An endpoint that owns its database can be restarted in-process: keep the next database
    // thread warm (PGlite on disk), so the restart only waits for PostgreSQL to start.
    database = isDatabase(opts.db) ? opts.db : await openDatabase({ log, spare: true, ...opts.db });
  } catch (err) {
    setReady(undefined);
    await stopListening();
    throw err;
  }
  const now = opts.now ?? Date.now;
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const ctx: ServerContext = {
    db: database.db,
    urgentDb: database.urgentDb,
    dbKind: database.kind,
    log,
    now,
    publicUrl: () => opts.publicUrl ?? url,
    limits,
    webhooks: { maxAttempts: 8, baseMs: 1000, capMs: 5 * 60_000, timeoutMs: 10_000, ...opts.webhooks },
    cookieSecure: opts.cookieSecure ?? false,
    sessionTtlMs: 12 * 3600_000,
    ingestGate: new IngestGate(limits.bulkIngestConcurrency, limits.bulkIngestQueue),
    ingestLimiter: new RateLimiter(limits.ingestPerSecond, limits.ingestBurst, now),
    loginLimiter: new RateLimiter(limits.loginPerMinute / 60, limits.loginPerMinute, now),
    invalidateAuth: () => resolver.invalidate(),
    settingsCache: new Map(),
    documentChanges: new DocumentHub(),
  };
  const resolver = new PrincipalResolver(ctx);
  const hub = new AlertHub();
  const deliveries = new DeliveryWorker(ctx);
  const onAlerts = (rows: AlertRow[]) => {
    if (rows.length === 0) return;
    hub.publish(rows);
    deliveries.kick();
  };
  const app = createApp({ ctx, resolver, hub, deliveries, onAlerts });

  let sweeping = false;
  let lastSweepError = 0;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      onAlerts(await sweepEscalations(ctx.db, now()));
    } catch (err) {
      // The database being away is logged once a minute, not on every tick.
      if (now() - lastSweepError > 60_000) ctx.log.log('warn', 'escalation sweep failed', errorFields(err));
      lastSweepError = now();
    } finally {
      sweeping = false;
    }
  };
  const sweeper = setInterval(sweep, opts.sweepIntervalMs ?? 200);
  sweeper.unref?.();
  let retaining = false;
  const retain = async () => {
    if (retaining) return;
    retaining = true;
    try {
      const report = await runRetention(ctx);
      if (report.rows > 0) ctx.log.log('info', 'retention', { ...report });
    } catch (err) {
      ctx.log.log('warn', 'retention failed', errorFields(err));
    } finally {
      retaining = false;
    }
  };
  const retention = setInterval(retain, opts.retentionIntervalMs ?? 3600_000);
  retention.unref?.();
  deliveries.start();

  handler = app.fetch as FetchHandler;
  setReady(handler);
  ctx.log.log('info', 'listening', { url, db: database.kind, dbOpenMs: Date.now() - openStarted });

  let closing: Promise<void> | undefined;
  return {
    url,
    port: addr.port,
    database,
    ingestStats: () => ctx.ingestGate.stats(),
    close() {
      closing ??= (async () => {
        const started = Date.now();
        // The next endpoint on the same data (a restart) takes the kept thread; if there is none
        // (it was taken or failed), one warms up while this endpoint drains and closes.
        if (owned) database.warmSpare?.();
        clearInterval(sweeper);
        clearInterval(retention);
        // Take only urgent requests, let what is in flight finish while the database is still
        // open (a request cut here is sent again by its device, after a backoff), and only then
        // stop listening and cut what is left: SSE streams, and stragglers past the drain time.
        draining = true;
        ctx.ingestGate.turnAwayWaiting();
        const idleBefore =
          inFlightBefore === 0
            ? Promise.resolve()
            : new Promise<void>((resolve) => {
                drainedBefore = resolve;
              });
        // One deadline for everything the database is kept open for: requests in flight, the
        // webhook pass and the escalation sweep. Their queries queue behind the bulk inserts in
        // flight, which on a loaded machine held a close for several seconds; what is cut here
        // is retried (devices resend, the next endpoint sweeps and delivers again).
        let timer: ReturnType<typeof setTimeout> | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, opts.drainMs ?? DEFAULT_DRAIN_MS);
        });
        let pastDeadline = false;
        void deadline.then(() => {
          pastDeadline = true;
        });
        await Promise.race([Promise.all([deliveries.stop(), idleBefore]), deadline]);
        // What was in flight when closing began is done: stop accepting, and let the urgent
        // requests taken meanwhile finish (within the same deadline) before cutting the rest.
        stopping = true;
        const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        const idle =
          inFlight === 0
            ? Promise.resolve()
            : new Promise<void>((resolve) => {
                drained = resolve;
              });
        await Promise.race([idle, deadline]);
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        await listenerClosed;
        while ((sweeping || retaining) && !pastDeadline) await new Promise((r) => setTimeout(r, 10));
        clearTimeout(timer);
        const drainedAt = Date.now();
        if (owned) await database.close();
        ctx.log.log('info', 'closed', {
          url,
          drainMs: drainedAt - started,
          dbCloseMs: Date.now() - drainedAt,
        });
      })();
      return closing;
    },
  };
}

export { openDatabase } from './db/connect';
export type { Database } from './db/connect';
