/**
 * The draft link's browser ends (lib/adapters/draft-link.ts): the offscreen document hands its end
 * of a MessageChannel to the extension's service worker with `ServiceWorker.postMessage` (a
 * transferable; runtime messaging can only carry JSON), and the service worker takes it from our
 * own offscreen document only. Chrome only: the Firefox build runs its workers in the background
 * page, which asks them directly.
 */
import { browser } from 'wxt/browser';
import type { LinkPort } from '@/lib/adapters/draft-link';
import { parseMessage } from '@/lib/messages';
import { OFFSCREEN_PATH } from './offscreen';

/** Offscreen document: gives `port` to the service worker (woken if it was stopped). */
export async function offerLink(port: MessagePort): Promise<void> {
  const registration = await navigator.serviceWorker.ready;
  const sw = registration.active;
  if (!sw) throw new Error('the extension has no active service worker');
  sw.postMessage({ type: 'link' }, [port]);
}

/**
 * Service worker: calls `take` with each link our offscreen document offers. Registered when the
 * service worker starts, so that an offer that wakes it is not missed.
 */
export function onLink(take: (port: LinkPort) => void): void {
  const scope = globalThis as unknown as Partial<EventTarget> & { clients?: unknown };
  // Not a service worker (the Firefox background page): there is no link to take.
  if (typeof scope.addEventListener !== 'function' || scope.clients === undefined) return;
  const offscreenUrl = browser.runtime.getURL(OFFSCREEN_PATH);
  scope.addEventListener('message', (ev) => {
    const e = ev as MessageEvent & { source: { url?: string } | null };
    if (e.source?.url !== offscreenUrl) return;
    const r = parseMessage(e.data);
    const port = e.ports[0];
    if (r.ok && r.message.type === 'link' && port) take(port as unknown as LinkPort);
  });
}
