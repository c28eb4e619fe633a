/**
 * Test harness: a real endpoint on loopback over a real database. Every suite runs on PGlite,
 * and again on PostgreSQL when SOTTO_TEST_PG_URL is set (scripts/pg-test-setup.sh prints one);
 * each suite gets its own fresh PostgreSQL database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { vi } from 'vitest';
import { newId } from '../../../lib/ids';
import type { ConversationMeta, FindingItem } from '../../../lib/sync/protocol';
import { type Database, openDatabase } from '../../../server/db/connect';
import { type CreateServerOptions, type RunningServer, createServer } from '../../../server/index';
import { jsonLogger } from '../../../server/log';
import { type DemoCredentials, seedDemo } from '../../../server/seed';

export type Backend = 'pglite' | 'postgres';
export const BACKENDS: Backend[] = process.env.SOTTO_TEST_PG_URL ? ['pglite', 'postgres'] : ['pglite'];

// Tests wait for real events (SSE, webhooks, escalation windows) and never assert on time; the
// limits here only stop a hung run, and are generous because the two cores are shared.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

/**
 * initdb inside PGlite takes seconds; a migrated data directory is built once, kept in the OS
 * temp dir keyed by the migrations' source, and loaded by each suite in well under a second.
 */
export async function pgliteFromTemplate(): Promise<PGlite> {
  const src = readFileSync(new URL('../../../server/db/migrations.ts', import.meta.url));
  const file = join(
    tmpdir(),
    `sotto-pglite-${createHash('sha256').update(src).digest('hex').slice(0, 16)}.tar`,
  );
  if (!existsSync(file)) {
    const client = await PGlite.create('memory://');
    const { migrate } = await import('../../../server/db/migrations');
    const { Kysely } = await import('kysely');
    const { PGliteDialect } = await import('../../../server/db/pglite-dialect');
    const db = new Kysely<unknown>({ dialect: new PGliteDialect(client) });
    await migrate(db);
    const blob = await client.dumpDataDir('none');
    await db.destroy();
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, file);
  }
  return PGlite.create({ loadDataDir: new Blob([readFileSync(file)]) });
}

export async function openTestDb(backend: Backend): Promise<{ database: Database; drop(): Promise<void> }> {
  if (backend === 'pglite') {
    const database = await openDatabase({ pglite: await pgliteFromTemplate() });
    return { database, drop: () => database.close() };
  }
  const admin = process.env.SOTTO_TEST_PG_URL!;
  const name = `sotto_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  return {
    database,
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  json: any;
  text: string;
}

export interface TestEnv {
  backend: Backend;
  database: Database;
  server: RunningServer;
  url: string;
  demo: DemoCredentials;
  /** The demo agent's and lead's device tokens (enrolled with the seeded codes). */
  agentToken: string;
  leadToken: string;
  /** Session cookies of the seeded web users. */
  cookies: Record<'agent' | 'lead' | 'qa' | 'admin', string>;
  call(
    method: string,
    path: string,
    opts?: { token?: string; cookie?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Reply>;
  restart(extra?: Partial<CreateServerOptions>): Promise<void>;
  close(): Promise<void>;
}

export async function startEnv(backend: Backend, extra: Partial<CreateServerOptions> = {}): Promise<TestEnv> {
  const { database, drop } = await openTestDb(backend);
  const demo = await seedDemo(database.db, { password: 'correct horse battery' });
  const serverOpts = (): CreateServerOptions => ({
    db: database,
    log: jsonLogger('silent'),
    sweepIntervalMs: 20,
    webhooks: { baseMs: 20, capMs: 200, maxAttempts: 5, timeoutMs: 5000 },
    ...extra,
  });
  let server = await createServer(serverOpts());
  const env: TestEnv = {
    backend,
    database,
    server,
    url: server.url,
    demo,
    agentToken: '',
    leadToken: '',
    cookies: { agent: '', lead: '', qa: '', admin: '' },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.cookie) headers.cookie = opts.cookie;
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${env.url}${path}`, { method, headers, body });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json, text };
    },
    async restart(more = {}) {
      await server.close();
      server = await createServer({ ...serverOpts(), ...more, port: server.port });
      env.server = server;
      env.url = server.url;
    },
    async close() {
      await server.close();
      await drop();
    },
  };
  const agent = await env.call('POST', '/v1/devices/enrol', {
    body: { code: demo.enrolmentCodes.agent, deviceName: 'agent laptop' },
  });
  const lead = await env.call('POST', '/v1/devices/enrol', {
    body: { code: demo.enrolmentCodes.lead, deviceName: 'lead laptop' },
  });
  if (agent.status !== 201 || lead.status !== 201)
    throw new Error(`enrol failed: ${agent.text} ${lead.text}`);
  env.agentToken = agent.json.token;
  env.leadToken = lead.json.token;
  for (const role of ['agent', 'lead', 'qa', 'admin'] as const) {
    const r = await env.call('POST', '/v1/auth/login', {
      body: { email: demo.users[role].email, password: 'correct horse battery' },
    });
    if (r.status !== 200) throw new Error(`login ${role}: ${r.text}`);
    env.cookies[role] = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  }
  return env;
}

let convCounter = 0;

export function finding(
  over: Partial<FindingItem['finding']> = {},
  item: Partial<Omit<FindingItem, 'finding'>> = {},
): FindingItem {
  return {
    finding: {
      id: newId(),
      conversationId: `conv-${++convCounter}`,
      ruleId: 'compliance.no-guarantee',
      kind: 'warning',
      severity: 'warning',
      title: '不得承诺收益',
      evidence: [{ seq: 3, start: 0, end: 4, text: '保证收益' }],
      scores: {},
      ts: Date.now(),
      ...over,
    },
    ...item,
  };
}

export function conversation(over: Partial<ConversationMeta> = {}): ConversationMeta {
  return { id: `conv-${++convCounter}`, channel: 'chat', startedAt: Date.now(), ...over };
}

/** Poll until `check` returns a value (for state the server writes after answering). */
/**
 * Polls until `check` gives a value. Gives up after `tries` polls (a minute at the default pace)
 * with an error, so a condition that never comes fails the test instead of hanging it.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  everyMs = 20,
  tries = 3000,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met after ${tries} checks`);
}
