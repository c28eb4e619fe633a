/**
 * Lead mode against a real endpoint: demo desk → the agent's extension (analysis, IndexedDB
 * outbox) → QA endpoint (createServer on PGlite) → a second browser whose side panel is in lead
 * mode. The lead sees the alert with agent, conversation, evidence link and age, filters by
 * severity, acknowledges and adds a note. The agent's "this is wrong" and appeal reach the
 * endpoint through the outbox, and QA's decision on the appeal shows in the agent's panel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer } from '../fixtures/serve';
import { type Launched, launch } from './harness';
import { Desk } from './pages/desk';
import { TestEndpoint, enrolExtension, waitFor } from './pages/endpoint';
import { SidePanel } from './pages/sidepanel';

let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let endpoint: TestEndpoint;
let agent: Launched;
let lead: Launched;
let agentPanel: SidePanel;
let leadPanel: SidePanel;
let conversationId: string;

beforeAll(async () => {
  fixtures = await startFixtureServer({ port: 0 });
  endpoint = await TestEndpoint.start({ name: 'lead', password: 'e2e-password-1' });
  agent = await launch({ locale: 'en-US' });
  agentPanel = await SidePanel.open(agent);
  await enrolExtension(agentPanel.page, endpoint.url, endpoint.demo.enrolmentCodes.agent);
  // The lead: a second browser profile, its device enrolled with the lead's code.
  const leadDevice = await endpoint.enrolDevice(endpoint.demo.enrolmentCodes.lead, 'lead laptop');
  lead = await launch({ locale: 'en-US' });
  leadPanel = await SidePanel.open(lead);
  await leadPanel.page.evaluate((s) => chrome.storage.local.set({ 'sotto:panel-settings': s }), {
    lang: 'en',
    quiet: true,
    mode: 'lead',
    endpoint: endpoint.url,
    token: leadDevice.token,
  });
  await leadPanel.page.reload();
  await leadPanel.page.waitForSelector('[data-testid="lead"]');
  const desk = await Desk.open(agent.context, fixtures.url);
  ({ conversationId } = await desk.play('billing-en', Number.POSITIVE_INFINITY, 'lead-billing', 'posted'));
});

afterAll(async () => {
  await agent?.close();
  await lead?.close();
  await endpoint?.close();
  await fixtures?.close();
});

describe('lead mode with a real endpoint', () => {
  it('shows the pushed alert with agent, conversation, evidence and age; filters; acknowledges and notes', async () => {
    const rows = await waitFor(
      () =>
        endpoint.database.db
          .selectFrom('alerts')
          .selectAll()
          .where('conversation_id', '=', conversationId)
          .execute(),
      (a) => a.length > 0,
      'an alert on the endpoint',
    );
    const alert = leadPanel.page.locator(`[data-testid="alert"][data-alert="${rows[0]!.id}"]`);
    await alert.waitFor({ timeout: 30_000 });
    const text = (await alert.textContent()) ?? '';
    expect(text).toContain(conversationId);
    expect(text).toContain(endpoint.demo.users.agent.id);
    expect(await alert.locator('[data-testid="alert-age"]').textContent()).toMatch(/\d/);
    expect(await alert.locator('[data-testid="alert-evidence"]').count()).toBe(1);
    expect(await alert.getAttribute('data-severity')).toBe(rows[0]!.severity);

    // Severity filter (more alerts may still arrive while it runs: compare what was shown).
    const RANK = ['info', 'hint', 'warning', 'critical', 'auto-fail'];
    const shown = () =>
      leadPanel.page.$$eval('[data-testid="alert"]', (els) =>
        els.map((e) => ({ id: e.getAttribute('data-alert')!, severity: e.getAttribute('data-severity')! })),
      );
    const before = await shown();
    const top = RANK[Math.max(...before.map((a) => RANK.indexOf(a.severity)))]!;
    await leadPanel.page.locator('[data-testid="lead-filter"]').selectOption(top);
    const filtered = await shown();
    expect(filtered.every((a) => RANK.indexOf(a.severity) >= RANK.indexOf(top))).toBe(true);
    const ids = new Set(filtered.map((a) => a.id));
    for (const a of before.filter((x) => x.severity === top)) expect(ids.has(a.id)).toBe(true);
    for (const a of before.filter((x) => x.severity !== top)) expect(ids.has(a.id)).toBe(false);
    await leadPanel.page.locator('[data-testid="lead-filter"]').selectOption('all');
    const again = new Set((await shown()).map((a) => a.id));
    for (const a of before) expect(again.has(a.id)).toBe(true);

    // Acknowledge from the keyboard, then add a note.
    await alert.locator('[data-testid="alert-ack"]').focus();
    await leadPanel.page.keyboard.press('Enter');
    await alert.locator('[data-testid="alert-ack"]').waitFor({ state: 'detached' });
    await alert.locator('[data-testid="alert-note"]').click();
    await alert.locator('[data-testid="alert-note-input"]').fill('called the customer back');
    await alert.locator('[data-testid="alert-note-save"]').click();
    await alert.locator('[data-testid="alert-note-text"]').waitFor();
    expect(await alert.locator('[data-testid="alert-note-text"]').textContent()).toBe(
      'called the customer back',
    );
    const kept = await leadPanel.storedFeedback();
    expect(kept.map((e) => e.type)).toEqual(expect.arrayContaining(['lead-ack', 'note']));
    expect(await leadPanel.axe()).toEqual([]);
  });

  it("sends the agent's 'this is wrong' and appeal to the endpoint and shows QA's decision", async () => {
    await agentPanel.select(conversationId);
    await agentPanel.waitForFinding('general.customer-angry-twice');
    await agentPanel.markWrong('general.customer-angry-twice', 'the customer was joking');
    // A finding of the transcript's analysis, the one just marked wrong: a formal appeal too.
    const mine = agentPanel.page
      .locator('[data-testid="my-finding"][data-rule="general.customer-angry-twice"]')
      .first();
    await mine.locator('[data-testid="appeal"]').click();
    await mine.locator('[data-testid="appeal-reason"]').fill('I followed the script');
    await mine.locator('[data-testid="appeal-send"]').click();
    const rule = (await mine.getAttribute('data-rule')) ?? '';

    const feedback = await waitFor(
      () =>
        endpoint.database.db
          .selectFrom('qa_feedback' as never)
          .selectAll()
          .where('conversation_id' as never, '=', conversationId as never)
          .execute() as Promise<{ reason: string | null }[]>,
      (r) => r.length > 0,
      '"this is wrong" on the endpoint',
    );
    expect(feedback[0]!.reason).toBe('the customer was joking');
    const appeals = await waitFor(
      () =>
        endpoint.database.db
          .selectFrom('qa_appeals' as never)
          .selectAll()
          .where('conversation_id' as never, '=', conversationId as never)
          .execute() as Promise<{ id: string; reason: string; rule_key: string }[]>,
      (r) => r.length > 0,
      'the appeal on the endpoint',
    );
    expect(appeals[0]!.reason).toBe('I followed the script');
    expect(appeals[0]!.rule_key).toContain(rule);
    // The panel marks it delivered once the service worker reports the sync.
    await agentPanel.page.waitForSelector(
      '[data-testid="appeal-state"][data-state="sent"], [data-testid="appeal-state"][data-state="pending"]',
    );

    const cookie = await endpoint.login(endpoint.demo.users.qa.email);
    const decide = await fetch(`${endpoint.url}/v1/qa/appeals/${appeals[0]!.id}/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ decision: 'reject', comment: 'the second warning came after the apology' }),
    });
    expect(decide.status).toBe(200);
    // QA rejects it with a comment; the open panel shows it after its next sync report.
    const state = agentPanel.page.locator('[data-testid="appeal-state"][data-state="rejected"]');
    for (let i = 0; i < 20 && !(await state.count()); i++) {
      await agentPanel.page.evaluate(() => chrome.runtime.sendMessage({ type: 'sync-now' }));
      await agentPanel.page.waitForTimeout(2000);
    }
    await state.waitFor({ timeout: 10_000 });
    expect(await state.textContent()).toContain('QA: the second warning came after the apology');
    // Everything delivered: the status line has nothing waiting.
    await agentPanel.page.waitForSelector('[data-testid="status-sync"][data-queued="0"][data-error="no"]');
  });
});
