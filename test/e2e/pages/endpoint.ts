/**
 * A real QA endpoint for e2e tests (createServer on PGlite in a temporary data directory, seeded
 * with the demo organisation) and the steps that enrol an extension with it, shared by the tests
 * that need one (delivery, lead, sync).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type Database, openDatabase } from '../../../server/db/connect';
import { type RunningServer, createServer } from '../../../server/index';
import { jsonLogger } from '../../../server/log';
import { seedQaDemo } from '../../../server/qa/demo';
import { type DemoCredentials, seedDemo } from '../../../server/seed';

export class TestEndpoint {
  private running: RunningServer | undefined;
  private port = 0;

  private constructor(
    readonly database: Database,
    readonly demo: DemoCredentials,
    readonly password: string,
    private readonly dataDir: string,
  ) {}

  /**
   * Opens a fresh database, seeds the demo organisation (users, teams, enrolment codes) and,
   * with `qaDemo`, scored history with the shipped general rulebook published for each team.
   */
  static async start(opts: {
    name: string;
    password: string;
    qaDemo?: { conversations: number };
  }): Promise<TestEndpoint> {
    const dataDir = mkdtempSync(join(tmpdir(), `sotto-${opts.name}-e2e-`));
    const database = await openDatabase({ dataDir });
    const demo = await seedDemo(database.db, { password: opts.password });
    if (opts.qaDemo) await seedQaDemo(database.db, demo, opts.qaDemo);
    const endpoint = new TestEndpoint(database, demo, opts.password, dataDir);
    await endpoint.restart();
    return endpoint;
  }

  get server(): RunningServer {
    if (!this.running) throw new Error('the endpoint is stopped');
    return this.running;
  }

  get url(): string {
    return this.server.url;
  }

  /** Stops serving (the database stays open); `restart` serves it again on the same port. */
  async stop(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }

  async restart(): Promise<void> {
    this.running = await createServer({
      db: this.database,
      port: this.port,
      host: '127.0.0.1',
      log: jsonLogger('silent'),
    });
    this.port = this.running.port;
  }

  /** Signs a web user in; returns the session cookie header. */
  async login(email: string): Promise<string> {
    const res = await fetch(`${this.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: this.password }),
    });
    if (res.status >= 300) throw new Error(`login as ${email}: HTTP ${res.status}`);
    return res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  }

  /** Enrols a device over the API with a one-time code (as a lead's extension would). */
  async enrolDevice(code: string, deviceName: string): Promise<{ token: string }> {
    const res = await fetch(`${this.url}/v1/devices/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceName }),
    });
    if (!res.ok) throw new Error(`enrol ${deviceName}: HTTP ${res.status}`);
    return (await res.json()) as { token: string };
  }

  async close(): Promise<void> {
    await this.stop().catch(() => {});
    await this.database.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * What an admin would configure (or push by policy): the endpoint and a one-time enrolment code,
 * written from an extension page; the background enrols on the settings change.
 */
export async function enrolExtension(page: Page, endpoint: string, enrolmentCode: string): Promise<void> {
  await page.evaluate((s) => chrome.storage.local.set({ 'sotto:sync-settings': s }), {
    endpoint,
    enrolmentCode,
  });
}

/** Polls `probe` until `ok` (every 100 ms, `tries` times). */
export async function waitFor<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  tries = 600,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
