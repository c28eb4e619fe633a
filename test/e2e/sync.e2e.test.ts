/**
 * Findings leave the device redacted and reach the lead: demo desk → extension (analysis, outbox
 * in IndexedDB) → QA endpoint on PGlite → the lead's alert stream. The endpoint is stopped for a
 * while mid-conversation and nothing is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer } from '../fixtures/serve';
import { type Launched, launch } from './harness';
import { Desk } from './pages/desk';
import { TestEndpoint, enrolExtension, waitFor } from './pages/endpoint';
import { SidePanel } from './pages/sidepanel';

let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let endpoint: TestEndpoint;
let l: Launched;
let panel: SidePanel;
let desk: Desk;

async function findingsOf(conversationId: string) {
  return endpoint.database.db
    .selectFrom('findings')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .execute();
}

beforeAll(async () => {
  fixtures = await startFixtureServer({ port: 0 });
  endpoint = await TestEndpoint.start({ name: 'sync', password: 'e2e-password-1' });
  l = await launch();
  panel = await SidePanel.open(l);
  await enrolExtension(panel.page, endpoint.url, endpoint.demo.enrolmentCodes.agent);
  desk = await Desk.open(l.context, fixtures.url);
});

afterAll(async () => {
  await l?.close();
  await endpoint?.close();
  await fixtures?.close();
});

describe('sync to the QA endpoint', () => {
  it('enrols, sends redacted findings once, and alerts the lead', async () => {
    const { conversationId } = await desk.play(
      'billing-en',
      Number.POSITIVE_INFINITY,
      'sync-billing',
      'posted',
    );
    // A threat (a phrase rule, critical) in a turn that also carries the customer's e-mail: its
    // evidence is that turn, so what reaches the endpoint shows whether the device redacted it.
    await desk.customerSays(
      conversationId,
      'If this is not fixed today I will file a chargeback. You can reach me at mark.t@example.com.',
    );
    const rows = await waitFor(
      () => findingsOf(conversationId),
      (r) =>
        r.some((f) => f.rule_key.includes('general.customer-threat')) &&
        r.some((f) => f.rule_key.includes('general.forbidden-promise')),
      'findings on the endpoint',
    );
    const device = await panel.page.evaluate(
      async () => (await chrome.storage.local.get('sotto:device'))['sotto:device'],
    );
    expect(device).toMatchObject({ role: 'agent', userId: endpoint.demo.users.agent.id });
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
        endpoint.database.db
          .selectFrom('alerts')
          .selectAll()
          .where('conversation_id', '=', conversationId)
          .execute(),
      (a) => a.length > 0,
      'a lead alert',
    );
    expect(alerts[0]!.team_id).toBe(endpoint.demo.users.agent.teamIds[0]);
  });

  it('keeps findings queued while the endpoint is down and delivers each exactly once', async () => {
    await endpoint.stop();
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
    await endpoint.restart();
    await panel.page.evaluate(() => chrome.runtime.sendMessage({ type: 'sync-now' }));
    const rows = await waitFor(
      () => findingsOf(conversationId),
      (r) => r.length > 0,
      'findings after the endpoint is back',
    );
    expect(rows.some((r) => r.rule_key.includes('general.forbidden-promise'))).toBe(true);
    // Everything queued has gone (urgent findings may arrive before the rest of the queue).
    const drained = '[data-testid="status-sync"][data-queued="0"][data-error="no"]';
    await panel.page.waitForSelector(drained);
    const delivered = await findingsOf(conversationId);
    expect(delivered.length).toBeGreaterThanOrEqual(rows.length);
    // Send again: ingest is idempotent on the device-made id.
    await panel.page.evaluate(() => chrome.runtime.sendMessage({ type: 'sync-now' }));
    await panel.page.waitForSelector(drained);
    const again = await findingsOf(conversationId);
    expect(new Set(again.map((r) => r.id)).size).toBe(again.length);
    expect(again.length).toBe(delivered.length);
  });
});
