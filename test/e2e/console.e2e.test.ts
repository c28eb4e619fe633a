/**
 * QA console end to end in plain Chromium over seeded history: filter to angry conversations,
 * open one, see the evidence, override the score; accept an agent's appeal and watch the score
 * and the rule's precision change; a calibration session shows κ; a draft rule is shadow-tested
 * and published and the rulebook endpoint serves it with a new ETag.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_INTENTS } from '../../lib/label-names';
import { openDatabase } from '../../server/db/connect';
import { createServer, type RunningServer } from '../../server/index';
import { jsonLogger } from '../../server/log';
import { seedQaDemo } from '../../server/qa/demo';
import { PLAIN_CHROMIUM_FLAGS, requireChromium } from './chromium';
import { QaConsole } from './pages/console';
import { type DemoCredentials, seedDemo } from '../../server/seed';

const PASSWORD = 'console e2e password';
let server: RunningServer;
let demo: DemoCredentials;
let browser: Browser;

async function signIn(page: Page, who: 'qa' | 'agent', lang: 'zh_CN' | 'en', dark = false) {
  const qc = new QaConsole(page, server.url);
  await qc.signIn(demo.users[who].email, PASSWORD, { lang, dark });
  return qc;
}

/** The README's console screenshots; SOTTO_SCREENSHOT_DIR sends them elsewhere (a run that should not change them). */
const SHOTS = process.env.SOTTO_SCREENSHOT_DIR ?? 'docs/screenshots';
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${SHOTS}/console-${name}.png`, type: 'png' });

describe('QA console', () => {
  beforeAll(async () => {
    const b = spawnSync('node', ['scripts/build-console.mjs'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('console build failed');
    const database = await openDatabase({ dataDir: 'memory://' });
    demo = await seedDemo(database.db, { password: PASSWORD });
    await seedQaDemo(database.db, demo, { conversations: 40 });
    server = await createServer({ db: database, log: jsonLogger('silent') });
    browser = await chromium.launch({ executablePath: requireChromium(), args: [...PLAIN_CHROMIUM_FLAGS] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await server?.database.close();
  });

  it('a QA manager filters to angry conversations, opens one, sees the evidence and overrides the score', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, 'qa', 'zh_CN');
    // Every customer intent can be filtered on, named as the side panel names it.
    const intents = await page.$$eval('select[name=intent] option', (os) =>
      (os as HTMLOptionElement[]).filter((o) => o.value).map((o) => [o.value, o.textContent]),
    );
    expect(intents.map(([v]) => v)).toEqual([...CUSTOMER_INTENTS]);
    expect(Object.fromEntries(intents)).toMatchObject({
      refund_return: '退款退货',
      greeting_closing: '问候结束语',
    });
    await page.selectOption('select[name=emotion]', 'angry');
    await page.selectOption('select[name=rule]', 'general.forbidden-promise');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(() => location.search.includes('emotion=angry'));
    // The list says when its rows still answer the previous filters.
    await page.waitForSelector('[data-testid="conversation-list"][aria-busy="false"] tbody tr');
    const emotions = await page.$$eval('table.list tbody tr td:last-child', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(emotions.every((e) => e === '愤怒')).toBe(true);
    await shot(page, 'list-zh');
    await page.click('table.list tbody tr:first-child a');
    await page.waitForSelector('ul.findings');
    expect(await page.textContent('ul.findings')).toMatch(/保证|一定/);
    expect(await page.locator('ol.transcript mark').count()).toBeGreaterThan(0);
    await page.fill('input[name=override]', '35');
    await page.fill('textarea[name=comment]', '承诺退款时间，违规');
    await page.click('form[aria-label="人工复核"] button[type=submit]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=final-score]')?.textContent === '35',
    );
    expect(await page.textContent('ul.audit')).toContain('review');
    await shot(page, 'conversation-zh');
    await page.close();
  });

  it('an agent appeal is accepted and the score and the rule precision change', async () => {
    const agentCtx = await browser.newContext();
    const agent = await agentCtx.newPage();
    await signIn(agent, 'agent', 'en');
    const { findingId, conversationId, before } = await agent.evaluate(async () => {
      const list = await (
        await fetch('/v1/qa/conversations?rule=general.agent-rude&reviewed=false&pageSize=1')
      ).json();
      const c = await (await fetch(`/v1/qa/conversations/${list.rows[0].id}`)).json();
      const f = c.findings.find((x: { ruleId: string }) => x.ruleId === 'general.agent-rude');
      const r = await fetch('/v1/qa/appeals', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ findingId: f.id, reason: 'I was quoting the customer' }),
      });
      if (r.status !== 201) throw new Error(await r.text());
      return {
        findingId: f.id as string,
        conversationId: c.conversation.id as string,
        before: c.conversation.score as number,
      };
    });
    expect(findingId).toBeTruthy();
    await agentCtx.close();

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, 'qa', 'en');
    await page.click('header nav.pages >> text=Analytics');
    const prec = page.locator('tr[data-rule="general.agent-rude"] td.prec');
    await prec.waitFor();
    const p0 = await prec.textContent();
    await page.click('header nav.pages >> text=Appeals');
    await page.click('tr[data-appeal] >> text=Accept');
    await page.waitForSelector('tr[data-appeal]', { state: 'detached' });
    await page.selectOption('main select', 'accepted');
    await page.waitForSelector('tr[data-appeal]');
    await shot(page, 'appeals-en');
    await page.click('header nav.pages >> text=Analytics');
    await page.waitForFunction(
      (p) => document.querySelector('tr[data-rule="general.agent-rude"] td.prec')?.textContent !== p,
      p0,
    );
    const p1 = await prec.textContent();
    expect(Number.parseFloat(p1!)).toBeLessThan(Number.parseFloat(p0!));
    await shot(page, 'analytics-en');
    await page.goto(`${server.url}/console/c/${conversationId}`);
    await page.waitForSelector('[data-testid=final-score]');
    expect(Number(await page.textContent('[data-testid=final-score]'))).toBeGreaterThan(before);
    expect(await page.locator('ul.findings li.voided').count()).toBe(1);
    await page.close();
  });

  it('a calibration session shows κ', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, 'qa', 'en');
    const ids = await page.evaluate(async () =>
      (await (await fetch('/v1/qa/conversations?pageSize=4')).json()).rows.map((r: { id: string }) => r.id),
    );
    await page.click('header nav.pages >> text=Sampling & calibration');
    await page.fill('input[name=name]', 'Weekly calibration');
    await page.fill('input[name=ids]', ids.join(', '));
    await page.check(`input[name=reviewers][value="${demo.users.qa.id}"]`);
    await page.check(`input[name=reviewers][value="${demo.users.admin.id}"]`);
    await page.click('text=New session');
    await page.waitForSelector('[data-testid=calibration]');
    const sessionId = await page.evaluate(
      async () => (await (await fetch('/v1/qa/calibrations')).json()).sessions[0].id,
    );
    const inputs = page.locator('[data-testid=calibration] input[type=number]');
    const mine = [40, 90, 70, 95];
    for (let i = 0; i < 4; i++) {
      await inputs.nth(i).fill(String(mine[i]));
      await inputs.nth(i).press('Tab');
    }
    // The second reviewer rates through the API in their own session.
    const adminCtx = await browser.newContext();
    const admin = await adminCtx.newPage();
    await admin.goto(`${server.url}/console/`);
    await admin.evaluate(
      async ({ email, password, sessionId, ids }) => {
        await fetch('/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
        });
        const scores = [35, 88, 75, 40];
        for (let i = 0; i < ids.length; i++)
          await fetch(`/v1/qa/calibrations/${sessionId}/ratings`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ conversationId: ids[i], score: scores[i] }),
          });
      },
      { email: demo.users.admin.email, password: PASSWORD, sessionId, ids },
    );
    await adminCtx.close();
    await page.fill('[data-testid=calibration] input[type=number] >> nth=0', '41');
    await page.press('[data-testid=calibration] input[type=number] >> nth=0', 'Tab');
    await page.waitForFunction(() => document.querySelector('[data-testid=kappa]')?.textContent !== '—');
    const k = Number(await page.textContent('[data-testid=kappa]'));
    expect(k).toBeGreaterThan(0);
    expect(k).toBeLessThan(1);
    await shot(page, 'calibration-en');
    await page.close();
  });

  it('a draft rule is shadow-tested and published, and the rulebook endpoint serves it with a new ETag', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, 'qa', 'zh_CN');
    await page.click('header nav.pages >> text=规则');
    await page.waitForSelector('[data-testid=live-version] code');
    await page.selectOption('main select', 'team_shanghai_a');
    await page.waitForFunction(async () => {
      const r = await (await fetch('/v1/qa/rules/team_shanghai_a')).json();
      return document.querySelector('[data-testid=live-version] code')?.textContent === r.live.etag;
    });
    const etag0 = await page.textContent('[data-testid=live-version] code');
    const draft = JSON.parse(await page.inputValue('textarea.code'));
    draft.version = '2026.12.2';
    draft.rules.push({
      ...draft.rules[0],
      id: 'general.refund-delay',
      scope: { speaker: 'customer' },
      when: { type: 'phrase', phrases: ['退款到现在还没到账'] },
    });
    await page.fill('textarea.code', JSON.stringify(draft, null, 2));
    await page.click('text=影子测试');
    await page.waitForSelector('[data-testid=shadow]');
    expect(await page.textContent('[data-testid=shadow]')).toMatch(/general\.refund-delay added 0 → [1-9]/);
    await shot(page, 'rules-zh');
    await page.click('text=发布');
    await page.waitForFunction((e) => {
      const c = document.querySelector('[data-testid=live-version] code')?.textContent;
      return c && c !== e;
    }, etag0);
    const etag1 = await page.textContent('[data-testid=live-version] code');
    // What the extension polls: the team's rulebook by ETag.
    const res = await page.evaluate(async (e) => {
      const r = await fetch('/v1/teams/team_shanghai_a/documents/rulebook', {
        headers: { 'if-none-match': e },
      });
      return { status: r.status, etag: r.headers.get('etag'), body: await r.json() };
    }, etag0!);
    expect(res.status).toBe(200);
    expect(res.etag).toBe(etag1);
    expect(res.body.body.rules.some((r: { id: string }) => r.id === 'general.refund-delay')).toBe(true);
    await page.close();
  });

  it('every page passes axe (no serious or critical) in light and dark, zh and en, on a laptop and a large monitor', async () => {
    const convId = await (async () => {
      const p = await browser.newPage();
      await signIn(p, 'qa', 'en');
      const id = await p.evaluate(
        async () => (await (await fetch('/v1/qa/conversations?emotion=angry&pageSize=1')).json()).rows[0].id,
      );
      await p.close();
      return id as string;
    })();
    const PAGES: [name: string, path: string, ready: string][] = [
      ['list', '', 'table.list tbody tr'],
      ['conversation', `c/${encodeURIComponent(convId)}`, '[data-testid=timeline] .plot canvas'],
      ['review', 'review', 'form.filters'],
      ['appeals', 'appeals', 'table.list'],
      ['analytics', 'analytics', '[data-testid=chart-score] .plot canvas'],
      ['coaching', 'coaching', 'main h2'],
      ['rules', 'rules', '[data-testid=live-version]'],
      ['scorecards', 'scorecards', 'table.list tbody tr'],
    ];
    const LAPTOP = { width: 1366, height: 768 };
    const MONITOR = { width: 2560, height: 1440 };
    // Each page in four runs: every language, theme and width is met on every page.
    const RUNS = [
      { lang: 'zh_CN', dark: false, viewport: LAPTOP, shot: 'zh' },
      { lang: 'zh_CN', dark: true, viewport: MONITOR, shot: null },
      { lang: 'en', dark: false, viewport: MONITOR, shot: null },
      { lang: 'en', dark: true, viewport: LAPTOP, shot: 'en-dark' },
    ] as const;
    const problems: string[] = [];
    for (const run of RUNS) {
      const ctx = await browser.newContext({ viewport: run.viewport });
      const page = await ctx.newPage();
      const qc = await signIn(page, 'qa', run.lang, run.dark);
      const label = `${run.lang} ${run.dark ? 'dark' : 'light'} ${run.viewport.width}px`;
      const login = await browser.newPage({ viewport: run.viewport });
      await login.goto(`${server.url}/console/`);
      await login.waitForSelector('form.login');
      for (const v of await new QaConsole(login, server.url).axe())
        problems.push(`${label} login: ${JSON.stringify(v)}`);
      await login.close();
      for (const [name, path, ready] of PAGES) {
        await qc.open(path, ready);
        expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(run.dark);
        for (const v of await qc.axe()) problems.push(`${label} ${name}: ${JSON.stringify(v)}`);
        const over = await qc.overflowX();
        if (over > 1) problems.push(`${label} ${name}: scrolls ${over}px sideways`);
        if (run.shot) await shot(page, `page-${name}-${run.shot}`);
      }
      await ctx.close();
    }
    expect(problems).toEqual([]);
  });

  it('is keyboard-usable: skip link, visible focus in tab order, navigation and the chart table by keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const qc = await signIn(page, 'qa', 'en', true);
    await qc.open('analytics', '[data-testid=chart-score] .plot canvas');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Tab');
    expect(await qc.focused()).toMatchObject({ tag: 'a', text: 'Skip to main content', outline: true });
    // Through the header: every stop shows a focus ring, and the page links come in reading order.
    const stops: string[] = [];
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      const f = await qc.focused();
      expect(f.outline, `focus ring on ${f.tag} "${f.text}"`).toBe(true);
      stops.push(f.text);
    }
    expect(stops.slice(0, 7)).toEqual([
      'Conversations',
      'Sampling & calibration',
      'Appeals',
      'Analytics',
      'Coaching',
      'Rules',
      'Scorecards',
    ]);
    // Enter on a focused page link navigates.
    await page.focus('header nav.pages a[href="/console/appeals"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.pathname === '/console/appeals');
    // The chart's data as a table, by keyboard alone.
    await qc.open('analytics', '[data-testid=chart-angry] .plot canvas');
    const label = await page.getAttribute('[data-testid=chart-angry] .plot', 'aria-label');
    expect(label).toMatch(/^Angry and failed conversations per day\. .+; Failed: /);
    await page.focus('[data-testid=chart-angry] figcaption button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=chart-angry] table');
    const daily = await page.evaluate(async () => (await (await fetch('/v1/qa/analytics')).json()).daily);
    expect(await page.locator('[data-testid=chart-angry] tbody tr').count()).toBe(daily.length);
    expect(await page.getAttribute('[data-testid=chart-angry] figcaption button', 'aria-pressed')).toBe(
      'true',
    );
    await page.close();
  });

  it('exports the filtered list and the analytics tables from the console as XLSX and CSV', async () => {
    const ctx = await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 768 } });
    const page = await ctx.newPage();
    await signIn(page, 'qa', 'zh_CN');
    // Chosen while the list may still be loading: its arrival must not reset the choice.
    await page.selectOption('select[name=emotion]', 'angry');
    await page.waitForSelector('[data-testid="conversation-list"][aria-busy="false"]');
    expect(await page.inputValue('select[name=emotion]')).toBe('angry');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(() => location.search.includes('emotion=angry'));
    const total = await page.evaluate(
      async () => (await (await fetch('/v1/qa/conversations?emotion=angry')).json()).total as number,
    );
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('.exports a >> text=XLSX')]);
    expect(xlsx.suggestedFilename()).toBe('sotto-conversations.xlsx');
    const rows = await readSheet(readFileSync((await xlsx.path())!));
    expect(rows[0]?.[0]).toBe('会话');
    expect(rows.length - 1).toBe(total);
    expect(rows.slice(1).every((r) => r[rows[0]!.indexOf('情绪')] === 'angry')).toBe(true);
    await page.click('header nav.pages >> text=分析');
    await page.waitForSelector('[data-testid=chart-rules] .plot canvas');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.click('.exports:has-text("规则") a >> text=CSV'),
    ]);
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text.startsWith('\uFEFF规则,命中,会话数,误报,准确率')).toBe(true);
    await ctx.close();
  });
});
