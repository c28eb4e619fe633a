/**
 * bench:sync — 200 simulated agents send 100,000 findings to the QA endpoint through a loopback
 * proxy that drops connections, with re-queued duplicates, while the endpoint (and its embedded
 * database) is restarted twice. A lead follows the SSE alert stream. Loopback only; bounded by
 * count and by SOTTO_BENCH_MAX_S (default 300 s of sending).
 *
 * The endpoint, proxy and lead run on the main thread; the agents run in two worker threads, so
 * device-side work (JSON, fetch) does not queue behind the endpoint's event loop — as on real,
 * separate machines.
 *
 * Last line: {"bench":"sync","sent":100000,"stored":…,"lost":…,"duplicates":…,"findings_per_s":…,
 *             "alert_p95_ms":…,"db":"pglite|postgres"}
 * PostgreSQL: set SOTTO_BENCH_PG_URL (a fresh database is created in that server and dropped).
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { newId } from '../lib/ids';
import { SyncClient, enrolDevice } from '../lib/sync/client';
import { MemoryOutboxStore } from '../lib/sync/outbox';
import type { FindingItem } from '../lib/sync/protocol';
import { followAlerts } from '../lib/sync/sse';
import { newEnrolmentCode, normaliseCode, sha256 } from '../server/crypto';
import { type OpenOptions, openDatabase } from '../server/db/connect';
import { type RunningServer, createServer } from '../server/index';
import { type Logger, jsonLogger } from '../server/log';
import { seedDemo } from '../server/seed';
import { startFlakyProxy } from '../server/testing/flaky-proxy';

const AGENTS = 200;
const WORKERS = 2;
const TOTAL = Number(process.env.SOTTO_BENCH_TOTAL ?? 100_000);
const RATE = Number(process.env.SOTTO_BENCH_RATE ?? 2500); // findings generated per second, all agents
const ALERT_EVERY = 100; // 1 % of findings are critical and must reach the lead
const DUPLICATE_SHARE = 0.02; // re-queued as a restarted service worker would
const DROP_SHARE = 0.01; // per request and per response at the proxy
const MAX_MS = Number(process.env.SOTTO_BENCH_MAX_S ?? 300) * 1000;

interface AgentsJob {
  endpoint: string;
  tokens: string[];
  first: number;
  total: number;
  rate: number;
}
type FromAgents =
  | { type: 'made'; n: number }
  | { type: 'final' }
  | { type: 'ready' }
  | { type: 'status'; queued: number; rejected: number; duplicatesQueued: number; generating: boolean };

const fromMain = isMainThread ? undefined : parentPort!;

/** Worker side: `tokens.length` agents, each a SyncClient with its own in-memory outbox. */
async function runAgents(job: AgentsJob): Promise<void> {
  const httpFetch = (url: string, init: RequestInit) => fetch(url, init);
  const stop = new AbortController();
  setMaxListeners(job.tokens.length * 2 + 10, stop.signal); // one per running client
  const clients = job.tokens.map(
    (token) =>
      new SyncClient({
        endpoint: job.endpoint,
        fetch: httpFetch,
        store: new MemoryOutboxStore(),
        getToken: () => token,
        batch: { maxItems: 500 },
        backoff: { baseMs: 50, capMs: 500 },
        requestTimeoutMs: 15_000,
      }),
  );
  const running = clients.map((c) => c.run(stop.signal, { lingerMs: 2000 }));
  let go: () => void = () => {};
  const started = new Promise<void>((r) => {
    go = r;
  });
  fromMain!.on('message', (m: { type: string }) => {
    if (m.type === 'stop') stop.abort();
    if (m.type === 'go') go();
  });
  // Start generating only when every worker is loaded, so the clock measures sending.
  fromMain!.postMessage({ type: 'ready' } satisfies FromAgents);
  await started;
  const n = clients.length;
  const conv = new Array<number>(n).fill(0);
  const count = new Array<number>(n).fill(0);
  let made = 0;
  let duplicatesQueued = 0;
  let generating = true;
  const report = async () => {
    const st = await Promise.all(clients.map((c) => c.status()));
    const msg: FromAgents = {
      type: 'status',
      queued: st.reduce((s, x) => s + x.queued, 0),
      rejected: st.reduce((s, x) => s + x.rejectedTotal, 0),
      duplicatesQueued,
      generating,
    };
    fromMain!.postMessage(msg);
  };
  const statusTimer = setInterval(report, 100);
  const start = Date.now();
  while (made < job.total && !stop.signal.aborted) {
    const due = Math.min(job.total, Math.floor(((Date.now() - start) / 1000) * job.rate));
    const pending: Promise<unknown>[] = [];
    while (made < due) {
      const a = made % n;
      const ts = Date.now();
      const c = clients[a]!;
      if (count[a]! % 50 === 0) {
        conv[a]!++;
        pending.push(
          c.enqueue({
            conversations: [{ id: `a${job.first + a}-c${conv[a]}`, channel: 'chat', startedAt: ts }],
          }),
        );
      }
      count[a]!++;
      // 1 % of each agent's findings are critical, at staggered points, so alerts come from every
      // agent as on a real floor (not all from the same one or two devices).
      const critical = (count[a]! + job.first + a) % ALERT_EVERY === ALERT_EVERY - 1;
      const item: FindingItem = {
        finding: {
          id: newId(ts),
          conversationId: `a${job.first + a}-c${conv[a]}`,
          ruleId: critical ? `bench.alert.${job.first + a}.${count[a]}` : 'bench.metric',
          kind: critical ? 'violation' : 'metric',
          severity: critical ? 'critical' : 'info',
          evidence: [{ seq: count[a]!, start: 0, end: 5, text: '您好，请问' }],
          scores: { talk_ratio: 0.5 },
          ts,
        },
      };
      pending.push(c.enqueue({ findings: [item] }));
      if (Math.random() < DUPLICATE_SHARE) {
        duplicatesQueued++;
        pending.push(c.enqueue({ findings: [item] }));
      }
      made++;
    }
    await Promise.all(pending);
    fromMain!.postMessage({ type: 'made', n: made } satisfies FromAgents);
    await new Promise((r) => setTimeout(r, 20));
  }
  generating = false;
  await new Promise<void>((r) => stop.signal.addEventListener('abort', () => r()));
  await Promise.all(running);
  clearInterval(statusTimer);
  await report();
  // Keep-alive sockets would keep the thread alive; the main thread ends it on this message.
  fromMain!.postMessage({ type: 'final' } satisfies FromAgents);
}

async function prepareDb(): Promise<{
  open: OpenOptions;
  kind: 'pglite' | 'postgres';
  cleanup(): Promise<void>;
}> {
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
  return {
    open: { dataDir: dir },
    kind: 'pglite',
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function main(): Promise<void> {
  const log = (o: Record<string, unknown>) =>
    process.stdout.write(JSON.stringify({ bench: 'sync', ...o }) + '\n');
  const { open, kind, cleanup } = await prepareDb();

  // Seed: the demo org plus 200 agents in "Shanghai A", each with a one-time enrolment code.
  const setup = await openDatabase(open);
  const demo = await seedDemo(setup.db, { password: 'bench-password-not-used' });
  const team = demo.teams[0]!.id;
  const now0 = Date.now();
  const codes = Array.from({ length: AGENTS }, () => newEnrolmentCode());
  await setup.db
    .insertInto('users')
    .values(
      codes.map((_, i) => ({
        id: `user_bench_${i}`,
        org_id: demo.orgId,
        email: `agent${i}@bench.sotto.local`,
        display_name: `Agent ${i}`,
        role: 'agent',
        created_at: now0,
      })),
    )
    .execute();
  await setup.db
    .insertInto('team_members')
    .values(codes.map((_, i) => ({ team_id: team, user_id: `user_bench_${i}` })))
    .execute();
  await setup.db
    .insertInto('enrolment_codes')
    .values(
      codes.map((code, i) => ({
        code_hash: sha256(normaliseCode(code)),
        org_id: demo.orgId,
        team_id: team,
        user_id: `user_bench_${i}`,
        created_by: null,
        created_at: now0,
        expires_at: now0 + 3600_000,
        used_at: null,
        device_id: null,
      })),
    )
    .execute();
  await setup.close();

  const serverLog = jsonLogger((process.env.SOTTO_BENCH_LOG as 'debug' | undefined) ?? 'error');
  // Traced runs also show where each restart's time goes (drain, database close, database open).
  const restartSteps = new Set(['closed', 'listening']);
  const traceLog: Logger = {
    log(level, msg, fields) {
      if (restartSteps.has(msg)) log({ phase: 'restart-step', step: msg, ...fields });
      serverLog.log(level, msg, fields);
    },
  };
  const serverOptions = (port: number) => ({
    db: open,
    port,
    log: process.env.SOTTO_BENCH_TRACE ? traceLog : serverLog,
    limits: { ingestPerSecond: 200, ingestBurst: 400, loginPerMinute: 100_000, leadAlertsPerMinute: 100_000 },
  });
  let server: RunningServer = await createServer(serverOptions(0));
  const port = server.port;
  const endpoint = server.url;
  const httpFetch = (url: string, init: RequestInit) => fetch(url, init);
  const lead = await enrolDevice(httpFetch, endpoint, { code: demo.enrolmentCodes.lead, deviceName: 'lead' });
  const tokens: string[] = [];
  for (const code of codes)
    tokens.push((await enrolDevice(httpFetch, endpoint, { code, deviceName: 'bench' })).token);
  // The dropping proxy runs on its own thread: on the endpoint's thread its byte shuffling would
  // be counted against the endpoint.
  const src = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const proxyWorker = new Worker(src, { eval: true, workerData: { role: 'proxy', upstreamPort: port } });
  const proxy = await new Promise<{
    url: string;
    stats: { droppedRequests: number; droppedResponses: number };
  }>((resolve) => {
    const view = { url: '', stats: { droppedRequests: 0, droppedResponses: 0 } };
    proxyWorker.on('message', (m: { type: string; url?: string; stats?: typeof view.stats }) => {
      if (m.type === 'proxy-ready') {
        view.url = m.url!;
        resolve(view);
      }
      if (m.type === 'proxy-stats') view.stats = m.stats!;
    });
  });
  const proxyExited = new Promise((r) => proxyWorker.once('exit', r));

  // The lead: latency from the finding's creation on the device to the SSE event.
  const latencies: number[] = [];
  // Where the time goes: device → endpoint commit (outbox, network, endpoint queue) and
  // endpoint → lead (fan-out, SSE). Both ends read the same machine clock.
  const toServer: number[] = [];
  const toLead: number[] = [];
  const seen = new Set<string>();
  const stopLead = new AbortController();
  const leadDone = followAlerts({
    endpoint,
    fetch: (url, init) => fetch(url, init),
    getToken: () => lead.token,
    signal: stopLead.signal,
    onAlert: (a) => {
      if (
        !a.ruleKey.startsWith('bench.alert.') ||
        !a.findingId ||
        a.findingTs === undefined ||
        seen.has(a.findingId)
      )
        return;
      seen.add(a.findingId);
      const at = Date.now();
      latencies.push(at - a.findingTs);
      toServer.push(a.createdAt - a.findingTs);
      toLead.push(at - a.createdAt);
    },
  });
  const alertsExpected = Math.floor(TOTAL / ALERT_EVERY);

  const per = AGENTS / WORKERS;
  let ready = 0;
  const made = new Array<number>(WORKERS).fill(0);
  const status = new Array<Extract<FromAgents, { type: 'status' }> | undefined>(WORKERS).fill(undefined);
  const workers = Array.from({ length: WORKERS }, (_, w) => {
    const job: AgentsJob = {
      endpoint: process.env.SOTTO_BENCH_DIRECT ? endpoint : proxy.url,
      tokens: tokens.slice(w * per, (w + 1) * per),
      first: w * per,
      total: TOTAL / WORKERS,
      rate: RATE / WORKERS,
    };
    const worker = new Worker(src, { eval: true, workerData: job });
    worker.on('message', (m: FromAgents) => {
      if (m.type === 'made') made[w] = m.n;
      else if (m.type === 'final') void worker.terminate();
      else if (m.type === 'ready') ready++;
      else status[w] = m;
    });
    worker.on('error', (e) => log({ phase: 'worker-error', error: String(e) }));
    return worker;
  });
  const exited = workers.map((w) => new Promise((r) => w.once('exit', r)));
  while (ready < WORKERS) await new Promise((r) => setTimeout(r, 20));
  for (const w of workers) w.postMessage({ type: 'go' });

  const start = Date.now();
  const deadline = start + MAX_MS;
  const restartAt = [TOTAL / 3, (2 * TOTAL) / 3];
  const downtimes: number[] = [];
  let drainedAt = 0;
  let generatedMs = 0;
  let lastTrace = 0;
  for (;;) {
    const sum = made.reduce((s, x) => s + x, 0);
    if (restartAt.length > 0 && sum >= restartAt[0]!) {
      restartAt.shift();
      const t = Date.now();
      await server.close();
      const closeMs = Date.now() - t;
      server = await createServer(serverOptions(port));
      downtimes.push(Date.now() - t);
      log({ phase: 'restart', after_findings: sum, downtime_ms: Date.now() - t, close_ms: closeMs });
    }
    const generating = status.some((s) => !s || s.generating);
    if (!generating && !generatedMs) generatedMs = Date.now() - start;
    const queued = status.reduce((s, x) => s + (x?.queued ?? 1), 0);
    if (!generating && queued === 0 && !drainedAt) drainedAt = Date.now();
    if ((drainedAt && seen.size >= alertsExpected) || Date.now() > deadline) break;
    if (process.env.SOTTO_BENCH_TRACE && Date.now() - lastTrace > 1000) {
      lastTrace = Date.now();
      log({
        phase: 'trace',
        t: lastTrace - start,
        made: sum,
        queued,
        alerts: seen.size,
        gate: server.ingestStats(),
      });
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const elapsedS = ((drainedAt || Date.now()) - start) / 1000;
  for (const w of workers) w.postMessage({ type: 'stop' });
  await Promise.all(exited);
  stopLead.abort();
  await leadDone;

  const counts = await server.database.db
    .selectFrom('findings')
    .select((eb) => [eb.fn.countAll<string>().as('rows'), eb.fn.count<string>('id').distinct().as('ids')])
    .executeTakeFirstOrThrow();
  const stored = Number(counts.ids);
  const duplicates = Number(counts.rows) - stored;
  proxyWorker.postMessage({ type: 'stop' });
  await proxyExited;
  await server.close();
  await cleanup();

  const quantile = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : -1;
  };
  latencies.sort((a, b) => a - b);
  const q = (p: number) => quantile(latencies, p);
  log({
    phase: 'detail',
    generated_ms: generatedMs,
    restarts_downtime_ms: downtimes,
    proxy_dropped_requests: proxy.stats.droppedRequests,
    proxy_dropped_responses: proxy.stats.droppedResponses,
    duplicates_queued: status.reduce((s, x) => s + (x?.duplicatesQueued ?? 0), 0),
    rejected: status.reduce((s, x) => s + (x?.rejected ?? 0), 0),
    alerts_expected: alertsExpected,
    alerts_received: seen.size,
    alert_p50_ms: q(0.5),
    alert_max_ms: latencies.at(-1) ?? -1,
    alert_to_endpoint_p95_ms: quantile(toServer, 0.95),
    alert_endpoint_to_lead_p95_ms: quantile(toLead, 0.95),
    alerts_over_1s: latencies.filter((x) => x > 1000).length,
    timed_out: !drainedAt || seen.size < alertsExpected,
  });
  process.stdout.write(
    JSON.stringify({
      bench: 'sync',
      sent: TOTAL,
      stored,
      lost: TOTAL - stored,
      duplicates,
      findings_per_s: Math.round(stored / elapsedS),
      alert_p95_ms: q(0.95),
      db: kind,
    }) + '\n',
  );
}

async function runProxy(upstreamPort: number): Promise<void> {
  const proxy = await startFlakyProxy({ upstreamPort, drop: () => Math.random() < DROP_SHARE });
  fromMain!.postMessage({ type: 'proxy-ready', url: proxy.url });
  fromMain!.on('message', async (m: { type: string }) => {
    if (m.type !== 'stop') return;
    fromMain!.postMessage({ type: 'proxy-stats', stats: proxy.stats });
    await proxy.close();
    process.exit(0);
  });
}

if (isMainThread) {
  await main();
  process.exit(0);
} else if ((workerData as { role?: string }).role === 'proxy') {
  await runProxy((workerData as { upstreamPort: number }).upstreamPort);
} else {
  await runAgents(workerData as AgentsJob);
}
