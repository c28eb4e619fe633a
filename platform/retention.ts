/**
 * Applies the on-device retention window: reads the policy and local setting, deletes expired
 * conversations from the session store, and logs how many went. Woken daily by an alarm and at
 * start-up, so a laptop that sleeps through the alarm still purges when it wakes.
 */
import { browser } from 'wxt/browser';
import { retentionCutoff, retentionDays } from '@/lib/background/retention';
import type { IdbSessionStore } from './session-store';

export const RETENTION_ALARM = 'sotto-retention';
const LOCAL_KEY = 'sotto:sync-settings';

export async function currentRetentionDays(): Promise<number> {
  const local = (await browser.storage.local.get(LOCAL_KEY))[LOCAL_KEY];
  // storage.managed throws where no policy schema is supported (Firefox without policy).
  const managed = await browser.storage.managed.get('retentionDays').catch(() => ({}));
  return retentionDays(local, managed);
}

export async function applyRetention(
  store: Pick<IdbSessionStore, 'purgeBefore'>,
  log: (level: 'info' | 'warn', msg: string) => void,
  now = Date.now(),
): Promise<string[]> {
  const days = await currentRetentionDays();
  const purged = await store.purgeBefore(retentionCutoff(now, days));
  if (purged.length)
    log('info', `retention: deleted ${purged.length} conversation(s) older than ${days} days`);
  return purged;
}
