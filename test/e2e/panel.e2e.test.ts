/**
 * The agent's side panel end to end (issue 8): demo desk → extension → side panel, in Debian's
 * Chromium with the production build. An angry customer and a forbidden promise, each in Chinese
 * and English: the right warning (with its evidence highlighted) and hint appear, the must-say
 * checklist ticks, "this is wrong" is kept on the device for sync; axe finds nothing serious;
 * screenshots in light and dark, zh and en go to docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer } from '../fixtures/serve';
import { type Launched, launch } from './harness';
import { Desk } from './pages/desk';
import { SidePanel } from './pages/sidepanel';

const SHOTS = join(import.meta.dirname, '../../docs/screenshots');

let server: Awaited<ReturnType<typeof startFixtureServer>>;
let l: Launched;
let panel: SidePanel;
let desk: Desk;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startFixtureServer({ port: 0 });
  l = await launch();
  panel = await SidePanel.open(l);
  desk = await Desk.open(l.context, server.url);
});

afterAll(async () => {
  await l?.close();
  await server?.close();
});

/**
 * The agent sends a line. When the pre-send check stops it, the agent sends it anyway from the
 * check's card (focus starts on "use the rewrite"; Tab reaches "send anyway"), as an agent who
 * ignores the warning would.
 */
async function agentSays(conversationId: string, text: string): Promise<void> {
  const id = await desk.agentSends(conversationId, text);
  if (id === null) {
    await desk.page.waitForFunction(
      ([c, t]) => {
        const w = window as unknown as { sottoDesk: { messages(c: string): { text: string }[] } };
        return document.querySelector('sotto-presend') || w.sottoDesk.messages(c!).some((m) => m.text === t);
      },
      [conversationId, text],
    );
    if (await desk.page.$('sotto-presend')) {
      await desk.page.keyboard.press('Tab');
      await desk.page.keyboard.press('Enter');
    }
  }
  await desk.page.waitForFunction(
    ([c, t]) =>
      (window as unknown as { sottoDesk: { messages(c: string): { text: string }[] } }).sottoDesk
        .messages(c!)
        .some((m) => m.text === t),
    [conversationId, text],
  );
}

/** Plays a scenario turn by turn: customer and system lines arrive, agent lines are sent by the agent. */
async function playStepwise(scenarioId: string, conversationId: string): Promise<string> {
  const c = await desk.load(scenarioId, conversationId);
  const turns = await desk.page.evaluate(async (id) => {
    const res = await fetch(`../scenarios/${id}.json`);
    return ((await res.json()) as { turns: { speaker: string; text: string; edits?: number }[] }).turns;
  }, scenarioId);
  for (const t of turns) {
    if (t.edits !== undefined) continue;
    if (t.speaker === 'agent') await agentSays(c, t.text);
    else if (t.speaker === 'customer') await desk.customerSays(c, t.text);
    else
      await desk.page.evaluate(
        ([cid, text]) =>
          (
            window as unknown as { sottoDesk: { systemSays(c: string, t: string): string } }
          ).sottoDesk.systemSays(cid!, text!),
        [c, t.text],
      );
  }
  return c;
}

async function evidenceOf(rule: string): Promise<string[]> {
  return (await panel.readFindings()).filter((f) => f.rule === rule).flatMap((f) => f.evidence);
}

async function highlighted(): Promise<string[]> {
  return panel.page.$$eval('[data-testid="conversation"] [data-testid="highlight"]', (els) =>
    els.map((e) => e.textContent ?? ''),
  );
}

async function shoot(name: string, scheme: 'light' | 'dark'): Promise<void> {
  await panel.page.emulateMedia({ colorScheme: scheme });
  await panel.page.setViewportSize({ width: 400, height: 1100 });
  await panel.page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
  await panel.page.emulateMedia({ colorScheme: 'light' });
}

describe('angry customer', () => {
  it('zh: threat warning with the words highlighted, de-escalation hint with the name, checklist ticks, "this is wrong" kept', async () => {
    await panel.setLanguage('zh_CN');
    const c = await playStepwise('angry-zh-hans', 'p-angry-zh');
    await panel.select(c);
    await panel.waitForFinding('general.customer-threat');
    expect((await evidenceOf('general.customer-threat')).join(' ')).toContain('12315');
    expect(await highlighted()).toContain('12315');
    const card = panel.finding('general.customer-threat');
    expect(await card.getAttribute('data-severity')).toBe('critical');
    expect(await card.locator('[data-testid="warning-reason"]').textContent()).toMatch(/12315|发微博/);

    await panel.waitForHint('script:threat.deescalate');
    const hint = (await panel.readHints()).find((h) => h.id === 'script:threat.deescalate')!;
    expect(hint.text.startsWith('王女士，')).toBe(true);

    await panel.waitForChecklist('closing', 'done');
    expect(await panel.readChecklist()).toMatchObject({ greeting: 'done', apology: 'done', closing: 'done' });
    expect(await panel.page.locator('[data-testid="current-intent"]').getAttribute('data-intent')).not.toBe(
      '',
    );
    expect(await panel.page.locator('[data-testid="mood-cell"]').count()).toBeGreaterThan(3);

    await shoot('panel-zh-angry', 'light');
    await shoot('panel-zh-angry', 'dark');

    await panel.markWrong('general.customer-threat', '客户是在陈述上次的经历');
    await panel.page.waitForSelector('[data-testid="wrong-recorded"]');
    expect(await panel.finding('general.customer-threat').count()).toBe(0);
    const fb = await panel.storedFeedback();
    expect(fb).toContainEqual(
      expect.objectContaining({
        type: 'wrong',
        ruleId: 'general.customer-threat',
        reason: '客户是在陈述上次的经历',
        synced: false,
      }),
    );
    await panel.page.waitForSelector('[data-testid="status-sync"][data-queued="1"]');
  });

  it('en: threat warning and de-escalation hint with the customer name, greeting and apology tick', async () => {
    await panel.setLanguage('en');
    const c = await playStepwise('billing-en', 'p-angry-en');
    await desk.customerSays(
      c,
      "This is unacceptable. If it isn't fixed today I'll dispute the charge and go to the press.",
    );
    await panel.select(c);
    await panel.waitForFinding('general.customer-threat');
    expect((await evidenceOf('general.customer-threat')).join(' ')).toMatch(
      /dispute the charge|go to the press/,
    );
    expect((await highlighted()).join(' ')).toMatch(/dispute the charge|go to the press/);
    await panel.waitForHint('script:threat.deescalate');
    const hint = (await panel.readHints()).find((h) => h.id === 'script:threat.deescalate')!;
    expect(hint.text.startsWith('Mark,')).toBe(true);
    expect(await panel.readChecklist()).toMatchObject({ greeting: 'done', apology: 'done' });

    // Insert: the console's content script puts the text in the compose box; copy when it cannot.
    await panel.page.locator(`[data-hint="script:threat.deescalate"] [data-testid="hint-insert"]`).click();
    const outcome = panel.page.locator('[data-hint="script:threat.deescalate"] [data-testid="hint-outcome"]');
    await outcome.waitFor();
    if ((await outcome.getAttribute('data-outcome')) === 'inserted')
      expect(await desk.page.locator('#compose-input').inputValue()).toBe(hint.text);

    await shoot('panel-en-angry', 'light');
    await shoot('panel-en-angry', 'dark');

    await panel.markWrong('general.customer-threat');
    await panel.page.waitForSelector('[data-testid="wrong-recorded"]');
    expect(await panel.storedFeedback()).toContainEqual(
      expect.objectContaining({ type: 'wrong', ruleId: 'general.customer-threat' }),
    );
  });
});

describe('forbidden promise', () => {
  it('zh: auto-fail warning with a countdown and what to say instead; the disclosure ticks the checklist; correcting clears it', async () => {
    await panel.setLanguage('zh_CN');
    const c = await desk.load('finance-zh-hans', 'p-promise-zh');
    await desk.customerSays(c, '你好，这个理财保本吗？我怕亏钱。');
    await agentSays(c, '您好，您放心，这款产品保本保息，稳赚不赔。');
    await panel.select(c);
    await panel.waitForFinding('finance.no-guaranteed-returns');
    const card = panel.finding('finance.no-guaranteed-returns');
    expect(await card.getAttribute('data-severity')).toBe('auto-fail');
    expect(await card.locator('[data-testid="countdown"]').count()).toBe(1);
    expect(await card.locator('[data-testid="warning-reason"]').textContent()).toContain('投资有风险');
    expect((await highlighted()).join(' ')).toMatch(/保本|稳赚/);
    await panel.waitForHint('script:promise.realistic');
    expect((await panel.readChecklist())['risk-disclosure']).toMatch(/pending|overdue/);

    await shoot('panel-zh-promise', 'light');
    await shoot('panel-zh-promise', 'dark');

    await agentSays(c, '更正一下：理财非存款，投资有风险，该产品不保本。');
    await panel.waitForChecklist('risk-disclosure', 'done');
    await card.locator('[data-testid="warning-corrected"]').click();
    expect(await panel.page.locator('[data-testid="countdown"]').count()).toBe(0);
    expect(await panel.storedFeedback()).toContainEqual(
      expect.objectContaining({ type: 'resolved', ruleId: 'finance.no-guaranteed-returns' }),
    );
  });

  it('en: the promise is flagged with its evidence and a realistic-timing hint; "this is wrong" is recorded with a reason', async () => {
    await panel.setLanguage('en');
    const c = await desk.load('calm-en', 'p-promise-en');
    await desk.customerSays(c, "Is this savings fund safe? I really can't afford to lose money.");
    await agentSays(c, "Hello! Don't worry, it's a guaranteed return and you can't lose.");
    await panel.select(c);
    await panel.waitForFinding('finance.no-guaranteed-returns');
    expect((await evidenceOf('finance.no-guaranteed-returns')).join(' ')).toMatch(
      /guaranteed return|can't lose/,
    );
    expect(
      await panel
        .finding('finance.no-guaranteed-returns')
        .locator('[data-testid="warning-reason"]')
        .textContent(),
    ).toContain('investments carry risk');
    await panel.waitForHint('script:promise.realistic');
    expect((await panel.readChecklist())['risk-disclosure']).toMatch(/pending|overdue/);
    await shoot('panel-en-promise', 'light');
    await shoot('panel-en-promise', 'dark');
    await agentSays(c, 'To be clear: investments carry risk and returns are not guaranteed.');
    await panel.waitForChecklist('risk-disclosure', 'done');

    await panel.markWrong('finance.no-guaranteed-returns', 'quoting the customer');
    expect(await panel.storedFeedback()).toContainEqual(
      expect.objectContaining({
        type: 'wrong',
        ruleId: 'finance.no-guaranteed-returns',
        reason: 'quoting the customer',
      }),
    );
  });
});

describe('accessibility and layout', () => {
  it('has no serious or critical axe violations in light and dark', async () => {
    await panel.select('p-angry-en');
    for (const scheme of ['light', 'dark'] as const) {
      await panel.page.emulateMedia({ colorScheme: scheme });
      expect(await panel.axe(), scheme).toEqual([]);
    }
    await panel.page.emulateMedia({ colorScheme: 'light' });
  });

  it('stays readable at 320 px and at 200 % zoom (no sideways scrolling)', async () => {
    for (const width of [320, 160]) {
      // 200 % zoom of a 320 px panel leaves 160 CSS px.
      await panel.page.setViewportSize({ width, height: 800 });
      const overflow = await panel.page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      const wide = await panel.page.evaluate(
        (w) =>
          Array.from(document.querySelectorAll<HTMLElement>('body *'))
            .filter((e) => e.getBoundingClientRect().right > w + 0.5)
            .slice(0, 5)
            .map((e) => `${e.tagName}.${e.className}`),
        width,
      );
      expect(overflow, `${width}px: ${wide.join(', ')}`).toBeLessThanOrEqual(0);
    }
  });

  it('reaches every control by Tab with a visible focus ring', async () => {
    await panel.page.setViewportSize({ width: 400, height: 900 });
    await panel.page.locator('[data-testid="mode-agent"]').focus();
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      await panel.page.keyboard.press('Tab');
      const f = await panel.page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el) return null;
        const s = getComputedStyle(el);
        return { id: el.getAttribute('data-testid') ?? el.tagName, outline: s.outlineStyle };
      });
      if (!f || f.id === 'BODY') continue; // focus left the page after the last control
      expect(f.outline, f.id).not.toBe('none');
      seen.add(f.id);
    }
    for (const id of ['conversation-tab', 'hint-insert', 'hint-copy', 'warning-wrong', 'open-settings'])
      expect(seen, id).toContain(id);
  });
});
