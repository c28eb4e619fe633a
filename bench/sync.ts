/**
 * bench:sync — 200 simulated agents send 100,000 findings to the QA endpoint through a loopback
 * proxy that drops connections, with re-queued duplicates, while the endpoint (and its embedded
 * database) is restarted twice. A lead follows the SSE alert stream. Loopback only; bounded by
 * count and by SOTTO_BENCH_MAX_S (default 300 s).
 *
 * Last line: {"bench":"sync","sent":100000,"stored":…,"lost":…,"duplicates":…,"findings_per_s":…,
 *             "alert_p95_ms":…,"db":"pglite|postgres"}
 * PostgreSQL: set SOTTO_BENCH_PG_URL (a fresh database is created in that server and dropped).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { newId } from '../lib/ids';
import { SyncClient, enrolDevice } from '../lib/sync/client';
import { MemoryOutboxStore } from '../lib/sync/outbox';
import type { FindingItem } from '../lib/sync/protocol';
import { followAlerts } from '../lib/sync/sse';
import { newEnrolmentCode, normaliseCode, sha256 } from '../server/crypto';
import { type OpenOptions, openDatabase } from '../server/db/connect';
import { type RunningServer, createServer } from '../server/index';
import { jsonLogger } from '../server/log';
import { seedDemo } from '../server/seed';
import { startFlakyProxy } from '../server/testing/flaky-proxy';

const AGENTS = 200;
const TOTAL = Number(process.env.SOTTO_BENCH_TOTAL ?? 100_000);
const RATE = Number(process.env.SOTTO_BENCH_RATE ?? 2500); // findings generated per second, all agents
const ALERT_EVERY = 100; // 1 % of findings are critical and must reach the lead
const DUPLICATE_SHARE = 0.02; // re-queued as a restarted service worker would
const DROP_SHARE = 0.01; // per request and per response at the proxy
const MAX_MS = Number(process.env.SOTTO_BENCH_MAX_S ?? 300) * 1000;
const log = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ bench: 'sync', ...o }) + '\n');

async function prepareDb(): Promise<{ open: OpenOptions; kind: 'pglite' | 'postgres'; cleanup(): Promise<void> }> {
  const admin = process.env.SOTTO_BENCH_PG_URL;
  if (admin) {
    const name = `sotto_bench_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return {
      open: { url: url.toString(), poolSize: 20 },
      kind: 'postgres',
      async cleanup() {
        const d = new pg.Client({ connectionString: admin });
        await d.connect();
        await d.query(`drop database if exists ${name} with (force)`);
        await d.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sotto-bench-'));
  return { open: { dataDir: dir }, kind: 'pglite', cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

const { open, kind, cleanup } = await prepareDb();

// Seed: the demo org plus 200 agents in "Shanghai A", each with a one-time enrolment code.
const setup = await openDatabase(open);
const demo = await seedDemo(setup.db, { password: 'bench-password-not-used' });
const codes: string[] = [];
const now0 = Date.now();
for (let i = 0; i < AGENTS; i++) {
  const id = `user_bench_${i}`;
  await setup.db
    .insertInto('users')
    .values({ id, org_id: demo.orgId, email: `agent${i}@bench.sotto.local`, display_name: `Agent ${i}`, role: 'agent', created_at: now0 })
    .execute();
  await setup.db.insertInto('team_members').values({ team_id: demo.teams[0]!.id, user_id: id }).execute();
  const code = newEnrolmentCode();
  codes.push(code);
  await setup.db
    .insertInto('enrolment_codes')
    .values({
      code_hash: sha256(normaliseCode(code)),
      org_id: demo.orgId,
      team_id: demo.teams[0]!.id,
      user_id: id,
      created_by: null,
      created_at: now0,
      expires_at: now0 + 3600_000,
      used_at: null,
      device_id: null,
    })
    .execute();
}
await setup.close();

const serverOptions = (port: number) => ({
  db: open,
  port,
  log: jsonLogger('warn'),
  limits: { ingestPerSecond: 200, ingestBurst: 400, loginPerMinute: 100_000, leadAlertsPerMinute: 100_000 },
});
let server: RunningServer = await createServer(serverOptions(0));
const port = server.port;
const endpoint = server.url;

const httpFetch = (url: string, init: RequestInit) => fetch(url, init);
const lead = await enrolDevice(httpFetch, endpoint, { code: demo.enrolmentCodes.lead, deviceName: 'lead' });
const tokens: string[] = [];
for (const code of codes) tokens.push((await enrolDevice(httpFetch, endpoint, { code, deviceName: 'bench' })).token);

const proxy = await startFlakyProxy({ upstreamPort: port, drop: () => Math.random() < DROP_SHARE });

// The lead: latency from the finding's creation on the device to the SSE event.
const alertTs = new Map<string, number>();
const latencies: number[] = [];
const seenAlerts = new Set<string>();
const stop = new AbortController();
const leadDone = followAlerts({
  endpoint,
  fetch: (url, init) => fetch(url, init),
  getToken: () => lead.token,
  signal: stop.signal,
  onAlert: (a) => {
    const ts = a.findingId ? alertTs.get(a.findingId) : undefined;
    if (ts === undefined || seenAlerts.has(a.findingId!)) return;
    seenAlerts.add(a.findingId!);
    latencies.push(Date.now() - ts);
  },
});

const clients = tokens.map(
  (token) =>
    new SyncClient({
      endpoint: proxy.url,
      fetch: httpFetch,
      store: new MemoryOutboxStore(),
      getToken: () => token,
      batch: { maxItems: 500 },
      backoff: { baseMs: 50, capMs: 500 },
      requestTimeoutMs: 15_000,
    }),
);
const running = clients.map((c) => c.run(stop.signal, { lingerMs: 2000 }));

// Generate findings at RATE across agents; restart the endpoint at one and two thirds.
const start = Date.now();
const deadline = start + MAX_MS;
let made = 0;
let alertsMade = 0;
let duplicatesQueued = 0;
const perAgentConv = new Array<number>(AGENTS).fill(0);
const perAgentCount = new Array<number>(AGENTS).fill(0);
const restarts: number[] = [];
const restartAt = [Math.floor(TOTAL / 3), Math.floor((2 * TOTAL) / 3)];
let restarting: Promise<void> | undefined;

async function restart() {
  const t = Date.now();
  await server.close();
  server = await createServer(serverOptions(port));
  restarts.push(Date.now() - t);
  log({ phase: 'restart', downtime_ms: Date.now() - t });
}

while (made < TOTAL && Date.now() < deadline) {
  const due = Math.min(TOTAL, Math.floor(((Date.now() - start) / 1000) * RATE));
  const pending: Promise<unknown>[] = [];
  while (made < due) {
    const a = made % AGENTS;
    const ts = Date.now();
    if (perAgentCount[a]! % 50 === 0) {
      perAgentConv[a]!++;
      pending.push(
        clients[a]!.enqueue({ conversations: [{ id: `a${a}-c${perAgentConv[a]}`, channel: 'chat', startedAt: ts }] }),
      );
    }
    perAgentCount[a]!++;
    const critical = made % ALERT_EVERY === ALERT_EVERY - 1;
    const id = newId(ts);
    const item: FindingItem = {
      finding: {
        id,
        conversationId: `a${a}-c${perAgentConv[a]}`,
        ruleId: critical ? `bench.alert.${alertsMade}` : 'bench.metric',
        kind: critical ? 'violation' : 'metric',
        severity: critical ? 'critical' : 'info',
        evidence: [{ seq: perAgentCount[a]!, start: 0, end: 6, text: '您好，请问' }],
        scores: { talk_ratio: 0.5 },
        ts,
      },
    };
    if (critical) {
      alertTs.set(id, ts);
      alertsMade++;
    }
    pending.push(clients[a]!.enqueue({ findings: [item] }));
    if (Math.random() < DUPLICATE_SHARE) {
      duplicatesQueued++;
      pending.push(clients[a]!.enqueue({ findings: [item] }));
    }
    made++;
    if (restartAt.length > 0 && made >= restartAt[0]! && !restarting) {
      restartAt.shift();
      restarting = restart().finally(() => {
        restarting = undefined;
      });
    }
  }
  await Promise.all(pending);
  await new Promise((r) => setTimeout(r, 20));
}
await restarting;
const generatedMs = Date.now() - start;

// Wait until every outbox is empty and every alert arrived (or the time bound).
let drainedAt = 0;
for (;;) {
  const queued = (await Promise.all(clients.map((c) => c.status()))).reduce((s, x) => s + x.queued, 0);
  if (queued === 0 && !drainedAt) drainedAt = Date.now();
  if ((queued === 0 && seenAlerts.size >= alertsMade) || Date.now() > deadline) break;
  await new Promise((r) => setTimeout(r, 50));
}
const elapsedS = ((drainedAt || Date.now()) - start) / 1000;

stop.abort();
await Promise.all(running);
await leadDone;

const counts = await server.database.db
  .selectFrom('findings')
  .select((eb) => [eb.fn.countAll<string>().as('rows'), eb.fn.count<string>('id').distinct().as('ids')])
  .executeTakeFirstOrThrow();
const stored = Number(counts.ids);
const duplicates = Number(counts.rows) - Number(counts.ids);
const rejected = (await Promise.all(clients.map((c) => c.status()))).reduce((s, x) => s + x.rejectedTotal, 0);
await proxy.close();
await server.close();
await cleanup();

latencies.sort((a, b) => a - b);
const p = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : -1);
log({
  phase: 'detail',
  generated_ms: generatedMs,
  restarts_downtime_ms: restarts,
  proxy_dropped_requests: proxy.stats.droppedRequests,
  proxy_dropped_responses: proxy.stats.droppedResponses,
  duplicates_queued: duplicatesQueued,
  rejected,
  alerts_expected: alertsMade,
  alerts_received: seenAlerts.size,
  alert_p50_ms: p(0.5),
  alert_max_ms: latencies.at(-1) ?? -1,
  timed_out: Date.now() > deadline,
});
process.stdout.write(
  JSON.stringify({
    bench: 'sync',
    sent: TOTAL,
    stored,
    lost: TOTAL - stored,
    duplicates,
    findings_per_s: Math.round(stored / elapsedS),
    alert_p95_ms: p(0.95),
    db: kind,
  }) + '\n',
);
process.exit(0);
