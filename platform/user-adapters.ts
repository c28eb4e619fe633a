/** User adapters in `storage.local` (see lib/adapters/user-adapters.ts for what they are). */
import { browser } from 'wxt/browser';
import { readUserAdapters, USER_ADAPTERS_KEY, type UserAdapters } from '@/lib/adapters/user-adapters';
import type { AdapterSpec } from '@/lib/adapters/spec';

export async function loadUserAdapters(): Promise<UserAdapters> {
  const got = await browser.storage.local.get(USER_ADAPTERS_KEY);
  return readUserAdapters(got[USER_ADAPTERS_KEY]);
}

export async function saveUserAdapters(specs: readonly AdapterSpec[]): Promise<void> {
  await browser.storage.local.set({ [USER_ADAPTERS_KEY]: specs });
}

/** Calls `fn` with the new list whenever any context changes the user adapters. */
export function onUserAdaptersChanged(fn: (next: UserAdapters) => void): () => void {
  const listener = (changes: Record<string, { newValue?: unknown }>, area: string) => {
    if (area === 'local' && USER_ADAPTERS_KEY in changes)
      fn(readUserAdapters(changes[USER_ADAPTERS_KEY]?.newValue));
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}
