/**
 * The offscreen document follows the endpoint's document push (`/v1/documents/changes`) too, with
 * the device token the background hands it (issue 9): Chrome stops an idle service worker, and a
 * stopped one hears no push, while this document lives as long as analysis runs. Each event is
 * forwarded as a `documents-changed` message, which wakes the service worker; it compares ETags
 * and checks what changed (platform/team-documents.ts), so an event it also heard itself costs
 * nothing. This document has only `chrome.runtime`: it stores nothing and fetches no document.
 */
import { parseMessage, senderKind } from '@/lib/messages';
import type { DocumentChange } from '@/lib/sync/protocol';
import { followDocumentChanges } from '@/lib/sync/document-changes';
import { extensionId, extensionOrigin, listen, send } from '@/platform/runtime';

/** What `documents-changed` carries at most per message (the opening snapshot can be longer). */
const PER_MESSAGE = 30;

let following: { key: string; ac: AbortController } | undefined;

function forward(changes: DocumentChange[]): void {
  for (let i = 0; i < changes.length; i += PER_MESSAGE) {
    void send({ type: 'documents-changed', changes: changes.slice(i, i + PER_MESSAGE) }).catch((e: unknown) =>
      console.warn('[sotto] document change not delivered to the service worker:', e),
    );
  }
}

/** Follows with this endpoint and token; an unchanged pair keeps the running follow, none stops it. */
function follow(endpoint: string | undefined, token: string | undefined): void {
  const key = endpoint && token ? `${endpoint}\n${token}` : '';
  if (following?.key === key) return;
  following?.ac.abort();
  following = undefined;
  if (!endpoint || !token) return;
  const me = { key, ac: new AbortController() };
  following = me;
  void followDocumentChanges({
    endpoint,
    fetch: (url, init) => fetch(url, init),
    getToken: () => token,
    signal: me.ac.signal,
    // Not awaited: the service worker's check must not hold up reading the stream.
    onChanges: forward,
    onStatus: (st) => {
      if (!st.connected) console.info('[sotto] document push (offscreen):', st.error ?? 'disconnected');
    },
  }).then((outcome) => {
    // Refused (token revoked or rotated): the background hands over the next one.
    if (outcome === 'refused' && following === me) following = undefined;
  });
}

listen((raw, sender) => {
  if ((raw as { target?: string } | null)?.target !== 'offscreen-push') return undefined;
  const r = parseMessage(raw);
  if (!r.ok || r.message.type !== 'document-push')
    return Promise.resolve({ ok: false, reason: r.ok ? 'not a document-push message' : r.reason });
  if (senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page')
    return Promise.resolve({ ok: false, reason: 'document-push is accepted from the background only' });
  follow(r.message.endpoint, r.message.token);
  return Promise.resolve({ ok: true });
});

// Starting: ask the background what to follow with (it hands over changes itself later on).
void send<{ ok: boolean; reply?: { endpoint?: string; token?: string } } | undefined>({
  type: 'document-push-config',
})
  .then((r) => {
    if (r?.ok && !following) follow(r.reply?.endpoint, r.reply?.token);
  })
  .catch(() => {});
