/**
 * The side panel's side of sync: appeals and "this is wrong" go into the IndexedDB outbox the
 * service worker drains (the same database, same extension origin), and the agent's appeal
 * decisions are read from the endpoint with this device's token. Settings come from local storage
 * merged with enterprise policy, exactly as the service worker reads them.
 */
import { browser } from 'wxt/browser';
import type { FeedbackOutbox } from '@/components/panel/feedback';
import { type AppealStatus, FeedbackItem, fetchAppeals } from '@/lib/sync/feedback';
import { type Feature, StoredDevice, type SyncSettings, mergeSettings } from '@/lib/sync/config';
import { IdbFeedbackOutbox } from './outbox-store';
import { send } from './runtime';

export const SYNC_SETTINGS_KEY = 'sotto:sync-settings';
const DEVICE_KEY = 'sotto:device';

/** The enterprise policy (`storage.managed`); empty where none is set or the browser has none. */
export async function readPolicy(): Promise<Record<string, unknown>> {
  try {
    return ((await browser.storage.managed.get(null)) ?? {}) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export async function syncSettings(): Promise<SyncSettings> {
  const local = (await browser.storage.local.get(SYNC_SETTINGS_KEY))[SYNC_SETTINGS_KEY];
  return mergeSettings(local, await readPolicy());
}

/**
 * Whether policy or the options page turned a feature off. Unreadable settings leave it on, as
 * an absent switch does.
 */
export async function featureOff(name: Feature): Promise<boolean> {
  return (await syncSettings().catch(() => undefined))?.features?.[name] === false;
}

/** Calls `fn` when the local sync settings or the enterprise policy change. */
export function onSyncSettingsChanged(fn: () => void): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'managed' || SYNC_SETTINGS_KEY in changes) fn();
  });
}

/** The endpoint and this device's token, when sync is set up and the device is enrolled. */
export async function syncTarget(): Promise<{ endpoint: string; token: string } | undefined> {
  const s = await syncSettings().catch(() => undefined);
  if (!s?.endpoint) return undefined;
  const d = StoredDevice.safeParse((await browser.storage.local.get(DEVICE_KEY))[DEVICE_KEY]);
  if (!d.success || d.data.endpoint !== s.endpoint) return undefined;
  return { endpoint: s.endpoint, token: d.data.token };
}

let outbox: IdbFeedbackOutbox | undefined;
const db = () => {
  outbox ??= new IdbFeedbackOutbox();
  return outbox;
};

export const panelFeedbackOutbox: FeedbackOutbox = {
  async queue(events) {
    const items = events.flatMap((e) => {
      const r = FeedbackItem.safeParse({
        id: e.id,
        type: e.type,
        conversationId: e.conversationId,
        ruleId: e.ruleId,
        findingId: e.findingId,
        reason: e.reason,
        ts: e.ts,
      });
      return r.success ? [r.data] : [];
    });
    if (items.length === 0) return;
    await db().add(items, Date.now());
    // The service worker sends it now if it can; otherwise its alarm does later.
    await send({ type: 'sync-now' }).catch(() => {});
  },
  async states(ids) {
    const entries = await db().get(ids);
    return new Map(
      entries.map((e) => [
        e.id,
        e.reason !== undefined ? { state: e.state, reason: e.reason } : { state: e.state },
      ]),
    );
  },
};

/** The agent's appeals as QA sees them; undefined when sync is not set up or the endpoint is away. */
export async function loadAppeals(): Promise<Map<string, AppealStatus> | undefined> {
  const target = await syncTarget();
  if (!target) return undefined;
  return fetchAppeals({ ...target, fetch: (url, init) => fetch(url, init) }).catch(() => undefined);
}
