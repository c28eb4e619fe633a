/**
 * Host access per console origin (issue #6): the manifest asks for no site up front, only
 * `optional_host_permissions`; the agent grants one console origin at a time from the side panel.
 */
import { browser } from 'wxt/browser';

/** Origins (match patterns) the extension may run on now, http(s) only. */
export async function grantedOrigins(): Promise<string[]> {
  const all = await browser.permissions.getAll();
  return (all.origins ?? []).filter((o) => /^(\*|https?):\/\//.test(o));
}

export function hasOrigin(pattern: string): Promise<boolean> {
  return browser.permissions.contains({ origins: [pattern] });
}

/**
 * Asks the user for one origin. Chrome requires a user gesture: call this synchronously from the
 * click handler, before any `await`.
 */
export function requestOrigin(pattern: string): Promise<boolean> {
  return browser.permissions.request({ origins: [pattern] });
}

export function removeOrigin(pattern: string): Promise<boolean> {
  return browser.permissions.remove({ origins: [pattern] });
}

/** Calls `fn` whenever host access is granted or taken back (also from the browser's own UI). */
export function onOriginsChanged(fn: (change: { added: string[]; removed: string[] }) => void): () => void {
  const added = (p: { origins?: string[] }) => fn({ added: p.origins ?? [], removed: [] });
  const removed = (p: { origins?: string[] }) => fn({ added: [], removed: p.origins ?? [] });
  browser.permissions.onAdded.addListener(added);
  browser.permissions.onRemoved.addListener(removed);
  return () => {
    browser.permissions.onAdded.removeListener(added);
    browser.permissions.onRemoved.removeListener(removed);
  };
}

/**
 * The page in the window's active tab. Its URL is known when Sotto has access to it, or for the
 * tab the toolbar button was clicked on (activeTab); otherwise only the id.
 */
export async function activeTab(): Promise<{ tabId: number; url?: string } | undefined> {
  const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
  if (tab?.id === undefined) return undefined;
  return tab.url ? { tabId: tab.id, url: tab.url } : { tabId: tab.id };
}
