/**
 * The one seam to `browser.runtime` messaging (uBlock's vAPI idea): everything else sees typed
 * messages from lib/messages.ts and a plain `SenderInfo`.
 */
import { browser } from 'wxt/browser';
import type { Message } from '@/lib/messages';
import type { SenderInfo } from '@/lib/messages';

export const extensionId = (): string => browser.runtime.id;
export const extensionOrigin = (): string => browser.runtime.getURL('/').replace(/\/$/, '');
export const extensionUrl = (path: string): string => browser.runtime.getURL(path as '/');

export function toSenderInfo(sender: {
  id?: string;
  url?: string;
  tab?: { id?: number };
  origin?: string;
  frameId?: number;
}): SenderInfo {
  const info: SenderInfo = {};
  if (sender.id !== undefined) info.id = sender.id;
  if (sender.url !== undefined) info.url = sender.url;
  if (sender.tab?.id !== undefined) info.tabId = sender.tab.id;
  if (sender.origin !== undefined) info.origin = sender.origin;
  if (sender.frameId !== undefined) info.frameId = sender.frameId;
  return info;
}

/** Sends a message to the background (or any extension page listening) and returns its reply. */
export function send<T = unknown>(msg: Message): Promise<T> {
  return browser.runtime.sendMessage(msg) as Promise<T>;
}

export type Handler = (raw: unknown, sender: SenderInfo) => Promise<unknown> | undefined;

/** Listens for runtime messages; a handler returning undefined leaves the message to others. */
export function listen(handler: Handler): () => void {
  const fn = (
    raw: unknown,
    sender: Parameters<Parameters<typeof browser.runtime.onMessage.addListener>[0]>[1],
    sendResponse: (r: unknown) => void,
  ) => {
    const p = handler(raw, toSenderInfo(sender));
    if (!p) return false;
    p.then(sendResponse, (e: unknown) => sendResponse({ ok: false, reason: String(e) }));
    return true; // keep the channel open for the async reply
  };
  browser.runtime.onMessage.addListener(fn);
  return () => browser.runtime.onMessage.removeListener(fn);
}

export interface PortLike {
  post(msg: Message): void;
  onMessage(fn: (raw: unknown) => void): void;
  onDisconnect(fn: () => void): void;
  /** Closes this end; the other end's onDisconnect fires (Chrome closes the whole channel). */
  disconnect(): void;
}

export function connect(name: string): PortLike {
  const port = browser.runtime.connect({ name });
  return wrapPort(port);
}

export function onConnect(name: string, fn: (port: PortLike, sender: SenderInfo) => void): void {
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== name) return;
    fn(wrapPort(port), toSenderInfo(port.sender ?? {}));
  });
}

function wrapPort(port: ReturnType<typeof browser.runtime.connect>): PortLike {
  return {
    post: (msg) => port.postMessage(msg),
    onMessage: (fn) => port.onMessage.addListener((m: unknown) => fn(m)),
    onDisconnect: (fn) => port.onDisconnect.addListener(() => fn()),
    disconnect: () => port.disconnect(),
  };
}
