/**
 * Where "send anyway" overrides wait for their sent turn between service-worker lives:
 * `storage.session` (memory only, cleared with the browser session, never written to disk), so a
 * worker stopped between the override and the sent turn does not lose the finding.
 */
import { browser } from 'wxt/browser';
import type { OverrideStore } from '@/lib/adapters/presend-override';

const KEY = 'sotto:presend-overrides';

export function overrideStore(): OverrideStore {
  const area = () => browser.storage.session ?? browser.storage.local;
  return {
    async load() {
      return (await area().get(KEY))[KEY];
    },
    async save(items) {
      if (items.length === 0) await area().remove(KEY);
      else await area().set({ [KEY]: items });
    },
  };
}
