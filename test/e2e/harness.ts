/**
 * Launches Debian's Chromium with the production build of the extension loaded, as a user would
 * have it, and gives tests the extension id, the service worker and CDP helpers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, type CDPSession, type Page, type Worker, chromium } from 'playwright-core';
import { DEV_EXTENSION_ID } from '../../lib/extension-key';
import { INSTALL_HINT, PLAIN_CHROMIUM_FLAGS, findChromium } from './chromium';

export const EXTENSION_DIR = resolve(
  process.env.SOTTO_EXTENSION_DIR ?? join(process.env.SOTTO_OUT_DIR ?? '.output', 'chrome-mv3'),
);

export interface Launched {
  context: BrowserContext;
  extensionId: string;
  userDataDir: string;
  serviceWorker(): Promise<Worker>;
  cdp(): Promise<CDPSession>;
  close(): Promise<void>;
}

export function chromiumArgs(extDir: string, headless: boolean, extra: string[] = []): string[] {
  return [
    ...(headless ? ['--headless=new'] : []),
    ...PLAIN_CHROMIUM_FLAGS,
    `--disable-extensions-except=${extDir}`,
    `--load-extension=${extDir}`,
    ...extra,
  ];
}

export async function launch(
  opts: { headless?: boolean; args?: string[]; locale?: string } = {},
): Promise<Launched> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(INSTALL_HINT);
  const userDataDir = mkdtempSync(join(tmpdir(), 'sotto-e2e-'));
  const headless = opts.headless ?? !process.env.DISPLAY;
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: false, // the new headless mode, passed as a flag, is the one that runs extensions
    args: chromiumArgs(EXTENSION_DIR, headless, opts.args),
    ignoreDefaultArgs: ['--disable-extensions'],
    viewport: { width: 1280, height: 800 },
    ...(opts.locale ? { locale: opts.locale } : {}),
  });
  const serviceWorker = async (): Promise<Worker> => {
    const existing = context
      .serviceWorkers()
      .find((w) => w.url().startsWith(`chrome-extension://${DEV_EXTENSION_ID}/`));
    if (existing) return existing;
    return context.waitForEvent('serviceworker', {
      predicate: (w) => w.url().startsWith(`chrome-extension://${DEV_EXTENSION_ID}/`),
    });
  };
  const sw = await serviceWorker();
  const extensionId = new URL(sw.url()).host;
  let session: CDPSession | undefined;
  return {
    context,
    extensionId,
    userDataDir,
    serviceWorker,
    async cdp() {
      session ??= await context.browser()!.newBrowserCDPSession();
      return session;
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Stops every service worker, as Chrome does after 30 s idle or under memory pressure. */
export async function stopServiceWorkers(l: Launched, page: Page): Promise<void> {
  const s = await l.context.newCDPSession(page);
  await s.send('ServiceWorker.enable');
  await s.send('ServiceWorker.stopAllWorkers');
  await s.detach();
}
