/**
 * The options page in Chromium with the production build: reachable from the manifest, every
 * control usable from the keyboard, settings saved where the service worker and side panel read
 * them, the language override applied, axe finds nothing serious in light or dark.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Launched, launch } from './harness';
import { SidePanel } from './pages/sidepanel';

const SHOTS = join(import.meta.dirname, '../../docs/screenshots');
let l: Launched;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  l = await launch({ locale: 'en-US' });
  const sw = await l.serviceWorker();
  const manifest = await sw.evaluate(() => chrome.runtime.getManifest());
  expect(manifest.options_ui?.page).toBe('options.html');
  page = await l.context.newPage();
  await page.goto(`chrome-extension://${l.extensionId}/options.html`);
  await page.waitForSelector('[data-testid="options"]');
});

afterAll(async () => {
  await l?.close();
});

const stored = () =>
  page.evaluate(async () => chrome.storage.local.get(['sotto:sync-settings', 'sotto:panel-settings']));

describe('options page', () => {
  it('saves every setting from the keyboard where sync and the panel read it', async () => {
    await page.locator('[data-testid="opt-endpoint"]').focus();
    await page.keyboard.type('http://localhost:8787');
    await page.keyboard.press('Tab');
    await page.keyboard.type('ENROL-CODE-42');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab'); // past the sync mode select to retention
    await page.keyboard.press('Control+A');
    await page.keyboard.type('7');
    await page.keyboard.press('Tab'); // pre-send check
    await page.keyboard.press('Tab'); // call audio
    await page.keyboard.press('Space');
    await page.locator('[data-testid="opt-sync-mode"]').selectOption('transcripts-redacted');
    await page.locator('[data-testid="opt-quiet"]').focus();
    await page.keyboard.press('Space');
    await page.locator('[data-testid="opt-save"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="opt-status"][data-kind="saved"]');
    const s = await stored();
    expect(s['sotto:sync-settings']).toMatchObject({
      endpoint: 'http://localhost:8787',
      enrolmentCode: 'ENROL-CODE-42',
      syncMode: 'transcripts-redacted',
      retentionDays: 7,
      features: { presendCheck: true, callAudio: false, hints: true, leadMode: true },
    });
    expect(s['sotto:panel-settings']).toMatchObject({ quiet: true, lang: 'auto' });
    // No policy in this browser: nothing is locked.
    expect(await page.locator('[data-testid="policy-banner"]').count()).toBe(0);
    expect(await page.locator('input:disabled, select:disabled').count()).toBe(0);
  });

  it('keeps the values after a reload and switches language on save', async () => {
    await page.reload();
    await page.waitForSelector('[data-testid="options"]');
    expect(await page.locator('[data-testid="opt-retention"]').inputValue()).toBe('7');
    await page.locator('[data-testid="opt-language"]').selectOption('zh_CN');
    await page.locator('[data-testid="opt-save"]').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Sotto 选项');
    expect((await stored())['sotto:panel-settings']).toMatchObject({ lang: 'zh_CN' });
    // The side panel follows the same override.
    const panel = await SidePanel.open(l);
    await panel.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await panel.page.close();
  });

  it('has no serious accessibility problems in light and dark', async () => {
    const axe = new SidePanel(page);
    expect(await axe.axe()).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'options-zh-light.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axe.axe()).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'options-zh-dark.png'), fullPage: true });
  });
});
