// @vitest-environment happy-dom
/**
 * Every adapter file parses, and the demo desk's adapter really describes the demo desk: its selectors,
 * run against desk.js's DOM, find the same messages, speakers, texts and conversation the desk holds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AdapterSpec, adapterMatchesUrl, parseAdapter } from '../../../lib/adapters/spec';
import { readScenario } from '../../fixtures/scenarios/scenario';

// Plain paths, not URL objects: under happy-dom the global URL is not the one node:fs accepts.
const here = dirname(fileURLToPath(import.meta.url));
const adaptersDir = join(here, '../../../adapters');
const deskDir = join(here, '../../fixtures/consoles/desk');

const adapterFiles = readdirSync(adaptersDir).filter((f) => f.endsWith('.json'));

describe('adapters/*.json', () => {
  it.each(adapterFiles)('%s parses with AdapterSpec and is named after its id', (file) => {
    const r = parseAdapter(JSON.parse(readFileSync(join(adaptersDir, file), 'utf8')));
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (r.ok) expect(`${r.spec.id}.json`).toBe(file);
  });
});

function demoSpec(): AdapterSpec {
  const r = parseAdapter(JSON.parse(readFileSync(join(adaptersDir, 'demo-desk.json'), 'utf8')));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.spec;
}

/** A minimal reading of the DOM by the spec, the way a content script would read it. */
function readPage(spec: AdapterSpec, doc: Document) {
  const root = doc.querySelector(spec.log.root);
  const items = root ? [...root.querySelectorAll(spec.log.item)] : [];
  const speakerOf = (item: Element) => {
    for (const rule of spec.speaker.rules) {
      const el = rule.selector
        ? item.matches(rule.selector)
          ? item
          : item.querySelector(rule.selector)
        : item;
      if (!el) continue;
      if (rule.attribute) {
        const v = el.getAttribute(rule.attribute.name);
        if (v === null || (rule.attribute.equals !== undefined && v !== rule.attribute.equals)) continue;
      }
      if (rule.textPrefix && !(item.textContent ?? '').trim().startsWith(rule.textPrefix)) continue;
      return rule.speaker;
    }
    return spec.speaker.default;
  };
  const textOf = (item: Element) => {
    const el = (spec.text.selector ? item.querySelector(spec.text.selector) : item) ?? item;
    const copy = el.cloneNode(true) as Element;
    for (const sel of spec.text.ignore) for (const x of copy.querySelectorAll(sel)) x.remove();
    return (copy.textContent ?? '').trim();
  };
  const conv = spec.conversation;
  const conversationId =
    conv.from === 'attribute'
      ? (doc.querySelector(conv.selector)?.getAttribute(conv.attribute) ?? null)
      : null;
  return {
    root,
    conversationId,
    items,
    messages: items.map((item) => ({
      id: spec.messageKey ? item.getAttribute(spec.messageKey.attribute) : null,
      speaker: speakerOf(item),
      text: textOf(item),
    })),
  };
}

interface DeskMessage {
  id: string;
  seq: number;
  speaker: string;
  text: string;
  ts: number;
  edited: boolean;
}
interface Desk {
  ready: Promise<void>;
  load(s: unknown, o?: { conversationId?: string }): Promise<string>;
  play(
    s: unknown,
    o?: { speed?: number; conversationId?: string },
  ): Promise<{ conversationId: string; messageIds: (string | null)[] }>;
  customerSays(c: string, t: string): string;
  agentSends(c: string, t: string): Promise<string | null>;
  edit(c: string, id: string, t: string): void;
  select(c: string): void;
  conversations(): { id: string; unread: number; selected: boolean }[];
  messages(c: string): DeskMessage[];
}

let desk: Desk;
const spec = demoSpec();
// Playing at infinite speed skips every delay, so the tests never wait on a clock.
const fast = { speed: Number.POSITIVE_INFINITY };

beforeAll(async () => {
  const html = readFileSync(join(deskDir, 'index.html'), 'utf8');
  const body = /<body>([\s\S]*)<\/body>/.exec(html)?.[1] ?? '';
  // The page's own <script> tag is dropped: the module is imported below so the test can await it.
  document.body.innerHTML = body.replace(/<script[\s\S]*?<\/script>/g, '');
  await import(/* @vite-ignore */ join(deskDir, 'desk.js'));
  desk = (window as unknown as { sottoDesk: Desk }).sottoDesk;
  await desk.ready;
});

describe('demo desk adapter', () => {
  it('matches the desk on 127.0.0.1 and localhost at any port, and nothing else on the fixture server', () => {
    expect(adapterMatchesUrl(spec, 'http://127.0.0.1:41234/desk/')).toBe(true);
    expect(adapterMatchesUrl(spec, 'http://localhost:5178/desk/?scenario=angry-zh-hans&autoplay=1')).toBe(
      true,
    );
    expect(adapterMatchesUrl(spec, 'http://127.0.0.1:41234/plain/')).toBe(false);
    expect(adapterMatchesUrl(spec, 'https://example.com/desk/')).toBe(false);
  });

  it('reads the conversations already on the page when it attaches', () => {
    const page = readPage(spec, document);
    const selected = desk.conversations().find((c) => c.selected);
    expect(selected).toBeDefined();
    expect(page.conversationId).toBe(selected?.id);
    expect(page.messages.length).toBeGreaterThan(0);
    expect(page.messages).toEqual(
      desk.messages(selected!.id).map((m) => ({ id: m.id, speaker: m.speaker, text: m.text })),
    );
  });

  it.each(['angry-zh-hans', 'refund-zh-hant', 'billing-en'])(
    'finds every item, speaker and text of %s, without timestamps or receipts',
    async (id) => {
      const scenario = readScenario(id);
      const { conversationId, messageIds } = await desk.play(scenario, fast);
      desk.select(conversationId);
      const page = readPage(spec, document);
      expect(page.conversationId).toBe(conversationId);
      const expected = scenario.turns.filter((t) => t.edits === undefined);
      // Edited turns replace the text of the turn they point at.
      const texts = scenario.turns.map((t) => t.text);
      scenario.turns.forEach((t, i) => {
        if (t.edits !== undefined) texts[t.edits] = texts[i]!;
      });
      expect(page.messages.map((m) => m.speaker)).toEqual(expected.map((t) => t.speaker));
      expect(page.messages.map((m) => m.text)).toEqual(
        scenario.turns.flatMap((t, i) => (t.edits === undefined ? [texts[i]] : [])),
      );
      expect(page.messages.map((m) => m.id)).toEqual(
        messageIds.filter((m, i) => m && scenario.turns[i]?.edits === undefined),
      );
      expect(new Set(page.messages.map((m) => m.id)).size).toBe(page.messages.length);
      // The bubbles do show a time and receipts; the adapter's ignore list is what keeps them out.
      const bubble = page.items.find((i) => i.getAttribute('data-speaker') === 'agent');
      expect(bubble?.textContent).toMatch(/\d\d:\d\d/);
      expect(bubble?.textContent).toMatch(/Sent|Read/);
      for (const m of page.messages) expect(m.text).not.toMatch(/\d\d:\d\d$|✓|\(edited\)|Seen$/);
    },
  );

  it('an edit keeps the item and its id, changes the text, and the "(edited)" marker stays out of it', async () => {
    const { conversationId, messageIds } = await desk.play(readScenario('calm-en'), fast);
    desk.select(conversationId);
    const target = messageIds[3]!;
    const before = readPage(spec, document).items.find((i) => i.getAttribute('data-msg-id') === target);
    const textNode = before?.querySelector('.msg__text')?.firstChild;
    desk.edit(conversationId, target, 'Could I swap it for a size XL instead?');
    const page = readPage(spec, document);
    const after = page.items.find((i) => i.getAttribute('data-msg-id') === target);
    expect(after).toBe(before);
    expect(after?.querySelector('.msg__text')?.firstChild).toBe(textNode);
    expect(after?.textContent).toContain('(edited)');
    expect(page.messages.find((m) => m.id === target)?.text).toBe('Could I swap it for a size XL instead?');
    expect(page.messages).toHaveLength(desk.messages(conversationId).length);
  });

  it('switching conversations replaces the log and the selected item names the new conversation', async () => {
    const a = await desk.load(readScenario('finance-zh-hans'));
    desk.customerSays(a, '你好，我想咨询一下理财。');
    const oldRoot = readPage(spec, document).root;
    const b = desk.conversations().find((c) => c.id !== a)!.id;
    desk.select(b);
    const page = readPage(spec, document);
    expect(page.root).not.toBe(oldRoot);
    expect(oldRoot?.isConnected).toBe(false);
    expect(page.conversationId).toBe(b);
    expect(page.messages.map((m) => m.id)).toEqual(desk.messages(b).map((m) => m.id));
    // A message for a conversation not on screen shows as unread in the list, not in the log.
    const n = page.items.length;
    desk.customerSays(a, '在吗？');
    expect(readPage(spec, document).items).toHaveLength(n);
    const item = document.querySelector(`.conv-item[data-conversation-id="${a}"]`);
    expect(item?.querySelector('.conv-item__badge')?.textContent).toBe('1');
    expect(item?.getAttribute('aria-selected')).toBe('false');
  });

  it('agentSends goes through the compose box and send button, and reports a cancelled send', async () => {
    const id = await desk.load(readScenario('calm-en'), { conversationId: 'c-compose' });
    const input = document.querySelector<HTMLTextAreaElement>(spec.compose!.input)!;
    const typed: string[] = [];
    input.addEventListener('input', () => typed.push(input.value));
    const sent = await desk.agentSends(id, 'Thanks for waiting!');
    expect(typed).toContain('Thanks for waiting!');
    expect(readPage(spec, document).messages.at(-1)).toEqual({
      id: sent,
      speaker: 'agent',
      text: 'Thanks for waiting!',
    });

    // A pre-send check cancels the click on the send button; the desk must not post the message.
    const send = document.querySelector(spec.compose!.send!)!;
    const block = (e: Event) => e.preventDefault();
    send.addEventListener('click', block, { capture: true });
    expect(await desk.agentSends(id, 'I guarantee it.')).toBeNull();
    send.removeEventListener('click', block, { capture: true });
    expect(desk.messages(id).map((m) => m.text)).not.toContain('I guarantee it.');
  });

  it('Enter sends, Shift+Enter and Enter during IME composition do not', async () => {
    const id = await desk.load(readScenario('calm-en'), { conversationId: 'c-keys' });
    const input = document.querySelector<HTMLTextAreaElement>(spec.compose!.input)!;
    const press = (init: KeyboardEventInit) =>
      input.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true, ...init }),
      );
    const count = () => desk.messages(id).length;

    input.value = '第一行';
    press({ shiftKey: true });
    expect(count()).toBe(0);

    input.dispatchEvent(new CompositionEvent('compositionstart'));
    input.value = '您好';
    press({ isComposing: true });
    input.dispatchEvent(new CompositionEvent('compositionend'));
    expect(count()).toBe(0);

    input.value = '您好，\n请问还有什么可以帮您？';
    press({});
    expect(desk.messages(id).map((m) => m.text)).toEqual(['您好，\n请问还有什么可以帮您？']);
    expect(input.value).toBe('');
    expect(readPage(spec, document).messages.at(-1)?.text).toBe('您好，\n请问还有什么可以帮您？');
  });
});
