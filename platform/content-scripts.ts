/**
 * The console content script is registered at run time for the origins the user granted
 * (`scripting.registerContentScripts`, kept across browser restarts), re-synced whenever a grant
 * is added or taken back, and injected into tabs already open on a newly granted origin.
 */
import { browser } from 'wxt/browser';
import type { Message } from '@/lib/messages';
import { usableOrigins } from '@/lib/policy/origins';
import { syncSettings } from './panel-sync';
import { grantedOrigins, onOriginsChanged } from './permissions';

export const CONSOLE_SCRIPT_ID = 'sotto-console';
/** WXT builds `entrypoints/content/index.ts` (registration: 'runtime') to this file. */
export const CONSOLE_SCRIPT_FILE = 'content-scripts/content.js';

type Log = (level: 'info' | 'warn', msg: string, data?: Record<string, unknown>) => void;

/** Registers, updates or removes the one console script so it runs on exactly `origins`. */
export async function syncConsoleScript(origins: readonly string[]): Promise<void> {
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [CONSOLE_SCRIPT_ID] });
  if (origins.length === 0) {
    if (existing.length) await browser.scripting.unregisterContentScripts({ ids: [CONSOLE_SCRIPT_ID] });
    return;
  }
  const script = {
    id: CONSOLE_SCRIPT_ID,
    js: [CONSOLE_SCRIPT_FILE],
    matches: [...origins],
    runAt: 'document_idle' as const,
    allFrames: false,
    persistAcrossSessions: true,
  };
  const same =
    existing[0] &&
    JSON.stringify([...(existing[0].matches ?? [])].sort()) === JSON.stringify([...origins].sort());
  if (same) return;
  if (existing.length) await browser.scripting.updateContentScripts([script]);
  else await browser.scripting.registerContentScripts([script]);
}

/**
 * Runs a content script file in `target` unless the script runs there already: it sets `flag` in
 * this extension's isolated world while it runs. Throws when the tab refuses scripts.
 */
export async function injectUnlessRunning(
  target: { tabId: number; frameIds?: number[] },
  flag: string,
  file: string,
): Promise<void> {
  const [probe] = await browser.scripting.executeScript({
    target,
    func: (name: string) => Boolean((globalThis as Record<string, unknown>)[name]),
    args: [flag],
  });
  if (probe?.result) return;
  await browser.scripting.executeScript({ target, files: [file as '/content-scripts/content.js'] });
}

/** Runs the console script in open tabs of these origins where it is not running yet. */
export async function injectIntoOpenTabs(origins: readonly string[], log: Log): Promise<void> {
  if (origins.length === 0) return;
  const tabs = await browser.tabs.query({ url: [...origins] });
  for (const tab of tabs) {
    if (tab.id === undefined) continue;
    try {
      await injectUnlessRunning({ tabId: tab.id }, '__sottoConsole', `/${CONSOLE_SCRIPT_FILE}`);
    } catch (e) {
      // A tab that is navigating away or shows an error page: the registration covers its next load.
      log('info', `console script not injected in tab ${tab.id}: ${String(e)}`);
    }
  }
}

/**
 * Background wiring: keep the registration equal to the granted origins, now and on every change,
 * and attach to already open tabs right after a grant (no reload needed).
 */
export function watchConsoleAccess(log: Log): void {
  let chain: Promise<void> = Promise.resolve();
  const resync = (inject: boolean) => {
    chain = chain
      .then(async () => {
        // Enterprise policy `allowedOrigins` narrows what the user granted.
        const allowed = (await syncSettings().catch(() => undefined))?.allowedOrigins;
        const origins = usableOrigins(await grantedOrigins(), allowed);
        await syncConsoleScript(origins);
        if (inject) await injectIntoOpenTabs(origins, log);
      })
      .catch((e: unknown) => log('warn', `console script registration failed: ${String(e)}`));
  };
  onOriginsChanged(({ added }) => resync(added.length > 0));
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed') resync(true);
  });
  // On every service-worker start: registrations persist, but grants may have changed meanwhile.
  resync(true);
}

/** Sends a message straight to a tab's content script (the side panel's attach controls). */
export function askTab<T = unknown>(tabId: number, msg: Message | { type: string }): Promise<T> {
  return browser.tabs.sendMessage(tabId, msg) as Promise<T>;
}
