/**
 * Page object for any fixture console. Every console in test/fixtures/consoles/ exposes the same
 * page API on `window.sottoConsole` (documented in webcomp/console.js); the demo desk has its own
 * richer API (`sottoDesk`), which `open` wraps into the same shape.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface ConsoleMessage {
  id: string;
  speaker: 'customer' | 'agent' | 'system';
  text: string;
}

interface ConsoleApi {
  ready: Promise<void>;
  composeSelector: string;
  conversations(): string[];
  selected(): string | null;
  select(id: string): Promise<void>;
  customerSays(id: string, text: string): Promise<string>;
  agentSends(id: string, text: string): Promise<string | null>;
  edit(id: string, msgId: string, text: string): Promise<void>;
  remove?(id: string, msgId: string): Promise<void>;
  rerender?(): Promise<void>;
  scrollTo?(fraction: number): Promise<void>;
  messages(id: string): ConsoleMessage[];
  draft(): string;
}
type W = Window & { sottoConsole: ConsoleApi; sottoDesk?: Record<string, (...a: never[]) => unknown> };

/** The demo desk's API in the common shape (it has no remove; a re-render is a re-select). */
function wrapDesk(): void {
  const w = window as unknown as W & { sottoDesk: Record<string, (...a: unknown[]) => unknown> };
  if (w.sottoConsole) return;
  const d = w.sottoDesk;
  const list = () => d.conversations!() as { id: string; selected: boolean }[];
  w.sottoConsole = {
    ready: d.ready as unknown as Promise<void>,
    composeSelector: '#compose-input',
    conversations: () => list().map((c) => c.id),
    selected: () => list().find((c) => c.selected)?.id ?? null,
    select: async (id) => void d.select!(id),
    customerSays: async (id, text) => d.customerSays!(id, text) as string,
    agentSends: (id, text) => d.agentSends!(id, text) as Promise<string | null>,
    edit: async (id, msgId, text) => void d.edit!(id, msgId, text),
    rerender: async () => {
      const c = list().find((x) => x.selected)?.id;
      if (c) d.select!(c);
    },
    messages: (id) =>
      (d.messages!(id) as ConsoleMessage[]).map(({ id: mid, speaker, text }) => ({ id: mid, speaker, text })),
    draft: () => (document.querySelector('#compose-input') as HTMLTextAreaElement).value,
  };
}

export class FixtureConsole {
  readonly errors: string[] = [];

  constructor(readonly page: Page) {
    page.on('pageerror', (e) => this.errors.push(String(e)));
  }

  static async open(context: BrowserContext, url: string): Promise<FixtureConsole> {
    const page = await context.newPage();
    const c = new FixtureConsole(page);
    await page.goto(url);
    await page.waitForFunction(() => 'sottoConsole' in window || 'sottoDesk' in window);
    await page.evaluate(wrapDesk);
    await page.evaluate(() => (window as unknown as W).sottoConsole.ready);
    return c;
  }

  private call<T>(fn: string, ...args: unknown[]): Promise<T> {
    return this.page.evaluate(
      ([fn, args]) => {
        const api = (window as unknown as W).sottoConsole as unknown as Record<
          string,
          (...a: unknown[]) => T
        >;
        return api[fn as string]!(...(args as unknown[]));
      },
      [fn, args] as const,
    );
  }

  conversations = () => this.call<string[]>('conversations');
  selected = () => this.call<string | null>('selected');
  select = (id: string) => this.call<void>('select', id);
  customerSays = (id: string, text: string) => this.call<string>('customerSays', id, text);
  agentSends = (id: string, text: string) => this.call<string | null>('agentSends', id, text);
  edit = (id: string, msgId: string, text: string) => this.call<void>('edit', id, msgId, text);
  remove = (id: string, msgId: string) => this.call<void>('remove', id, msgId);
  rerender = () => this.call<void>('rerender');
  scrollTo = (f: number) => this.call<void>('scrollTo', f);
  messages = (id: string) => this.call<ConsoleMessage[]>('messages', id);
  draft = () => this.call<string>('draft');
  has = (fn: string) =>
    this.page.evaluate(
      (fn) =>
        typeof (window as unknown as Record<string, Record<string, unknown>>).sottoConsole?.[fn] ===
        'function',
      fn,
    );
  composeSelector = () => this.page.evaluate(() => (window as unknown as W).sottoConsole.composeSelector);
}
