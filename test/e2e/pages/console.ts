/**
 * Page object for any fixture console. Every console in test/fixtures/consoles/ exposes the same
 * page API on `window.sottoConsole` (documented in webcomp/console.js); the demo desk has its own
 * richer API (`sottoDesk`), which `open` wraps into the same shape.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import { type AttachWait, consoleScriptRegistered, waitForConsoleScript } from './attached';

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

  /**
   * Opens a fixture console and returns once Sotto's console script has attached to it (`wait`
   * `reported` for a page no adapter fits yet: the script runs and the background knows the page;
   * `none` in a browser without the extension, for baselines).
   */
  static async open(
    context: BrowserContext,
    url: string,
    wait: AttachWait | 'none' = 'attached',
  ): Promise<FixtureConsole> {
    if (wait !== 'none') await consoleScriptRegistered(context, url);
    const page = await context.newPage();
    const c = new FixtureConsole(page);
    await page.goto(url);
    await page.waitForFunction(() => 'sottoConsole' in window || 'sottoDesk' in window);
    await page.evaluate(wrapDesk);
    await page.evaluate(() => (window as unknown as W).sottoConsole.ready);
    if (wait !== 'none') await waitForConsoleScript(page, wait);
    return c;
  }

  /** Reloads the page and returns once the console and Sotto's console script are ready again. */
  async reload(wait: AttachWait = 'attached'): Promise<void> {
    await this.page.reload();
    await this.page.waitForFunction(() => 'sottoConsole' in window || 'sottoDesk' in window);
    await this.page.evaluate(wrapDesk);
    await this.page.evaluate(() => (window as unknown as W).sottoConsole.ready);
    await waitForConsoleScript(this.page, wait);
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

/**
 * Page object for the QA console (server/console) served by a running endpoint: sign-in, theme
 * and language, in-app navigation, axe-core and layout checks.
 */
export class QaConsole {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  /** Signs in on the console's own form after choosing the language and theme. */
  async signIn(email: string, password: string, opts: { lang: 'zh_CN' | 'zh_TW' | 'en'; dark?: boolean }) {
    await this.page.goto(`${this.baseUrl}/console/`);
    await this.page.evaluate(
      ({ lang, dark }) => {
        localStorage.setItem('sotto.lang', lang);
        localStorage.setItem('sotto.dark', dark ? '1' : '0');
      },
      { lang: opts.lang, dark: opts.dark ?? false },
    );
    await this.page.reload();
    await this.page.fill('input[name=email]', email);
    await this.page.fill('input[name=password]', password);
    await this.page.keyboard.press('Enter');
    await this.page.waitForSelector('header nav.pages');
  }

  /** Opens a console path (e.g. `analytics`, `c/<id>`) as a fresh page load. */
  async open(path: string, ready: string) {
    await this.page.goto(`${this.baseUrl}/console/${path}`);
    await this.page.waitForSelector(ready);
  }

  /** axe-core on the whole page; the serious and critical violations. */
  async axe(): Promise<{ id: string; impact: string; nodes: string[] }[]> {
    const require = createRequire(import.meta.url);
    await this.page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    return this.page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run(
              c: Document,
              o: object,
            ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
          };
        }
      ).axe;
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
    });
  }

  /** How far the page scrolls sideways (0 when everything fits the window's width). */
  overflowX(): Promise<number> {
    return this.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  }

  /** The focused element: its text, tag and whether a focus outline is drawn. */
  focused(): Promise<{ tag: string; text: string; outline: boolean }> {
    return this.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const st = el ? getComputedStyle(el) : null;
      return {
        tag: el?.tagName.toLowerCase() ?? '',
        text: (el?.textContent ?? '').trim(),
        outline: !!st && st.outlineStyle !== 'none' && Number.parseFloat(st.outlineWidth) >= 1,
      };
    });
  }
}
