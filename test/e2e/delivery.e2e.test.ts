/**
 * A rulebook published for a team reaches the enrolled extension (issues 9 and 10): endpoint on
 * PGlite, extension enrolled as the demo agent. A QA manager drafts a new rule, shadow-tests and
 * publishes it through the console API; on sync-now the extension's document check fetches it by
 * ETag and the analysis worker swaps its rule set, so a demo-desk message that only the new rule
 * catches shows its warning in the side panel. Then a rulebook that does not compile is published
 * (the document API stores bodies as given): the extension rejects it and keeps the previous one.
 * Last, a script library published for the team is pushed to the extension (no sync-now, no
 * alarm): its script shows as a hint in the open side panel. A team model manifest that narrows the
 * customer's emotion labels and drops intent re-boots the worker's models. Last, with the service
 * worker stopped (and nothing else to wake it), a script library published on the endpoint reaches
 * it through the offscreen document's follow of the push.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer } from '../fixtures/serve';
import { EXTENSION_DIR, type Launched, launch, stopServiceWorkers } from './harness';
import { Desk } from './pages/desk';
import { TestEndpoint, enrolExtension, waitFor } from './pages/endpoint';
import { SidePanel } from './pages/sidepanel';

const TEAM = 'team_shanghai_a';
const NEW_RULE = 'general.refund-delay';
const PHRASE = '退款到现在还没到账';
const CONV = 'delivery-refund';

let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let endpoint: TestEndpoint;
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
  const res = await fetch(`${endpoint.url}${path}`, {
    method,
    headers: { cookie: qaCookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
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

/** The visible conversation's last turn (highest seq), with its emotion and intent labels. */
const lastTurn = () =>
  panel.page.$$eval('[data-testid="conversation"] [data-testid="turn"]', (els) => {
    const last = els.reduce((a, b) =>
      Number(b.getAttribute('data-seq')) > Number(a.getAttribute('data-seq')) ? b : a,
    );
    return {
      speaker: last.getAttribute('data-speaker') ?? '',
      emotion: last.getAttribute('data-emotion') ?? '',
      intent: last.querySelector('[data-testid="intent"]')?.getAttribute('data-intent') ?? '',
    };
  });

interface LogLine {
  ts: number;
  msg: string;
  data?: { via?: string; version?: number };
}

/** The extension's session log, read in one of its pages or its service worker. */
const readLog = (target: Page | Worker = panel.page): Promise<LogLine[]> =>
  (target as Page).evaluate(
    async () => ((await chrome.storage.session.get('sotto:log'))['sotto:log'] ?? []) as LogLine[],
  );

const logLines = async (msg: string) => (await readLog()).filter((line) => line.msg === msg);

/** Until the extension logs `msg` (or a line starting with it). */
const waitForLog = (msg: string, opts: { prefix?: boolean } = {}) =>
  panel.page.waitForFunction(
    ([m, prefix]) =>
      chrome.storage.session
        .get('sotto:log')
        .then((got) =>
          ((got['sotto:log'] ?? []) as { msg: string }[]).some((line) =>
            prefix ? line.msg.startsWith(m) : line.msg === m,
          ),
        ),
    [msg, opts.prefix ?? false] as const,
  );

const ruleFindings = async () => (await panel.readFindings()).filter((f) => f.rule === NEW_RULE);

/** The customer says something in the live conversation; resolves once the panel shows it analysed. */
async function customerSays(text: string): Promise<void> {
  const before = (await panel.readTurns()).length;
  await desk.customerSays(CONV, text);
  await panel.waitForTurns(before + 1, { emotions: true });
}

beforeAll(async () => {
  fixtures = await startFixtureServer({ port: 0 });
  // The QA demo scores the seeded history with the shipped general rulebook and publishes it for each team.
  endpoint = await TestEndpoint.start({
    name: 'delivery',
    password: 'delivery e2e password',
    qaDemo: { conversations: 12 },
  });
  qaCookie = await endpoint.login(endpoint.demo.users.qa.email);
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
    await waitForLog(`team rulebook v${put.json.version} rejected`, { prefix: true });
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
    await waitForLog('document push connected');
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
    const log = await readLog();
    const updated = log.filter((line) => line.msg === 'team script library updated');
    // Heard by the service worker's own follow or forwarded by the offscreen document's: once.
    expect(updated.map((line) => line.data)).toEqual([
      expect.objectContaining({ version: put.json.version, via: expect.stringMatching(/^push/) }),
    ]);
  });

  it("a team model manifest re-boots the worker's models: the customer's emotion labels narrowed, intent dropped", async () => {
    const ANGRY = '你们太过分了，我要去12315投诉你们！';
    await customerSays(ANGRY);
    const before = await lastTurn();
    expect(['angry', 'frustrated']).toContain(before.emotion);
    expect(before.intent).not.toBe('');
    // The manifest the built extension ships; the team may only choose among its files.
    const shipped = JSON.parse(readFileSync(join(EXTENSION_DIR, 'models/manifest.json'), 'utf8')) as {
      version: 1;
      models: { task: string; labelSets?: Record<string, string[]> }[];
    };
    const team = {
      ...shipped,
      models: shipped.models
        .filter((m) => m.task !== 'intent')
        .map((m) => (m.task === 'emotion' ? { ...m, labelSets: { customer: ['neutral', 'positive'] } } : m)),
    };
    const put = await qa('PUT', `/v1/teams/${TEAM}/documents/models`, { body: team });
    expect(put.status).toBe(201);
    // Pushed, validated, stored, and swapped into the running worker: the status line says what runs.
    await panel.page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="status-pipeline"]')?.textContent ?? '';
      return text.includes('emotion@') && !text.includes('intent@');
    });
    expect(await logLines('models swapped')).toHaveLength(1);
    // The same words from the customer now read as one of the labels the team allows, with no intent.
    await customerSays(ANGRY);
    const after = await lastTurn();
    expect(['neutral', 'positive']).toContain(after.emotion);
    expect(after.intent).toBe('');
    // The agent's emotion labels were not narrowed.
    await desk.agentPosts(CONV, '非常抱歉，我马上为您查询退款进度。');
    await panel.waitForTurns((await desk.messages(CONV)).length, { emotions: true });
    expect((await lastTurn()).speaker).toBe('agent');
  });

  it('a script published while the service worker is stopped wakes it through the offscreen document', async () => {
    // The offscreen document (alive: it runs the live conversation's analysis) follows the push
    // and forwards its opening snapshot; the service worker logs each forward.
    await waitForLog('document change pushed by the offscreen document');
    // Nothing else may wake the service worker: the side panel (its port reconnects at once) is
    // closed and the sync alarms are cleared; the service worker makes them again when it starts.
    const sw = await l.serviceWorker();
    await sw.evaluate(async () => {
      for (const a of await chrome.alarms.getAll())
        if (a.name.startsWith('sotto-sync')) await chrome.alarms.clear(a.name);
    });
    const t0 = Date.now();
    const stamp = (what: string) => console.info(`[delivery] ${what}: ${Date.now() - t0} ms`);
    // A mark in this service worker's global scope: a restarted one does not have it.
    await sw.evaluate(() => {
      (globalThis as { sottoBeforeStop?: boolean }).sottoBeforeStop = true;
    });
    // DevTools' ServiceWorker domain is reached from a page of the extension's own origin: a file
    // of the extension with no script, which sends the service worker nothing.
    const quiet = await l.context.newPage();
    await quiet.goto(`chrome-extension://${l.extensionId}/models/manifest.json`);
    await panel.page.close();
    const cdp = await l.cdp();
    const running = async () =>
      ((await cdp.send('Target.getTargets')).targetInfos as { type: string; url: string }[]).some(
        (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${l.extensionId}/`),
      );
    await stopServiceWorkers(l, quiet);
    await waitFor(running, (r) => !r, 'the service worker to stop', 200);
    stamp('service worker stopped');
    const publishedAt = Date.now();
    const put = await qa('PUT', `/v1/teams/${TEAM}/documents/scripts`, {
      body: {
        schemaVersion: 1,
        id: 'team-shanghai-a',
        version: '2026.12.2',
        scripts: [
          {
            id: 'team.refund-timeline',
            title: { zh_CN: '退款到账时间', zh_TW: '退款到賬時間', en: 'Refund: when it arrives' },
            text: {
              zh_CN: '退款已经提交，预计 1 到 3 个工作日到账，到账后我会再通知您。',
              zh_TW: '退款已經提交，預計 1 到 3 個工作日到賬，到賬後我會再通知您。',
              en: 'The refund is submitted and should arrive in 1 to 3 working days; I will let you know.',
            },
            when: { rules: [NEW_RULE] },
            priority: 100,
          },
        ],
      },
    });
    expect(put.status).toBe(201);
    stamp('published');
    // Only the offscreen document's forward can wake it now.
    await waitFor(running, (r) => r, 'the service worker to be started again', 550);
    stamp('service worker started');
    // The restarted instance (Playwright may still list the stopped one): no mark in its scope.
    const fresh = async () => {
      for (const w of l.context.serviceWorkers()) {
        if (!w.url().startsWith(`chrome-extension://${l.extensionId}/`)) continue;
        const mark = await Promise.race([
          w
            .evaluate(() => (globalThis as { sottoBeforeStop?: boolean }).sottoBeforeStop ?? false)
            .catch(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 2000)),
        ]);
        if (!mark) return w;
      }
      return undefined;
    };
    const next = (await waitFor(fresh, (w) => w !== undefined, 'the restarted service worker', 100))!;
    const dumpLog = async () => console.info(JSON.stringify(await readLog(next)).slice(-4000));
    const stored = await waitFor(
      () =>
        next.evaluate(
          async () =>
            (await chrome.storage.local.get('sotto:team-document:scripts'))['sotto:team-document:scripts'] as
              | StoredDoc
              | undefined,
        ),
      (d) => d?.etag === put.json.etag,
      'the new script library stored by the woken service worker',
      300,
    ).catch(async (e: unknown) => {
      await dumpLog();
      throw e;
    });
    stamp('stored');
    expect(stored).toMatchObject({ teamId: TEAM, version: put.json.version });
    console.info(`[delivery] published → stored by the woken service worker: ${Date.now() - publishedAt} ms`);
    // Woken by the offscreen document's forward of this publication.
    const log = await readLog(next);
    expect(
      log.some(
        (line) => line.msg === 'document change pushed by the offscreen document' && line.ts >= publishedAt,
      ),
    ).toBe(true);
    expect(
      log.filter((line) => line.msg === 'team script library updated').map((line) => line.data?.version),
    ).toContain(put.json.version);
    // The panel, opened again, shows the new script as a hint in the live conversation.
    panel = await SidePanel.open(l);
    await panel.select(CONV);
    await panel.waitForHint('script:team.refund-timeline', 60_000);
  });
});
