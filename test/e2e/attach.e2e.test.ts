/**
 * Unknown consoles (issue #6) in Debian's Chromium with the production build: on the Parley inbox,
 * which has no built-in adapter, the detector proposes one, the agent attaches and turns reach the
 * side panel; the element picker writes an adapter that is exported, imported into a fresh profile
 * and works there; an adapter whose list selector matches nothing leaves the panel saying "not
 * attached" and why. The fixture origin (127.0.0.1) is granted at install in non-store builds.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer } from '../fixtures/serve';
import { type Launched, launch } from './harness';
import { FixtureConsole } from './pages/console';
import { SidePanel } from './pages/sidepanel';

let server: Awaited<ReturnType<typeof startFixtureServer>>;
const opened: Launched[] = [];

beforeAll(async () => {
  server = await startFixtureServer({ port: 0 });
});
afterAll(async () => {
  for (const l of opened) await l.close();
  await server?.close();
});

async function start(): Promise<{ l: Launched; panel: SidePanel }> {
  const l = await launch();
  opened.push(l);
  return { l, panel: await SidePanel.open(l) };
}

async function expectTurns(panel: SidePanel, c: FixtureConsole, conv: string): Promise<void> {
  const expected = await c.messages(conv);
  await panel.select(conv);
  await expect
    .poll(async () => (await panel.readTurns()).map((t) => [t.speaker, t.text]), { timeout: 20_000 })
    .toEqual(expected.map((m) => [m.speaker, m.text]));
}

describe('attaching to a console without a built-in adapter', () => {
  let exported = '';

  it('the detector proposes, the agent attaches, turns flow', async () => {
    const { l, panel } = await start();
    const c = await FixtureConsole.open(l.context, new URL('parley/', server.url).href, 'reported');
    const offer = panel.page.locator('[data-testid="attach-offer"]');
    await offer.locator('[data-testid="attach-proposal"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => panel.page.locator('[data-testid="status"]').textContent()).toContain('none');
    await offer.locator('[data-testid="attach-accept"]').click();
    await panel.page.locator('[data-testid="user-adapter"]').first().waitFor();
    await expectTurns(panel, c, 'p-501');
    await c.customerSays('p-501', '还是没有声音，可以换货吗？');
    // A send made before the pre-send check answered is held for that answer, then goes out.
    const reply = '可以的，我这就为您安排换货';
    await c.agentSends('p-501', reply);
    await expect.poll(async () => (await c.messages('p-501')).some((m) => m.text === reply)).toBe(true);
    await expectTurns(panel, c, 'p-501');
    expect(c.errors).toEqual([]);
  });

  it('the picker writes an adapter that is exported, imported into a fresh profile and works', async () => {
    const { l, panel } = await start();
    const c = await FixtureConsole.open(l.context, new URL('parley/', server.url).href, 'reported');
    await panel.page.locator('[data-testid="attach-offer"] [data-testid="attach-pick"]').click();
    const page = c.page;
    await page.bringToFront();
    // Real pointer moves and clicks at the elements' centres (the picker overlay is over the page).
    const at = async (sel: string) => {
      const b = (await page.locator(sel).first().boundingBox())!;
      return [b.x + b.width / 2, b.y + b.height / 2] as const;
    };
    const hover = async (sel: string) => page.mouse.move(...(await at(sel)));
    const click = async (sel: string) => page.mouse.click(...(await at(sel)));
    // Step 1 by keyboard: point at a message's text, then walk up to the list (↑ twice), Enter.
    await hover('.timeline .entry--in .entry__body');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await click('.timeline .entry--in .entry__body');
    await click('.timeline .entry--out .entry__body');
    await click('.reply__box');
    await click('.reply__send');
    const mine = panel.page.locator('[data-testid="user-adapter"]');
    if (process.env.SOTTO_DEBUG_SHOTS)
      await page.screenshot({ path: `${process.env.SOTTO_DEBUG_SHOTS}/picker.png` });
    await mine.first().waitFor({ timeout: 10_000 });
    // The click on "send" was the picker's: nothing was sent.
    expect((await c.messages('p-501')).length).toBe(3);
    await expectTurns(panel, c, 'p-501');

    const download = panel.page.waitForEvent('download');
    await mine.first().locator('[data-testid="user-adapter-download"]').click();
    exported = readFileSync((await (await download).path())!, 'utf8');
    const spec = JSON.parse(exported) as { log: { root: string }; compose: { input: string; send: string } };
    expect(spec.log.root).toContain('timeline');
    expect(spec.compose.input).toContain('reply__box');
    expect(spec.compose.send).toContain('reply__send');

    // A fresh profile: bad JSON is refused with a reason, the exported file is accepted.
    const fresh = await start();
    const importBox = fresh.panel.page.locator('[data-testid="user-adapter-import-text"]');
    await importBox.fill('{"id": "x"');
    await fresh.panel.page.locator('[data-testid="user-adapter-import"]').click();
    await expect
      .poll(() => fresh.panel.page.locator('[data-testid="user-adapter-import-error"]').textContent())
      .toMatch(/JSON/);
    await importBox.fill(exported);
    await fresh.panel.page.locator('[data-testid="user-adapter-import"]').click();
    await fresh.panel.page.locator('[data-testid="user-adapter"]').first().waitFor();
    const c2 = await FixtureConsole.open(fresh.l.context, new URL('parley/', server.url).href);
    await expectTurns(fresh.panel, c2, 'p-501');
    await c2.customerSays('p-501', 'Thanks, that works');
    await expectTurns(fresh.panel, c2, 'p-501');
  });

  it('a list selector that matches nothing: the panel says not attached and why', async () => {
    const { l, panel } = await start();
    const broken = {
      id: 'user-parley-broken',
      name: 'Parley (broken)',
      version: 1,
      matches: ['http://127.0.0.1/parley/*'],
      log: { root: '#no-such-log', item: 'article.entry' },
      speaker: { rules: [{ speaker: 'agent', selector: '.entry--out' }], default: 'customer' },
      conversation: { from: 'url', pattern: '#/chat/([\\w-]+)' },
    };
    await panel.page.locator('[data-testid="user-adapter-import-text"]').fill(JSON.stringify(broken));
    await panel.page.locator('[data-testid="user-adapter-import"]').click();
    await panel.page.locator('[data-testid="user-adapter"]').first().waitFor();
    await FixtureConsole.open(l.context, new URL('parley/', server.url).href, 'reported');
    const status = panel.page.locator('[data-testid="status"]');
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain('#no-such-log');
    expect(await status.getAttribute('data-attached')).toBe('no');
  });
});
