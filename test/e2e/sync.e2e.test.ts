/**
 * Findings leave the device redacted and reach the lead: demo desk → extension (analysis, outbox
 * in IndexedDB) → QA endpoint on PGlite → the lead's alert stream. The endpoint is stopped for a
 * while mid-conversation and nothing is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../server/db/connect';
import { type RunningServer, createServer } from '../../server/index';
import { type DemoCredentials, seedDemo } from '../../server/seed';
import { startFixtureServer } from '../fixtures/serve';
import { type Launched, launch } from './harness';
import { Desk } from './pages/desk';
import { SidePanel } from './pages/sidepanel';

let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let dataDir: string;
let database: Database;
let server: RunningServer;
let demo: DemoCredentials;
let l: Launched;
let panel: SidePanel;
let desk: Desk;
let port = 0;

async function startEndpoint(): Promise<void> {
  server = await createServer({ db: database, port, host: '127.0.0.1' });
  port = server.port;
}

async function findingsOf(conversationId: string) {
  return database.db
    .selectFrom('findings')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .execute();
}

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  fixtures = await startFixtureServer({ port: 0 });
  dataDir = mkdtempSync(join(tmpdir(), 'sotto-sync-e2e-'));
  database = await openDatabase({ dataDir });
  demo = await seedDemo(database.db, { password: 'e2e-password-1' });
  await startEndpoint();
  l = await launch();
  panel = await SidePanel.open(l);
  // What an admin would configure (or push by policy): the endpoint and a one-time code.
  await panel.page.evaluate((s) => chrome.storage.local.set({ 'sotto:sync-settings': s }), {
    endpoint: server.url,
    enrolmentCode: demo.enrolmentCodes.agent,
  });
  desk = await Desk.open(l.context, fixtures.url);
});

afterAll(async () => {
  await l?.close();
  await server?.close();
  await database?.close();
  await fixtures?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('sync to the QA endpoint', () => {
  it('enrols, sends redacted findings once, and alerts the lead', async () => {
    const { conversationId } = await desk.play(
      'billing-en',
      Number.POSITIVE_INFINITY,
      'sync-billing',
      'posted',
    );
    const rows = await waitFor(
      () => findingsOf(conversationId),
      (r) => r.some((f) => f.rule_key.includes('general.customer-angry-twice')),
      'findings on the endpoint',
    );
    const device = await panel.page.evaluate(
      async () => (await chrome.storage.local.get('sotto:device'))['sotto:device'],
    );
    expect(device).toMatchObject({ role: 'agent', userId: demo.users.agent.id });
    const settings = await panel.page.evaluate(
      async () => (await chrome.storage.local.get('sotto:sync-settings'))['sotto:sync-settings'],
    );
    expect(settings).not.toHaveProperty('enrolmentCode'); // single-use: not kept
    // Evidence is redacted on the device: the customer's e-mail never reaches the endpoint.
    const bodies = JSON.stringify(rows.map((r) => r.body));
    expect(bodies).not.toContain('mark.t@example.com');
    expect(bodies).toContain('[EMAIL]');
    // Hints stay on the device.
    expect(rows.every((r) => ['warning', 'critical', 'auto-fail'].includes(r.severity))).toBe(true);
    // The lead of the agent's team is alerted.
    const alerts = await waitFor(
      () =>
        database.db.selectFrom('alerts').selectAll().where('conversation_id', '=', conversationId).execute(),
      (a) => a.length > 0,
      'a lead alert',
    );
    expect(alerts[0]!.team_id).toBe(demo.users.agent.teamIds[0]);
  });

  it('keeps findings queued while the endpoint is down and delivers each exactly once', async () => {
    await server.close();
    const { conversationId } = await desk.play(
      'refund-zh-hant',
      Number.POSITIVE_INFINITY,
      'sync-offline',
      'posted',
    );
    // The panel shows the queue and the error in plain words while offline.
    await panel.page.waitForFunction(() =>
      /\d/.test(document.querySelector('[data-testid="status-sync"]')?.textContent ?? ''),
    );
    expect(await findingsOf(conversationId)).toHaveLength(0);
    await startEndpoint();
    await panel.page.evaluate(() => chrome.runtime.sendMessage({ type: 'sync-now' }));
    const rows = await waitFor(
      () => findingsOf(conversationId),
      (r) => r.length > 0,
      'findings after the endpoint is back',
    );
    expect(rows.some((r) => r.rule_key.includes('general.forbidden-promise'))).toBe(true);
    // Send again: ingest is idempotent on the device-made id.
    await panel.page.evaluate(() => chrome.runtime.sendMessage({ type: 'sync-now' }));
    const again = await findingsOf(conversationId);
    expect(new Set(again.map((r) => r.id)).size).toBe(again.length);
    expect(again.length).toBe(rows.length);
  });
});
