/**
 * The element picker's result: what the agent clicked on the Parley console (no built-in adapter)
 * becomes an adapter that the real reader uses to read the console's messages back.
 */
import { Browser } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemUnder, specFromPicks } from '../../../lib/adapters/detect-picks';
import { findLogRoot, listItems, readItem } from '../../../lib/adapters/reader';
import { type FixtureServer, startFixtureServer } from '../../fixtures/serve';

let server: FixtureServer;
let browser: Browser;
let doc: Document;
let w: Window & { sottoConsole: { messages(id: string): { speaker: string; text: string }[] } };
beforeAll(async () => {
  server = await startFixtureServer({ port: 0 });
  browser = new Browser({
    settings: {
      enableJavaScriptEvaluation: true,
      suppressInsecureJavaScriptEnvironmentWarning: true,
    } as never,
  });
  const page = browser.newPage();
  await page.goto(new URL('parley/', server.url).href);
  await page.waitUntilComplete();
  w = page.mainFrame.window as never;
  doc = w.document;
});
afterAll(async () => {
  await browser.close();
  await server.close();
});

describe('specFromPicks', () => {
  it('clicks on text inside the messages still give the message items; the reader agrees', () => {
    const q = (s: string) => doc.querySelector(s)!;
    const r = specFromPicks(
      doc,
      {
        list: q('.timeline'),
        customer: q('.entry--in .entry__body'),
        agent: q('.entry--out .entry__who'),
        compose: q('.reply__box'),
        send: q('.reply__send'),
      },
      { href: w.location.href },
    );
    expect(r.ok, r.ok ? '' : r.error).toBe(true);
    if (!r.ok) return;
    expect(r.spec.compose).toMatchObject({
      input: expect.stringContaining('reply__box'),
      send: expect.stringContaining('reply__send'),
    });
    expect(r.spec.conversation).toMatchObject({ from: 'attribute', attribute: 'data-thread-id' });
    const root = findLogRoot(doc, r.spec)!;
    const read = listItems(root, r.spec).map((el, i) => readItem(el, i, r.spec));
    expect(read.map((x) => [x?.speaker, x?.text])).toEqual(
      w.sottoConsole.messages('p-501').map((m) => [m.speaker, m.text]),
    );
  });

  it('refuses picks that cannot make an adapter, with a reason', () => {
    const q = (s: string) => doc.querySelector(s)!;
    const base = { list: q('.timeline'), compose: q('.reply__box') };
    const outside = specFromPicks(
      doc,
      { ...base, customer: q('.inbox__item'), agent: q('.entry--out') },
      { href: w.location.href },
    );
    expect(outside).toMatchObject({ ok: false, error: expect.stringContaining('not inside') });
    const same = specFromPicks(
      doc,
      { ...base, customer: q('.entry--in'), agent: q('.entry--in .entry__body') },
      { href: w.location.href },
    );
    expect(same).toMatchObject({ ok: false, error: expect.stringContaining('same') });
    expect(itemUnder(q('.timeline'), q('.entry--out .entry__time'))).toBe(q('.entry--out'));
  });
});
