/**
 * Every adapter in adapters/ on its fixture console, in Debian's Chromium with the production
 * build: turns already on the page, new customer and agent turns, an edit, and switching
 * conversations all reach the side panel with the right speaker, text and order, nothing lost or
 * duplicated, and the console raises no errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtures } from '../../scripts/build-fixtures.mjs';
import { FIXTURE_FOR_ADAPTER } from '../fixtures/consoles/registry';
import { startFixtureServer } from '../fixtures/serve';
import { type Launched, launch } from './harness';
import { FixtureConsole } from './pages/console';
import { SidePanel } from './pages/sidepanel';

const allAdapterIds = readdirSync(join(import.meta.dirname, '../../adapters'))
  .filter((f) => f.endsWith('.json'))
  .map(
    (f) =>
      (JSON.parse(readFileSync(join(import.meta.dirname, '../../adapters', f), 'utf8')) as { id: string }).id,
  );
/** Chat adapters; voice consoles have their own e2e file (named in the registry). */
const adapterIds = allAdapterIds.filter((id) => !FIXTURE_FOR_ADAPTER[id]?.e2e);

let server: Awaited<ReturnType<typeof startFixtureServer>>;
let l: Launched;
let panel: SidePanel;

beforeAll(async () => {
  await buildFixtures();
  server = await startFixtureServer({ port: 0 });
  l = await launch();
  panel = await SidePanel.open(l);
});

afterAll(async () => {
  await l?.close();
  await server?.close();
});

async function expectPanelMatches(c: FixtureConsole, conversationId: string, p = panel): Promise<void> {
  const expected = (await c.messages(conversationId)).filter((m) => m.text.trim() !== '');
  await p.select(conversationId);
  await p.page.waitForFunction(
    ({ n, last }) => {
      const turns = document.querySelectorAll('[data-testid="conversation"] [data-testid="turn"]');
      const t = turns[turns.length - 1]?.querySelector('[data-testid="turn-text"]')?.textContent;
      return turns.length >= n && t === last;
    },
    { n: expected.length, last: expected[expected.length - 1]?.text ?? '' },
    { timeout: 20_000 },
  );
  const turns = await p.readTurns();
  expect(turns.map((t) => [t.speaker, t.text])).toEqual(expected.map((m) => [m.speaker, m.text]));
  expect(turns.map((t) => t.seq)).toEqual(expected.map((_, i) => i));
}

describe('every adapter on its fixture console', () => {
  it('has a fixture console for every adapter file', () => {
    expect(allAdapterIds.filter((id) => !FIXTURE_FOR_ADAPTER[id])).toEqual([]);
  });

  it.each(adapterIds)('%s: reads the page, follows new turns, edits and switches', async (id) => {
    const fixture = FIXTURE_FOR_ADAPTER[id]!;
    const c = await FixtureConsole.open(l.context, new URL(fixture.path, server.url).href);
    try {
      const [a, b] = await c.conversations();
      expect(a && b, 'the fixture seeds two conversations').toBeTruthy();
      await c.select(a!);
      await expectPanelMatches(c, a!);

      const asked = await c.customerSays(a!, `Order ${id} arrived damaged, 包装破了`);
      // A send made before the pre-send check answered is held for that answer, then goes out.
      const reply = 'Sorry to hear that, I will arrange a replacement';
      await c.agentSends(a!, reply);
      await expect.poll(async () => (await c.messages(a!)).some((m) => m.text === reply)).toBe(true);
      await expectPanelMatches(c, a!);

      await c.edit(a!, asked, `Order ${id} arrived damaged (edited), 包装破了`);
      await expectPanelMatches(c, a!);

      await c.select(b!);
      await c.customerSays(b!, 'Are you still there?');
      await expectPanelMatches(c, b!);
      await c.select(a!);
      await c.customerSays(a!, 'Thanks');
      await expectPanelMatches(c, a!);
      expect(c.errors).toEqual([]);
    } finally {
      await c.page.close();
    }
  });

  it('virtual-desk: recycled rows lose and duplicate nothing while the agent scrolls', async () => {
    const c = await FixtureConsole.open(l.context, new URL('virtual/', server.url).href);
    try {
      const conv = 't-502';
      await c.select(conv);
      for (let i = 0; i < 40; i++) {
        if (i % 3 !== 0) {
          await c.customerSays(conv, `Message ${i}`);
          continue;
        }
        // A send made before the pre-send check answered is held for that answer, then goes out:
        // wait for it, so the next message does not overtake it.
        const reply = `Reply ${i}`;
        await c.agentSends(conv, reply);
        await expect.poll(async () => (await c.messages(conv)).some((m) => m.text === reply)).toBe(true);
      }
      await expectPanelMatches(c, conv);
      for (const f of [0, 0.5, 0.2, 1, 0]) await c.scrollTo(f);
      await c.scrollTo(1);
      await c.customerSays(conv, 'Last one');
      await expectPanelMatches(c, conv);
    } finally {
      await c.page.close();
    }
  });

  it('virtual-desk: a reload that shows only the latest rows re-reads them in place', async () => {
    // `?persist`: the fixture keeps its history and message ids across the reload, as a desk's
    // server does. The virtual list renders the rows in view only, so after the reload the console
    // script numbers the last rows from 0 again: they must not be stored over the first turns.
    // A browser of its own: the other tests' turns of this conversation are stored in this one.
    const own = await launch();
    try {
      const p = await SidePanel.open(own);
      const c = await FixtureConsole.open(own.context, new URL('virtual/?persist', server.url).href);
      const conv = 't-502';
      await c.select(conv);
      for (let i = 0; i < 30; i++) await c.customerSays(conv, `Before the reload ${i}`);
      await expectPanelMatches(c, conv, p);
      await c.reload();
      await c.select(conv);
      await c.customerSays(conv, 'After the reload');
      await expectPanelMatches(c, conv, p);
      expect(c.errors).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

/** Every log line the background kept (storage.session), as the panel page sees them. */
async function logLines(): Promise<string[]> {
  return panel.page.evaluate(async () =>
    (((await chrome.storage.session.get('sotto:log'))['sotto:log'] ?? []) as { msg: string }[]).map(
      (l) => l.msg,
    ),
  );
}

describe('pre-send check and hint insertion', () => {
  const forbidden = '您加我微信，我私下给您便宜点';
  const promise = '放心，这款产品保本保息，稳赚不赔';

  it.each(['demo-desk', 'webcomp-console', 'rce-tickets', 'virtual-desk', 'framed-crm'])(
    '%s: a critical draft is stopped once with a closed warning; the agent can still send it',
    async (id) => {
      const c = await FixtureConsole.open(l.context, new URL(FIXTURE_FOR_ADAPTER[id]!.path, server.url).href);
      try {
        const conv = (await c.selected()) ?? (await c.conversations())[0]!;
        const before = (await c.messages(conv)).length;
        expect(await c.agentSends(conv, forbidden)).toBeNull();
        await c.page.waitForSelector('sotto-presend', { state: 'attached' });
        // The host page sees only an empty host element: the warning lives in a closed shadow root.
        expect(
          await c.page.evaluate(() => document.querySelector('sotto-presend')?.shadowRoot ?? null),
        ).toBeNull();
        expect(await c.messages(conv)).toHaveLength(before);
        // Focus starts on "Use the rewrite"; Tab moves to "Send anyway".
        await c.page.keyboard.press('Tab');
        await c.page.keyboard.press('Enter');
        await c.page.waitForFunction(
          ([conv, text]) =>
            (window as unknown as { sottoConsole: { messages(c: string): { text: string }[] } }).sottoConsole
              .messages(conv as string)
              .some((m) => m.text === text),
          [conv, forbidden] as const,
        );
        expect(await c.page.$('sotto-presend')).toBeNull();
        await expect.poll(logLines).toContain('sent despite a pre-send warning');

        // The rewrite replaces the draft, without the promise, and nothing is sent.
        const n = (await c.messages(conv)).length;
        expect(await c.agentSends(conv, promise)).toBeNull();
        await c.page.waitForSelector('sotto-presend', { state: 'attached' });
        await c.page.keyboard.press('Enter');
        await expect.poll(() => c.draft()).not.toContain('保本');
        expect(await c.messages(conv)).toHaveLength(n);
        expect(c.errors).toEqual([]);
      } finally {
        await c.page.close();
      }
    },
  );

  it('Enter during IME composition reaches the console untouched', async () => {
    const c = await FixtureConsole.open(l.context, new URL('desk/', server.url).href);
    try {
      const seen = await c.page.evaluate(async (text) => {
        const input = document.querySelector('#compose-input') as HTMLTextAreaElement;
        let got = 0;
        input.addEventListener('keydown', (e) => {
          if (e.key === 'Enter') got++;
        });
        input.focus();
        input.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true }));
        input.value = text;
        input.dispatchEvent(new InputEvent('input', { bubbles: true, isComposing: true }));
        const ev = { key: 'Enter', bubbles: true, cancelable: true, isComposing: true, keyCode: 229 };
        input.dispatchEvent(new KeyboardEvent('keydown', ev));
        input.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true }));
        return got;
      }, forbidden);
      expect(seen).toBe(1);
      expect(await c.page.$('sotto-presend')).toBeNull();
    } finally {
      await c.page.close();
    }
  });

  it.each(['demo-desk', 'rce-tickets', 'chatscope-desk', 'webcomp-console'])(
    '%s: a hint from the side panel lands in the compose box and the console sends it',
    async (id) => {
      const url = new URL(FIXTURE_FOR_ADAPTER[id]!.path, server.url).href;
      const c = await FixtureConsole.open(l.context, url);
      try {
        const conv = (await c.selected()) ?? (await c.conversations())[0]!;
        const text = '您好，很高兴为您服务，请问还有什么可以帮您？';
        const reply = await panel.page.evaluate(
          async ([url, conv, text]) => {
            // The console's tab, as the side panel knows it: from the attach states in a snapshot.
            const port = chrome.runtime.connect({ name: 'panel' });
            const tabId = await new Promise<number>((resolve) => {
              port.onMessage.addListener((m: { type: string; attach?: { tabId: number; url: string }[] }) => {
                // Earlier tests closed tabs on the same URL; the newest tab has the highest id.
                const ids = (m.type === 'snapshot' ? (m.attach ?? []) : [])
                  .filter((a) => a.url.startsWith(url))
                  .map((a) => a.tabId);
                if (ids.length > 0) resolve(Math.max(...ids));
              });
              port.postMessage({ type: 'panel-hello' });
            });
            port.disconnect();
            return chrome.runtime.sendMessage({
              type: 'insert-hint',
              tabId,
              conversationId: conv,
              hintId: 'test.greeting',
              text,
              mode: 'replace',
            });
          },
          [url, conv, text] as const,
        );
        expect(reply, JSON.stringify(reply)).toMatchObject({ ok: true, reply: { ok: true, inserted: true } });
        expect((await c.draft()).trim()).toBe(text);
        // The console's own state has it: its Enter handler sends exactly this text.
        await c.page.bringToFront();
        await c.page.keyboard.press('Enter');
        await expect.poll(async () => (await c.messages(conv)).some((m) => m.text === text)).toBe(true);
      } finally {
        await c.page.close();
      }
    },
  );
});
