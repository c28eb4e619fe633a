/** Page object for the demo desk: drives it through its page API (`window.sottoDesk`). */
import type { BrowserContext, Page } from 'playwright-core';
import { consoleScriptRegistered, waitForConsoleScript } from './attached';

export interface DeskMessage {
  id: string;
  seq: number;
  speaker: 'customer' | 'agent' | 'system';
  text: string;
}

export interface ScenarioInfo {
  id: string;
  lang: string;
  title: string;
}

type DeskWindow = Window & {
  sottoDesk: {
    ready: Promise<void>;
    scenarios(): Promise<ScenarioInfo[]>;
    load(s: unknown, o?: { conversationId?: string }): Promise<string>;
    play(
      s: unknown,
      o?: { speed?: number; conversationId?: string; agent?: 'compose' | 'posted' },
    ): Promise<{ conversationId: string; messageIds: (string | null)[] }>;
    customerSays(c: string, text: string): string;
    agentPosts(c: string, text: string): string;
    agentSends(c: string, text: string): Promise<string | null>;
    edit(c: string, id: string, text: string): void;
    select(c: string): void;
    messages(c: string): DeskMessage[];
  };
};

export class Desk {
  readonly errors: string[] = [];

  constructor(readonly page: Page) {
    page.on('pageerror', (e) => this.errors.push(String(e)));
  }

  /** Opens the desk and returns once Sotto's console script has attached to it. */
  static async open(context: BrowserContext, baseUrl: string, query = 'seed=0'): Promise<Desk> {
    const url = new URL(`desk/?${query}`, baseUrl).href;
    await consoleScriptRegistered(context, url);
    const page = await context.newPage();
    const desk = new Desk(page);
    await page.goto(url);
    await page.waitForFunction(() => 'sottoDesk' in window);
    await page.evaluate(() => (window as unknown as DeskWindow).sottoDesk.ready);
    await waitForConsoleScript(page, 'attached');
    return desk;
  }

  scenarios(): Promise<ScenarioInfo[]> {
    return this.page.evaluate(() => (window as unknown as DeskWindow).sottoDesk.scenarios());
  }

  /** `agent: 'posted'` puts agent turns in as already sent, past any pre-send check. */
  play(
    id: string,
    speed = Number.POSITIVE_INFINITY,
    conversationId?: string,
    agent: 'compose' | 'posted' = 'compose',
  ) {
    return this.page.evaluate(
      ([id, speed, conversationId, agent]) =>
        (window as unknown as DeskWindow).sottoDesk.play(id, {
          speed: speed as number,
          agent: agent as 'compose' | 'posted',
          ...(conversationId ? { conversationId: conversationId as string } : {}),
        }),
      [id, speed, conversationId, agent] as const,
    );
  }

  load(id: string, conversationId?: string): Promise<string> {
    return this.page.evaluate(
      ([id, conversationId]) =>
        (window as unknown as DeskWindow).sottoDesk.load(id, conversationId ? { conversationId } : {}),
      [id, conversationId] as const,
    );
  }

  customerSays(conversationId: string, text: string): Promise<string> {
    return this.page.evaluate(([c, t]) => (window as unknown as DeskWindow).sottoDesk.customerSays(c, t), [
      conversationId,
      text,
    ] as const);
  }

  /** An agent message already sent (a macro, another device): no compose box, no pre-send check. */
  agentPosts(conversationId: string, text: string): Promise<string> {
    return this.page.evaluate(([c, t]) => (window as unknown as DeskWindow).sottoDesk.agentPosts(c, t), [
      conversationId,
      text,
    ] as const);
  }

  agentSends(conversationId: string, text: string): Promise<string | null> {
    return this.page.evaluate(([c, t]) => (window as unknown as DeskWindow).sottoDesk.agentSends(c, t), [
      conversationId,
      text,
    ] as const);
  }

  edit(conversationId: string, msgId: string, text: string): Promise<void> {
    return this.page.evaluate(([c, id, t]) => (window as unknown as DeskWindow).sottoDesk.edit(c, id, t), [
      conversationId,
      msgId,
      text,
    ] as const);
  }

  select(conversationId: string): Promise<void> {
    return this.page.evaluate((c) => (window as unknown as DeskWindow).sottoDesk.select(c), conversationId);
  }

  messages(conversationId: string): Promise<DeskMessage[]> {
    return this.page.evaluate((c) => (window as unknown as DeskWindow).sottoDesk.messages(c), conversationId);
  }
}
