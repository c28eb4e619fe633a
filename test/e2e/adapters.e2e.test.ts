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

const adapterIds = readdirSync(join(import.meta.dirname, '../../adapters'))
  .filter((f) => f.endsWith('.json'))
  .map(
    (f) =>
      (JSON.parse(readFileSync(join(import.meta.dirname, '../../adapters', f), 'utf8')) as { id: string }).id,
  );

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

async function expectPanelMatches(c: FixtureConsole, conversationId: string): Promise<void> {
  const expected = (await c.messages(conversationId)).filter((m) => m.text.trim() !== '');
  await panel.select(conversationId);
  await panel.page.waitForFunction(
    ({ n, last }) => {
      const turns = document.querySelectorAll('[data-testid="conversation"] [data-testid="turn"]');
      const t = turns[turns.length - 1]?.querySelector('[data-testid="turn-text"]')?.textContent;
      return turns.length >= n && t === last;
    },
    { n: expected.length, last: expected[expected.length - 1]?.text ?? '' },
    { timeout: 20_000 },
  );
  const turns = await panel.readTurns();
  expect(turns.map((t) => [t.speaker, t.text])).toEqual(expected.map((m) => [m.speaker, m.text]));
  expect(turns.map((t) => t.seq)).toEqual(expected.map((_, i) => i));
}

describe('every adapter on its fixture console', () => {
  it('has a fixture console for every adapter file', () => {
    expect(adapterIds.filter((id) => !FIXTURE_FOR_ADAPTER[id])).toEqual([]);
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
      const sent = await c.agentSends(a!, 'Sorry to hear that, I will arrange a replacement');
      expect(sent, 'the console accepted the agent message').not.toBeNull();
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
      for (let i = 0; i < 40; i++)
        await (i % 3 === 0 ? c.agentSends(conv, `Reply ${i}`) : c.customerSays(conv, `Message ${i}`));
      await expectPanelMatches(c, conv);
      for (const f of [0, 0.5, 0.2, 1, 0]) await c.scrollTo(f);
      await c.scrollTo(1);
      await c.customerSays(conv, 'Last one');
      await expectPanelMatches(c, conv);
    } finally {
      await c.page.close();
    }
  });
});
