/**
 * The generic detector on real fixture consoles, loaded in happy-dom with their scripts running and
 * no adapter: it must find the message log, the speakers, the compose box and the conversation, and
 * the proposal, read back through the real reader, must give what the console holds.
 */
import { Browser } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../../lib/adapters/detect';
import { listItems, findLogRoot, readConversationId, readItem } from '../../../lib/adapters/reader';
import { type FixtureServer, startFixtureServer } from '../../fixtures/serve';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ port: 0 });
});
afterAll(() => server.close());

type Api = { messages(id: string): { speaker: string; text: string }[]; selected(): string | null };

async function load(path: string) {
  const browser = new Browser({
    settings: {
      enableJavaScriptEvaluation: true,
      suppressInsecureJavaScriptEnvironmentWarning: true,
      // The framed console's chat is a same-origin iframe.
      enableIframePageLoading: true,
    } as never,
  });
  const page = browser.newPage();
  await page.goto(new URL(path, server.url).href);
  await page.waitUntilComplete();
  const w = page.mainFrame.window as unknown as Window & { sottoConsole?: Api; sottoDesk?: unknown };
  return { browser, w };
}

describe('detect on fixture consoles without their adapters', () => {
  it.each([
    ['parley/', 'p-501', '.timeline'],
    ['spa/?conversation=q-7001', 'q-7001', '.thread'],
  ])('%s: log, speakers, compose and conversation', async (path, conv, rootClass) => {
    const { browser, w } = await load(path);
    try {
      const p = detect(w.document as unknown as Document, { href: w.location.href });
      expect(p, 'a proposal').toBeDefined();
      const spec = p!.spec;
      const root = findLogRoot(w.document as unknown as Document, spec)!;
      expect(root.matches(rootClass)).toBe(true);
      expect(spec.compose?.input).toBeTruthy();
      expect(readConversationId(w.document as unknown as Document, spec, w.location.href)).toContain(conv);
      const read = listItems(root, spec).map((el, i) => readItem(el, i, spec));
      const expected = w.sottoConsole!.messages(conv);
      expect(read.map((r) => [r?.speaker, r?.text])).toEqual(expected.map((m) => [m.speaker, m.text]));
    } finally {
      await browser.close();
    }
  });

  it('desk/: the demo desk log, speakers by class, key attribute and selected conversation', async () => {
    const { browser, w } = await load('desk/');
    try {
      const p = detect(w.document as unknown as Document, { href: w.location.href })!;
      expect(p.spec.log.root).toBe('#message-log');
      expect(p.spec.messageKey?.attribute).toBe('data-msg-id');
      expect(p.spec.conversation).toMatchObject({ from: 'attribute', attribute: 'data-conversation-id' });
      expect(p.spec.compose).toMatchObject({ input: '#compose-input', send: '#send-button' });
      const speakers = p.spec.speaker.rules.map((r) => r.speaker).sort();
      expect(speakers).toEqual(['agent', 'customer']);
      expect(p.withSpeaker).toBe(p.items);
    } finally {
      await browser.close();
    }
  });

  it('proposes nothing on a page without a conversation', async () => {
    const { browser, w } = await load('plain/');
    try {
      expect(detect(w.document as unknown as Document, { href: w.location.href })).toBeUndefined();
    } finally {
      await browser.close();
    }
  });

  it('webcomp/: a log inside nested open shadow roots, text in each message component', async () => {
    const { browser, w } = await load('webcomp/');
    try {
      const doc = w.document as unknown as Document;
      const p = detect(doc, { href: w.location.href });
      expect(p, 'a proposal').toBeDefined();
      const spec = p!.spec;
      expect(spec.log.root).toContain('>>>');
      const root = findLogRoot(doc, spec)!;
      expect(root.classList.contains('scroller')).toBe(true);
      expect(spec.compose?.input).toMatch(/>>> .*textarea/);
      expect(spec.compose?.send).toMatch(/>>> .*button/);
      const conv = w.sottoConsole!.selected()!;
      expect(readConversationId(doc, spec, w.location.href)).toBe(conv);
      const read = listItems(root, spec).map((el, i) => readItem(el, i, spec));
      const expected = w.sottoConsole!.messages(conv);
      expect(read.map((r) => [r?.speaker, r?.text])).toEqual(expected.map((m) => [m.speaker, m.text]));
    } finally {
      await browser.close();
    }
  });

  it('framed/: a transcript in a same-origin iframe, speakers only by a label before each line', async () => {
    const { browser, w } = await load('framed/');
    try {
      const doc = w.document as unknown as Document;
      // The frame loads after the top page; its script renders the transcript.
      const frame = doc.getElementById('chat-frame') as HTMLIFrameElement;
      await expect
        .poll(() => frame.contentDocument?.querySelectorAll('#transcript .line').length ?? 0)
        .toBeGreaterThan(0);
      const p = detect(doc, { href: w.location.href });
      expect(p, 'a proposal').toBeDefined();
      const spec = p!.spec;
      expect(spec.log.root).toMatch(/^#chat-frame >>> /);
      expect(spec.speaker.rules.map((r) => r.textPrefix).sort()).toEqual(['Agent:', 'Customer:']);
      expect(spec.compose?.input).toMatch(/^#chat-frame >>> /);
      const root = findLogRoot(doc, spec)!;
      const conv = w.sottoConsole!.selected()!;
      const read = listItems(root, spec).map((el, i) => readItem(el, i, spec));
      const expected = w.sottoConsole!.messages(conv);
      expect(read.map((r) => [r?.speaker, r?.text])).toEqual(expected.map((m) => [m.speaker, m.text]));
    } finally {
      await browser.close();
    }
  });
});
