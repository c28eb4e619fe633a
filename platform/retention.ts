/**
 * Applies the on-device retention window: reads the policy and local setting, deletes expired
 * conversations from the session store, and logs how many went. Woken daily by an alarm and at
 * start-up, so a laptop that sleeps through the alarm still purges when it wakes.
 */
import { retentionCutoff, retentionDaysOf } from '@/lib/background/retention';
import { syncSettings } from './panel-sync';
import type { IdbSessionStore } from './session-store';

export const RETENTION_ALARM = 'sotto-retention';

export async function currentRetentionDays(): Promise<number> {
  return retentionDaysOf(await syncSettings());
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
