/**
 * A rulebook published for a team reaches the enrolled extension (issues 9 and 10): endpoint on
 * PGlite, extension enrolled as the demo agent. A QA manager drafts a new rule, shadow-tests and
 * publishes it through the console API; on sync-now the extension's document check fetches it by
 * ETag and the analysis worker swaps its rule set, so a demo-desk message that only the new rule
 * catches shows its warning in the side panel. Then a rulebook that does not compile is published
 * (the document API stores bodies as given): the extension rejects it and keeps the previous one.
 * Last, a script library published for the team is pushed to the extension (no sync-now, no
 * alarm): its script shows as a hint in the open side panel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../server/db/connect';
import { type RunningServer, createServer } from '../../server/index';
import { jsonLogger } from '../../server/log';
import { seedQaDemo } from '../../server/qa/demo';
import { type DemoCredentials, seedDemo } from '../../server/seed';
import { startFixtureServer } from '../fixtures/serve';
import { type Launched, launch } from './harness';
import { Desk } from './pages/desk';
import { SidePanel } from './pages/sidepanel';

const PASSWORD = 'delivery e2e password';
const TEAM = 'team_shanghai_a';
const NEW_RULE = 'general.refund-delay';
const PHRASE = '退款到现在还没到账';
const CONV = 'delivery-refund';

let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let dataDir: string;
let database: Database;
let server: RunningServer;
let demo: DemoCredentials;
let l: Launched;
let panel: SidePanel;
let desk: Desk;
let qaCookie = '';

interface StoredDoc {
  version: number;
  etag: string;
  teamId: string;
}

async function qa(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { cookie: qaCookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const syncNow = () => panel.page.evaluate(() => chrome.runtime.sendMessage({ type: 'sync-now' }));

const storedRulebook = () =>
  panel.page.evaluate(
    async () =>
      (await chrome.storage.local.get('sotto:team-document:rulebook'))['sotto:team-document:rulebook'] as
        | StoredDoc
        | undefined,
  );

const pipelineText = () => panel.page.textContent('[data-testid="status-pipeline"]');

const ruleFindings = async () => (await panel.readFindings()).filter((f) => f.rule === NEW_RULE);

/** The customer says something in the live conversation; resolves once the panel shows it analysed. */
async function customerSays(text: string): Promise<void> {
  const before = (await panel.readTurns()).length;
  await desk.customerSays(CONV, text);
  await panel.waitForTurns(before + 1, { emotions: true });
}

beforeAll(async () => {
  fixtures = await startFixtureServer({ port: 0 });
  dataDir = mkdtempSync(join(tmpdir(), 'sotto-delivery-e2e-'));
  database = await openDatabase({ dataDir });
  demo = await seedDemo(database.db, { password: PASSWORD });
  // Scores the seeded history with the shipped general rulebook and publishes it for each team.
  await seedQaDemo(database.db, demo, { conversations: 12 });
  server = await createServer({ db: database, port: 0, host: '127.0.0.1', log: jsonLogger('silent') });
  const login = await fetch(`${server.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demo.users.qa.email, password: PASSWORD }),
  });
  expect(login.status).toBeLessThan(300);
  qaCookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  l = await launch();
  panel = await SidePanel.open(l);
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

describe('team rulebook delivery', () => {
  it("after enrolment the worker runs the team's published rulebook", async () => {
    await syncNow();
    const live = (await qa('GET', `/v1/qa/rules/${TEAM}`)).json.live;
    // Enrolment runs the first document check (the settings change and sync-now both flush).
    await waitFor(storedRulebook, (d) => d?.etag === live.etag, 'the team rulebook on the device');
    expect(await storedRulebook()).toMatchObject({ teamId: TEAM, version: live.version });
    // A live conversation; its customer complains in words no published rule knows yet.
    await desk.play('billing-en', Number.POSITIVE_INFINITY, CONV, 'posted');
    await panel.select(CONV);
    await panel.waitForTurns((await desk.messages(CONV)).length, { emotions: true });
    await customerSays(`我的${PHRASE}，怎么回事？`);
    // The team's set runs instead of every shipped rulebook (those are for unenrolled devices).
    await panel.page.waitForFunction((v) => {
      const text = document.querySelector('[data-testid="status-pipeline"]')?.textContent ?? '';
      return text.includes(v) && !/finance@|telecom@|ecommerce@/.test(text);
    }, `general@${live.body.version}`);
    expect(await ruleFindings()).toEqual([]);
  });

  it('a draft rule shadow-tested and published reaches the live conversation on the next check', async () => {
    const live = (await qa('GET', `/v1/qa/rules/${TEAM}`)).json.live;
    const draft = structuredClone(live.body);
    draft.version = '2026.12.30';
    draft.rules.push({
      ...draft.rules[0],
      id: NEW_RULE,
      name: { zh_CN: '退款迟迟未到账', zh_TW: '退款遲遲未到賬', en: 'Refund still not received' },
      scope: { speaker: 'customer' },
      when: { type: 'phrase', phrases: [PHRASE] },
      actions: {
        warning: {
          text: {
            zh_CN: '客户退款未到账：先致歉，再给出到账时间。',
            zh_TW: '客戶退款未到賬：先致歉，再給出到賬時間。',
            en: 'Refund not received: apologise, then give the date it arrives.',
          },
        },
      },
    });
    const saved = await qa('PUT', `/v1/qa/rules/${TEAM}/draft`, { rulebook: draft });
    expect(saved.json.valid).toBe(true);
    const shadow = await qa('POST', `/v1/qa/rules/${TEAM}/shadow`, {});
    expect(shadow.status).toBe(200);
    expect(shadow.json.conversations).toBeGreaterThan(0);
    const published = await qa('POST', `/v1/qa/rules/${TEAM}/publish`, {});
    expect(published.status).toBeLessThan(300);

    // The sync-now message runs the same check the sotto-sync alarm runs.
    await syncNow();
    await panel.page.waitForFunction(
      (v) => document.querySelector('[data-testid="status-pipeline"]')?.textContent?.includes(v),
      'general@2026.12.30',
    );
    expect(await storedRulebook()).toMatchObject({
      version: published.json.version,
      etag: published.json.etag,
    });
    expect(await pipelineText()).not.toContain(`general@${live.body.version}`);
    // The conversation was live before the swap: its next message is checked by the new rule.
    await customerSays(`都一个星期了，${PHRASE}！`);
    await panel.waitForFinding(NEW_RULE);
    const found = await ruleFindings();
    expect(found).toHaveLength(1);
    expect(found[0]!.evidence.join(' ')).toContain(PHRASE);
  });

  it('a published rulebook that does not compile is rejected and the previous one keeps running', async () => {
    const before = await storedRulebook();
    const live = (await qa('GET', `/v1/qa/rules/${TEAM}`)).json.live;
    const broken = structuredClone(live.body);
    broken.version = '2026.12.31';
    broken.rules[0].when = { type: 'regex', pattern: '(a+)+b' };
    // The console's publish refuses an invalid draft; the document API stores a body as given.
    const put = await qa('PUT', `/v1/teams/${TEAM}/documents/rulebook`, { body: broken });
    expect(put.status).toBe(201);
    await syncNow();
    await panel.page.waitForFunction(
      (v) =>
        chrome.storage.session
          .get('sotto:log')
          .then((got) =>
            ((got['sotto:log'] ?? []) as { msg: string }[]).some((line) =>
              line.msg.startsWith(`team rulebook v${v} rejected`),
            ),
          ),
      put.json.version,
    );
    expect(await storedRulebook()).toEqual(before);
    expect(await pipelineText()).toContain('general@2026.12.30');
    expect(await pipelineText()).not.toContain('general@2026.12.31');
    await customerSays(`${PHRASE}，我要投诉`);
    await panel.page.waitForFunction(
      (rule) =>
        document.querySelectorAll(`[data-testid="conversation"] [data-testid="finding"][data-rule="${rule}"]`)
          .length >= 2,
      NEW_RULE,
    );
  });

  it('a script library published for the team is pushed and shows as a hint in the open panel', async () => {
    const library = {
      schemaVersion: 1,
      id: 'team-shanghai-a',
      version: '2026.12.1',
      scripts: [
        {
          id: 'team.refund-delay',
          title: { zh_CN: '退款延迟安抚', zh_TW: '退款延遲安撫', en: 'Refund delay: reassure' },
          text: {
            zh_CN: '非常抱歉让您久等，我马上为您查询退款进度。',
            zh_TW: '非常抱歉讓您久等，我馬上為您查詢退款進度。',
            en: 'Sorry for the wait; I am checking where your refund is right now.',
          },
          when: { rules: [NEW_RULE] },
          priority: 100,
        },
      ],
    };
    // The service worker follows the endpoint's document stream.
    await panel.page.waitForFunction(() =>
      chrome.storage.session
        .get('sotto:log')
        .then((got) =>
          ((got['sotto:log'] ?? []) as { msg: string }[]).some(
            (line) => line.msg === 'document push connected',
          ),
        ),
    );
    const put = await qa('PUT', `/v1/teams/${TEAM}/documents/scripts`, { body: library });
    expect(put.status).toBe(201);
    // No sync-now: the endpoint's document stream tells the service worker, which fetches,
    // validates and stores the library; the panel merges it over the shipped scripts.
    await panel.waitForHint('script:team.refund-delay', 120_000);
    const hint = (await panel.readHints()).find((h) => h.id === 'script:team.refund-delay');
    expect(hint?.text).toMatch(/退款|refund/);
    const stored = await panel.page.evaluate(
      async () =>
        (await chrome.storage.local.get('sotto:team-document:scripts'))['sotto:team-document:scripts'] as
          | StoredDoc
          | undefined,
    );
    expect(stored).toMatchObject({ teamId: TEAM, version: put.json.version, etag: put.json.etag });
    // It came by the push, not by the minute alarm's check.
    const log = await panel.page.evaluate(
      async () =>
        ((await chrome.storage.session.get('sotto:log'))['sotto:log'] ?? []) as {
          msg: string;
          data?: { via?: string; version?: number };
        }[],
    );
    const updated = log.filter((line) => line.msg === 'team script library updated');
    expect(updated.map((line) => line.data)).toEqual([
      expect.objectContaining({ version: put.json.version, via: 'push' }),
    ]);
  });
});
