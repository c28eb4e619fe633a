/** Page object for the side panel, opened in a tab (sidePanel.open needs a user gesture). */
import type { Locator, Page } from 'playwright-core';
import type { Launched } from '../harness';

export class SidePanel {
  constructor(readonly page: Page) {}

  static async open(l: Launched): Promise<SidePanel> {
    const page = await l.context.newPage();
    await page.goto(`chrome-extension://${l.extensionId}/sidepanel.html`);
    await page.waitForSelector('.panel');
    return new SidePanel(page);
  }

  tab(conversationId: string): Locator {
    return this.page.locator(`[data-testid="conversation-tab"][data-conversation="${conversationId}"]`);
  }

  async select(conversationId: string): Promise<void> {
    await this.tab(conversationId).click();
    await this.page.waitForSelector(`[data-testid="conversation"][data-conversation="${conversationId}"]`);
  }

  turns(): Locator {
    return this.page.locator('[data-testid="turn"]');
  }

  /** The visible conversation's turns as plain data. */
  async readTurns(): Promise<{ seq: number; speaker: string; emotion: string; text: string }[]> {
    return this.page.$$eval('[data-testid="conversation"] [data-testid="turn"]', (els) =>
      els.map((el) => ({
        seq: Number(el.getAttribute('data-seq')),
        speaker: el.getAttribute('data-speaker') ?? '',
        emotion: el.getAttribute('data-emotion') ?? '',
        text: el.querySelector('[data-testid="turn-text"]')?.textContent ?? '',
      })),
    );
  }

  async waitForTurns(n: number, opts: { emotions?: boolean; timeout?: number } = {}): Promise<void> {
    await this.page.waitForFunction(
      ({ n, emotions }) => {
        const turns = document.querySelectorAll('[data-testid="conversation"] [data-testid="turn"]');
        if (turns.length < n) return false;
        // System lines carry no emotion; every spoken turn must have its label.
        return (
          !emotions ||
          Array.from(turns).every((t) => t.getAttribute('data-speaker') === 'system' || t.getAttribute('data-emotion'))
        );
      },
      { n, emotions: opts.emotions ?? false },
      { timeout: opts.timeout ?? 20_000 },
    );
  }

  async readFindings(): Promise<{ rule: string; severity: string; evidence: string[] }[]> {
    return this.page.$$eval('[data-testid="conversation"] [data-testid="finding"]', (els) =>
      els.map((el) => ({
        rule: el.getAttribute('data-rule') ?? '',
        severity: el.getAttribute('data-severity') ?? '',
        evidence: Array.from(el.querySelectorAll('[data-testid="evidence"]')).map((e) => e.textContent ?? ''),
      })),
    );
  }

  async screenshot(path: string): Promise<void> {
    await this.page.setViewportSize({ width: 400, height: 900 });
    await this.page.screenshot({ path, fullPage: true });
  }
}
