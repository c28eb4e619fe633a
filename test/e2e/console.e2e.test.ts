/**
 * QA console end to end in plain Chromium over seeded history: filter to angry conversations,
 * open one, see the evidence, override the score; accept an agent's appeal and watch the score
 * and the rule's precision change; a calibration session shows κ; a draft rule is shadow-tested
 * and published and the rulebook endpoint serves it with a new ETag.
 */
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/connect';
import { createServer, type RunningServer } from '../../server/index';
import { jsonLogger } from '../../server/log';
import { seedQaDemo } from '../../server/qa/demo';
import { type DemoCredentials, seedDemo } from '../../server/seed';

const PASSWORD = 'console e2e password';
let server: RunningServer;
let demo: DemoCredentials;
let browser: Browser;

async function signIn(page: Page, who: 'qa' | 'agent', lang: 'zh_CN' | 'en') {
  await page.goto(`${server.url}/console/`);
  await page.evaluate((l) => localStorage.setItem('sotto.lang', l), lang);
  await page.reload();
  await page.fill('input[name=email]', demo.users[who].email);
  await page.fill('input[name=password]', PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('nav[aria-label=pages]');
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `docs/screenshots/console-${name}.png`, type: 'png' });

describe('QA console', () => {
  beforeAll(async () => {
    const b = spawnSync('node', ['scripts/build-console.mjs'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('console build failed');
    const database = await openDatabase({ dataDir: 'memory://' });
    demo = await seedDemo(database.db, { password: PASSWORD });
    await seedQaDemo(database.db, demo, { conversations: 40 });
    server = await createServer({ db: database, log: jsonLogger('silent') });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await server?.database.close();
  });

  it('a QA manager filters to angry conversations, opens one, sees the evidence and overrides the score', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, 'qa', 'zh_CN');
    await page.selectOption('select[name=emotion]', 'angry');
    await page.selectOption('select[name=rule]', 'general.forbidden-promise');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(() => location.search.includes('emotion=angry'));
    await page.waitForSelector('table.list tbody tr');
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
    await page.click('nav[aria-label=pages] >> text=Analytics');
    const prec = page.locator('tr[data-rule="general.agent-rude"] td.prec');
    await prec.waitFor();
    const p0 = await prec.textContent();
    await page.click('nav[aria-label=pages] >> text=Appeals');
    await page.click('tr[data-appeal] >> text=Accept');
    await page.waitForSelector('tr[data-appeal]', { state: 'detached' });
    await page.selectOption('main select', 'accepted');
    await page.waitForSelector('tr[data-appeal]');
    await shot(page, 'appeals-en');
    await page.click('nav[aria-label=pages] >> text=Analytics');
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
    await page.click('nav[aria-label=pages] >> text=Sampling & calibration');
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
    await page.click('nav[aria-label=pages] >> text=规则');
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
});
