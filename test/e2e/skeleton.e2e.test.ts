/**
 * The walking skeleton end to end: demo desk → content script → background → offscreen worker
 * (ONNX emotion model + rule engine) → side panel, in Debian's Chromium with the production build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer } from '../fixtures/serve';
import { type Launched, launch, stopServiceWorkers } from './harness';
import { consoleScriptRegistered, waitForConsoleScript } from './pages/attached';
import { Desk } from './pages/desk';
import { SidePanel } from './pages/sidepanel';

let server: Awaited<ReturnType<typeof startFixtureServer>>;
let l: Launched;
let panel: SidePanel;
let desk: Desk;

beforeAll(async () => {
  server = await startFixtureServer({ port: 0 });
  l = await launch();
  panel = await SidePanel.open(l);
  desk = await Desk.open(l.context, server.url);
});

afterAll(async () => {
  await l?.close();
  await server?.close();
});

async function expectPanelMatchesDesk(conversationId: string): Promise<void> {
  const expected = (await desk.messages(conversationId)).filter((m) => m.text.trim() !== '');
  await panel.select(conversationId);
  await panel.waitForTurns(expected.length, { emotions: true });
  const turns = await panel.readTurns();
  expect(turns.map((t) => t.speaker)).toEqual(expected.map((m) => m.speaker));
  expect(turns.map((t) => t.text)).toEqual(expected.map((m) => m.text));
  expect(turns.map((t) => t.seq)).toEqual(expected.map((_, i) => i));
  for (const t of turns) {
    if (t.speaker === 'system') expect(t.emotion).toBe('');
    else expect(['angry', 'frustrated', 'neutral', 'positive']).toContain(t.emotion);
  }
}

describe('demo desk to side panel', () => {
  it('shows zh-Hans, zh-Hant and en turns with speaker, order and an emotion label', async () => {
    const all = await desk.scenarios();
    const picks = ['zh-Hans', 'zh-Hant', 'en'].map((lang) => all.find((s) => s.lang === lang));
    for (const s of picks) expect(s, 'a scenario per language').toBeDefined();
    const played: string[] = [];
    for (const s of picks)
      played.push((await desk.play(s!.id, Number.POSITIVE_INFINITY, undefined, 'posted')).conversationId);
    for (const c of played) await expectPanelMatchesDesk(c);
    // Switching keeps conversations apart: each tab holds exactly its own desk messages.
    await desk.select(played[0]!);
    await expectPanelMatchesDesk(played[0]!);
  });

  it('fires a keyword rule with its evidence', async () => {
    const { conversationId } = await desk.play(
      'billing-en',
      Number.POSITIVE_INFINITY,
      'rule-check-en',
      'posted',
    );
    await panel.select(conversationId);
    await panel.page.waitForSelector(
      '[data-testid="conversation"] [data-testid="finding"][data-severity="critical"]',
      { timeout: 20_000 },
    );
    const findings = await panel.readFindings();
    // The agent's "I guarantee you'll get the full $98.99 back" is a forbidden promise.
    const promise = findings.find((f) => f.rule === 'general.forbidden-promise');
    expect(promise, JSON.stringify(findings)).toBeDefined();
    expect(promise!.severity).toBe('critical');
    expect(promise!.evidence.join(' ')).toMatch(/guarantee/i);
  });

  it('loses and duplicates nothing when the service worker is stopped mid-conversation', async () => {
    const c = await desk.load('angry-zh-hans', 'sw-restart');
    await desk.select(c);
    const first = ['你好，我的快递三天了还没到', '订单号是多少呢', '物流一直不动，到底怎么回事'];
    for (const text of first) await desk.customerSays(c, text);
    await panel.select(c);
    await panel.waitForTurns(first.length);
    await stopServiceWorkers(l, panel.page);
    const second = ['我已经等了一个星期了', '再不处理我就投诉到12315', '你们就是在敷衍我'];
    for (const text of second) await desk.customerSays(c, text);
    await desk.agentPosts(c, '非常抱歉，我马上帮您催促物流');
    await expectPanelMatchesDesk(c);
  });

  it('edits replace the turn instead of adding one', async () => {
    const c = await desk.load('angry-zh-hans', 'edit-check');
    await desk.select(c);
    const id = await desk.customerSays(c, 'I want a refund for order 1234');
    await desk.customerSays(c, 'Any update?');
    await panel.select(c);
    await panel.waitForTurns(2);
    await desk.edit(c, id, 'I want a refund for order 12345, it arrived broken');
    await panel.page.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid="turn-text"]')).some((e) =>
        e.textContent?.includes('arrived broken'),
      ),
    );
    const turns = await panel.readTurns();
    expect(turns).toHaveLength(2);
    expect(turns[0]!.text).toBe('I want a refund for order 12345, it arrived broken');
  });
});

describe('pages and messages Sotto does not know', () => {
  it('leaves a page that is not a known console alone', async () => {
    const page = await l.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const url = new URL('plain/', server.url).href;
    await consoleScriptRegistered(l.context, url);
    await page.goto(url);
    // The console script ran on the page and found no adapter for it: only then check for traces.
    expect((await waitForConsoleScript(page, 'reported')).attached).toBe(false);
    expect(errors).toEqual([]);
    // Nothing of ours in the page: no injected hosts, no extra elements.
    const foreign = await page.evaluate(() => document.querySelectorAll('[data-sotto], sotto-ui').length);
    expect(foreign).toBe(0);
    const states = await panel.page.evaluate(async () => {
      const got = await chrome.storage.session.get('sotto:log');
      return got;
    });
    expect(JSON.stringify(states)).not.toContain('/plain/');
    await page.close();
  });

  it('rejects a malformed message with a logged reason', async () => {
    const reply = await panel.page.evaluate(() =>
      chrome.runtime.sendMessage({ type: 'utterances', utterances: [{ seq: -1 }] }),
    );
    expect(reply).toMatchObject({ ok: false });
    expect((reply as { reason: string }).reason).toMatch(/malformed message/);
    const spoofed = await panel.page.evaluate(() =>
      chrome.runtime.sendMessage({
        type: 'utterances',
        utterances: [
          {
            conversationId: 'x',
            seq: 0,
            speaker: 'customer',
            text: 'hi',
            ts: 1,
            channel: 'chat',
            source: 'demo-desk',
          },
        ],
      }),
    );
    expect((spoofed as { reason: string }).reason).toMatch(/not allowed from extension-page/);
    const log = await panel.page.evaluate(
      async () => (await chrome.storage.session.get('sotto:log'))['sotto:log'] as { msg: string }[],
    );
    expect(log.some((l) => l.msg.includes('rejected: malformed message'))).toBe(true);
  });
});
