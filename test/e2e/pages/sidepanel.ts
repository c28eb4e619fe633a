/** Page object for the side panel, opened in a tab (sidePanel.open needs a user gesture). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';
import type { Launched } from '../harness';

export class SidePanel {
  constructor(readonly page: Page) {}

  /**
   * `ownWindow` opens the panel in a window of its own, visible beside the console as the real
   * side panel is; a background tab gets no animation frames, which a long transcript needs.
   */
  static async open(l: Launched, opts: { ownWindow?: boolean } = {}): Promise<SidePanel> {
    const url = `chrome-extension://${l.extensionId}/sidepanel.html`;
    let page: Page;
    if (opts.ownWindow) {
      const sw = await l.serviceWorker();
      const opened = l.context.waitForEvent('page', { predicate: (p) => p.url() === url });
      await sw.evaluate((u) => chrome.windows.create({ url: u, width: 420, height: 900 }), url);
      page = await opened;
    } else {
      page = await l.context.newPage();
      await page.goto(url);
    }
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
          Array.from(turns).every(
            (t) => t.getAttribute('data-speaker') === 'system' || t.getAttribute('data-emotion'),
          )
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

  /** Hint cards of the visible conversation, in the order shown. */
  async readHints(): Promise<{ id: string; source: string; text: string }[]> {
    return this.page.$$eval('[data-testid="conversation"] [data-testid="hint"]', (els) =>
      els.map((el) => ({
        id: el.getAttribute('data-hint') ?? '',
        source: el.getAttribute('data-source') ?? '',
        text: el.querySelector('[data-testid="hint-text"]')?.textContent ?? '',
      })),
    );
  }

  async waitForHint(id: string, timeout = 20_000): Promise<void> {
    await this.page.waitForSelector(`[data-testid="conversation"] [data-testid="hint"][data-hint="${id}"]`, {
      timeout,
    });
  }

  finding(rule: string): Locator {
    return this.page
      .locator(`[data-testid="conversation"] [data-testid="finding"][data-rule="${rule}"]`)
      .first();
  }

  async waitForFinding(rule: string, timeout = 20_000): Promise<void> {
    await this.finding(rule).waitFor({ timeout });
  }

  async readChecklist(): Promise<Record<string, string>> {
    return this.page.$$eval('[data-testid="conversation"] [data-testid="checklist-item"]', (els) =>
      Object.fromEntries(
        els.map((el) => [el.getAttribute('data-item') ?? '', el.getAttribute('data-status') ?? '']),
      ),
    );
  }

  async waitForChecklist(item: string, status: string, timeout = 20_000): Promise<void> {
    await this.page.waitForSelector(
      `[data-testid="conversation"] [data-testid="checklist-item"][data-item="${item}"][data-status="${status}"]`,
      { timeout },
    );
  }

  /** Says "this is wrong" on a rule's warning, with an optional reason. */
  async markWrong(rule: string, reason?: string): Promise<void> {
    const card = this.finding(rule);
    await card.locator('[data-testid="warning-wrong"]').click();
    if (reason) await card.locator('[data-testid="warning-wrong-reason"]').fill(reason);
    await card.locator('[data-testid="warning-wrong-send"]').click();
  }

  /** Feedback the panel recorded on this device (queued for the QA endpoint). */
  async storedFeedback(): Promise<{ type: string; ruleId?: string; reason?: string; synced: boolean }[]> {
    return this.page.evaluate(
      async () =>
        ((await chrome.storage.local.get('sotto:feedback'))['sotto:feedback'] ?? []) as {
          type: string;
          ruleId?: string;
          reason?: string;
          synced: boolean;
        }[],
    );
  }

  /** Chooses the panel language in its settings (overrides the browser's). */
  async setLanguage(lang: 'auto' | 'zh_CN' | 'zh_TW' | 'en'): Promise<void> {
    const open = this.page.locator('[data-testid="open-settings"]');
    if ((await open.getAttribute('aria-expanded')) !== 'true') await open.click();
    await this.page.locator('[data-testid="setting-language"]').selectOption(lang);
    await this.page.waitForFunction(
      (l) =>
        document.documentElement.lang ===
        (l === 'auto' ? document.documentElement.lang : l.replace('_', '-')),
      lang,
    );
    await open.click();
  }

  /** axe-core on the panel; returns the serious and critical violations. */
  async axe(): Promise<{ id: string; impact: string; nodes: string[] }[]> {
    const require = createRequire(import.meta.url);
    const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    // Evaluated through the DevTools protocol, which the page's CSP does not restrict.
    await this.page.evaluate(source);
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
}
