/**
 * The one "console attached" wait every e2e page object uses before a test touches a console.
 *
 * The console script is registered at run time (platform/content-scripts.ts), so a page opened
 * right after the browser starts may load before the registration exists, and any page may be
 * driven before the script has attached. Both are waited for explicitly, with bounds:
 * 1. before navigating, the service worker has registered the console script for the page's host;
 * 2. after loading, the script in the page's top frame has had its attach state acknowledged by
 *    the background (`__sottoAttachState` in the script's isolated world, read over CDP).
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { NO_ADAPTER_ID } from '../../../lib/adapters/user-adapters';
import { DEV_EXTENSION_ID } from '../../../lib/extension-key';

const SCRIPT_ID = 'sotto-console';
const POLL_MS = 100;

export interface AttachState {
  adapterId: string;
  url: string;
  attached: boolean;
  reason?: string;
}

/**
 * `attached`: an adapter (built-in or the user's) was chosen for the page and its reader, pre-send
 * check and hint insertion are listening; the state says whether the log was found and a
 * conversation is open (the demo desk with an empty inbox has none).
 * `reported`: the script runs and the background knows the page, with or without an adapter.
 */
export type AttachWait = 'attached' | 'reported';

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} (gave up after ${timeoutMs} ms)${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Waits until the console script is registered for `url`'s host (when the service worker runs). */
export async function consoleScriptRegistered(
  context: BrowserContext,
  url: string,
  timeoutMs = 20_000,
): Promise<void> {
  const host = new URL(url).hostname;
  await poll(`console script registration for ${host}`, timeoutMs, async () => {
    const sw = context
      .serviceWorkers()
      .find((w) => w.url().startsWith(`chrome-extension://${DEV_EXTENSION_ID}/`));
    // No service worker running: it finished starting earlier (registrations persist) — nothing to wait for.
    if (!sw) return true;
    const matches = await sw.evaluate(
      async (id) => (await chrome.scripting.getRegisteredContentScripts({ ids: [id] }))[0]?.matches ?? [],
      SCRIPT_ID,
    );
    return matches.some((m) => /^[a-z*]+:\/\/([^/]+)\//.exec(m)?.[1] === host) ? true : undefined;
  });
}

/** The isolated world our console script runs in, in the page's top frame. */
async function scriptContext(s: CDPSession, contexts: Map<number, { frameId?: string; origin: string }>) {
  const { frameTree } = (await s.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
  for (const [id, c] of contexts)
    if (c.frameId === frameTree.frame.id && c.origin === `chrome-extension://${DEV_EXTENSION_ID}`) return id;
  return undefined;
}

/**
 * Waits until the console script in `page` has reported its attach state and the background has
 * acknowledged it; with `attached`, until that state says attached. Returns the state.
 */
export async function waitForConsoleScript(
  page: Page,
  wait: AttachWait = 'attached',
  timeoutMs = 20_000,
): Promise<AttachState> {
  const s = await page.context().newCDPSession(page);
  const contexts = new Map<number, { frameId?: string; origin: string }>();
  s.on('Runtime.executionContextCreated', (e) => {
    const c = e.context as { id: number; origin: string; auxData?: { frameId?: string } };
    contexts.set(c.id, { origin: c.origin, ...(c.auxData?.frameId ? { frameId: c.auxData.frameId } : {}) });
  });
  s.on('Runtime.executionContextDestroyed', (e) => contexts.delete(e.executionContextId as number));
  s.on('Runtime.executionContextsCleared', () => contexts.clear());
  let last: AttachState | undefined;
  try {
    await s.send('Runtime.enable');
    return await poll(
      `console script in ${page.url()} ${wait === 'attached' ? 'attached' : 'reported'}`,
      timeoutMs,
      async () => {
        const id = await scriptContext(s, contexts);
        if (id === undefined) return undefined;
        const r = (await s.send('Runtime.evaluate', {
          expression: 'globalThis.__sottoAttachState',
          contextId: id,
          returnByValue: true,
        })) as { result: { value?: AttachState } };
        last = r.result.value;
        if (!last) return undefined;
        return wait === 'reported' || last.adapterId !== NO_ADAPTER_ID ? last : undefined;
      },
    ).catch((e: unknown) => {
      throw new Error(
        `${String(e)}; last state: ${last ? JSON.stringify(last) : 'none (script not running)'}`,
      );
    });
  } finally {
    await s.detach().catch(() => {});
  }
}

/** The console script's isolated world in the page's top frame, to evaluate in over CDP (tests, benches). */
export async function scriptWorld(page: Page): Promise<{ s: CDPSession; id: number }> {
  const s = await page.context().newCDPSession(page);
  const contexts: { id: number; origin: string; frameId?: string }[] = [];
  s.on('Runtime.executionContextCreated', (e) => {
    const c = e.context as { id: number; origin: string; auxData?: { frameId?: string } };
    contexts.push({
      id: c.id,
      origin: c.origin,
      ...(c.auxData?.frameId ? { frameId: c.auxData.frameId } : {}),
    });
  });
  await s.send('Runtime.enable');
  const { frameTree } = (await s.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
  const ctx = contexts.find(
    (c) => c.frameId === frameTree.frame.id && c.origin === `chrome-extension://${DEV_EXTENSION_ID}`,
  );
  if (!ctx) throw new Error('the console script is not running in the page');
  return { s, id: ctx.id };
}

export async function inWorld<T>(w: { s: CDPSession; id: number }, expression: string): Promise<T> {
  const r = (await w.s.send('Runtime.evaluate', {
    expression,
    contextId: w.id,
    awaitPromise: true,
    returnByValue: true,
  })) as { result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } };
  if (r.exceptionDetails)
    throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
  return r.result.value as T;
}

/**
 * Checks each of `drafts` in turn on a `presend` port from the console script's world, as the
 * console script asks while the agent types (lib/adapters/presend-direct.ts: one port, kept open,
 * an id per check); returns each round trip in ms. Every answer must have come on the port.
 * bench:presend and bench:host measure the keystroke check with it.
 */
export function presendPortRound(
  w: { s: CDPSession; id: number },
  conversationId: string,
  drafts: readonly string[],
): Promise<number[]> {
  return inWorld<number[]>(
    w,
    `(async () => {
      globalThis.__benchPort ??= await new Promise((ready, fail) => {
        const port = chrome.runtime.connect({ name: 'presend' });
        const waiting = new Map();
        let id = 0;
        const api = {
          ask: (text) => new Promise((resolve, reject) => {
            const n = id++;
            waiting.set(n, { resolve, reject });
            port.postMessage({ type: 'draft-check', id: n, conversationId: ${JSON.stringify(conversationId)}, text });
          }),
        };
        // The service worker says it took the port first.
        const timer = setTimeout(() => fail(new Error('the presend port was not taken')), 5000);
        port.onMessage.addListener((m) => {
          if (m.type === 'presend-ready') {
            clearTimeout(timer);
            if (m.ok) ready(api); else fail(new Error('presend port refused: ' + m.reason));
            return;
          }
          const w = waiting.get(m.id);
          waiting.delete(m.id);
          w?.resolve(m);
        });
        port.onDisconnect.addListener(() => {
          globalThis.__benchPort = undefined;
          for (const w of waiting.values()) w.reject(new Error('the presend port closed'));
          fail(new Error('the presend port closed'));
        });
      });
      const out = [];
      for (const text of ${JSON.stringify(drafts)}) {
        const t = performance.now();
        const r = await globalThis.__benchPort.ask(text);
        const total = performance.now() - t;
        if (!r || !r.ok || r.via !== 'port') throw new Error('draft check on the port failed: ' + JSON.stringify(r));
        out.push(total);
      }
      return out;
    })()`,
  );
}
