/**
 * The pre-send check in Debian's Chromium with the production build, on the demo desk:
 * - a cold browser: the very first sends go out while the offscreen worker is still starting
 *   (held at most until the check answers or its deadline, never hung);
 * - the draft is checked in the context of the conversation: the same account-balance reply is
 *   stopped before the customer's identity was verified and passes after;
 * - a rule in warn mode shows a notice and the send is not intercepted;
 * - "send anyway" is recorded;
 * - the console script's checks go on its `presend` port and still stop a send with the
 *   one-time message way closed to them;
 * - the service worker asks the analysis worker on the draft link, not through the offscreen
 *   document's messaging, and has a new link after it was stopped;
 * - an enrolled extension starts the offscreen document (document push, draft checks) at
 *   enrolment and at service-worker start, before any conversation.
 */
import type { CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer } from '../fixtures/serve';
import { type Launched, launch, stopServiceWorkers } from './harness';
import { TestEndpoint, waitFor } from './pages/endpoint';
import { inWorld, scriptWorld } from './pages/attached';
import { FixtureConsole } from './pages/console';

let server: Awaited<ReturnType<typeof startFixtureServer>>;
let l: Launched;

beforeAll(async () => {
  server = await startFixtureServer({ port: 0 });
  l = await launch();
});

afterAll(async () => {
  await l?.close();
  await server?.close();
});

const has = (c: FixtureConsole, conv: string, text: string) =>
  c.messages(conv).then((ms) => ms.some((m) => m.text === text));

/** What the worker says about a draft in a conversation, asked the way the background asks. */
async function workerHits(conv: string, text: string): Promise<string[]> {
  const sw = await l.serviceWorker();
  return sw.evaluate(
    async ([conv, text]) => {
      const r = (await chrome.runtime.sendMessage({
        type: 'check-draft',
        target: 'offscreen',
        conversationId: conv,
        text,
      })) as { ok: boolean; hits?: { ruleId: string }[] } | undefined;
      return (r?.hits ?? []).map((h) => h.ruleId);
    },
    [conv, text] as const,
  );
}

/** A check asked as the console script asks it, on its own `presend` port, from its isolated world. */
function directCheck(
  w: { s: CDPSession; id: number },
  conv: string,
  text: string,
): Promise<{ id: number; ok: boolean; via?: string; hits?: { ruleId: string }[] }> {
  return inWorld(
    w,
    `new Promise((resolve, reject) => {
      const port = chrome.runtime.connect({ name: 'presend' });
      port.onMessage.addListener((m) => {
        if (m.type !== 'draft-checked') return; // 'presend-ready' comes first
        port.disconnect();
        resolve(m);
      });
      port.onDisconnect.addListener(() => reject(new Error('the port was closed')));
      setTimeout(() => reject(new Error('no answer on the presend port')), 10000);
      port.postMessage({ type: 'draft-check', id: 7, conversationId: ${JSON.stringify(conv)}, text: ${JSON.stringify(text)} });
    })`,
  );
}

/**
 * The demo desk with the console script's world open on it, its selected conversation, and the
 * promise rule firing there (the offscreen document runs and its worker has the rule). `close`
 * detaches from the world and closes the page.
 */
async function openDeskWithPromiseRule() {
  const c = await FixtureConsole.open(l.context, new URL('desk/', server.url).href);
  const w = await scriptWorld(c.page);
  const close = async () => {
    await w.s.detach().catch(() => {});
    await c.page.close();
  };
  try {
    const conv = (await c.selected()) ?? (await c.conversations())[0]!;
    const promise = '放心，这款产品保本保息，稳赚不赔';
    await expect.poll(() => workerHits(conv, promise).catch(() => []), { timeout: 20_000 }).not.toEqual([]);
    return { c, w, conv, promise, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function logLines(): Promise<string[]> {
  const sw = await l.serviceWorker();
  return sw.evaluate(async () =>
    (((await chrome.storage.session.get('sotto:log'))['sotto:log'] ?? []) as { msg: string }[]).map(
      (x) => x.msg,
    ),
  );
}

describe('pre-send check', () => {
  it('cold browser: the first sends go out while the worker starts, never hung', async () => {
    // The first page of a fresh browser: no offscreen document exists yet.
    const c = await FixtureConsole.open(l.context, new URL('desk/', server.url).href);
    try {
      const conv = (await c.selected()) ?? (await c.conversations())[0]!;
      const hello = '您好，请问有什么可以帮您？';
      await c.agentSends(conv, hello);
      await expect.poll(() => has(c, conv, hello), { timeout: 15_000 }).toBe(true);
      // A critical draft right away: either the check answered (warning) or the send went out.
      const card = '好的，您的卡号是 6222020200112233445 对吧';
      await c.agentSends(conv, card);
      await expect
        .poll(async () => (await c.page.$('sotto-presend')) !== null || (await has(c, conv, card)), {
          timeout: 15_000,
        })
        .toBe(true);
      expect(c.errors).toEqual([]);
    } finally {
      await c.page.close();
    }
  });

  it('checks the draft in the context of the conversation so far', async () => {
    const c = await FixtureConsole.open(l.context, new URL('desk/', server.url).href);
    try {
      // Two new conversations with nothing said yet (the seeded inbox has agent turns a model may
      // read as an identity check): the customer asks for the balance in each.
      const [a, b] = ['c-bal-a', 'c-bal-b'];
      for (const id of [a, b])
        await c.page.evaluate(
          (id) =>
            (window as unknown as { sottoDesk: { load(s: unknown): Promise<string> } }).sottoDesk.load({
              id,
              lang: 'zh-Hans',
              title: '余额查询',
              conversationId: id,
              customer: { name: '王先生' },
              turns: [{ speaker: 'customer', text: '帮我查下余额', delayMs: 0 }],
            }),
          id,
        );
      const balance = '您的余额是3200元';
      // Conversation a: the customer asks, the agent answers without verifying: stopped once.
      await c.select(a);
      await expect
        .poll(() => workerHits(a, balance), { timeout: 20_000 })
        .toContain('finance.verify-before-account-details');
      expect(await c.agentSends(a, balance)).toBeNull();
      await c.page.waitForSelector('sotto-presend', { state: 'attached' });
      await c.page.keyboard.press('Escape'); // back to editing: nothing sent
      expect(await c.page.$('sotto-presend')).toBeNull();
      expect(await has(c, a, balance)).toBe(false);

      // Conversation b: identity verified first; the same reply is fine there.
      await c.select(b);
      const verify = '好的，先核实一下您的身份，请提供身份证后四位';
      await c.agentSends(b, verify);
      await expect.poll(() => has(c, b, verify)).toBe(true);
      await c.customerSays(b, '1234');
      // Once the worker has the verification turn, the balance no longer fires in b (and still does in a).
      // (Warn-mode rules may still speak, e.g. the greeting that never came; they do not stop it.)
      await expect
        .poll(() => workerHits(b, balance), { timeout: 20_000 })
        .not.toContain('finance.verify-before-account-details');
      expect(await workerHits(a, balance)).toContain('finance.verify-before-account-details');
      await c.agentSends(b, balance);
      await expect.poll(() => has(c, b, balance)).toBe(true);
      expect(await c.page.$('sotto-presend')).toBeNull();
      expect(c.errors).toEqual([]);
    } finally {
      await c.page.close();
    }
  });

  it('warn mode: a notice beside the compose box, and the send is not intercepted', async () => {
    const c = await FixtureConsole.open(l.context, new URL('desk/', server.url).href);
    try {
      const conv = (await c.selected()) ?? (await c.conversations())[0]!;
      const rude = '说了多少遍了，你自己去查';
      expect(await workerHits(conv, rude)).toContain('general.agent-rude');
      const box = await c.composeSelector();
      await c.page.click(box);
      await c.page.keyboard.type(rude);
      await c.page.waitForSelector('sotto-presend-note', { state: 'attached' });
      // Closed shadow root: the console cannot read what fired.
      expect(
        await c.page.evaluate(() => document.querySelector('sotto-presend-note')?.shadowRoot ?? null),
      ).toBeNull();
      await c.page.keyboard.press('Enter');
      await expect.poll(() => has(c, conv, rude)).toBe(true);
      expect(await c.page.$('sotto-presend')).toBeNull();
      await expect.poll(async () => (await c.page.$('sotto-presend-note')) === null).toBe(true);
    } finally {
      await c.page.close();
    }
  });

  it('block mode, "send anyway": the host sends it and the override is recorded', async () => {
    const c = await FixtureConsole.open(l.context, new URL('desk/', server.url).href);
    try {
      const conv = (await c.selected()) ?? (await c.conversations())[0]!;
      const promise = '放心，这款产品保本保息，稳赚不赔';
      expect(await c.agentSends(conv, promise)).toBeNull();
      await c.page.waitForSelector('sotto-presend', { state: 'attached' });
      await c.page.keyboard.press('Tab'); // "Use the rewrite" → "Send anyway"
      await c.page.keyboard.press('Enter');
      await expect.poll(() => has(c, conv, promise)).toBe(true);
      await expect.poll(logLines).toContain('sent despite a pre-send warning');
    } finally {
      await c.page.close();
    }
  });

  it('the console script asks on its port: a send is stopped with the one-time message way closed', async () => {
    // The offscreen document runs (earlier conversations were analysed) and the rule fires.
    const { c, w, conv, promise, close } = await openDeskWithPromiseRule();
    try {
      // Close the background's way in the console script's own world: a draft-check message fails.
      await inWorld(
        w,
        `(() => {
          globalThis.__backgroundAsked = 0;
          for (const rt of new Set([chrome.runtime, globalThis.browser?.runtime].filter(Boolean))) {
            const send = rt.sendMessage.bind(rt);
            rt.sendMessage = (m, ...rest) => {
              if (m && m.type === 'draft-check') {
                globalThis.__backgroundAsked++;
                return Promise.reject(new Error('the background way is closed in this test'));
              }
              return send(m, ...rest);
            };
          }
          return true;
        })()`,
      );
      // Asked as the console script asks (its port, an id per check).
      const direct = await directCheck(w, conv, promise);
      expect(direct).toMatchObject({ id: 7, ok: true, via: 'port' });
      expect(direct.hits?.map((h) => h.ruleId)).toEqual(await workerHits(conv, promise));
      // The console script's own checks while the agent types: the send is stopped once.
      await c.page.click(await c.composeSelector());
      await c.page.keyboard.type(promise);
      await c.page.keyboard.press('Enter');
      await c.page.waitForSelector('sotto-presend', { state: 'attached' });
      expect(await inWorld(w, 'globalThis.__sottoPresendVia')).toBe('port');
      expect(await inWorld(w, 'globalThis.__backgroundAsked')).toBe(0);
      await c.page.keyboard.press('Escape');
      expect(await has(c, conv, promise)).toBe(false);
      // The options page turns the check off: the port answers no hits; on again, the rule fires again.
      const sw = await l.serviceWorker();
      const setCheck = (on: boolean) =>
        sw.evaluate(
          (on) => chrome.storage.local.set({ 'sotto:sync-settings': { features: { presendCheck: on } } }),
          on,
        );
      await setCheck(false);
      await expect
        .poll(() => directCheck(w, conv, promise).then((r) => [r.via, r.hits?.length]), { timeout: 10_000 })
        .toEqual(['port', 0]);
      await setCheck(true);
      await expect
        .poll(() => directCheck(w, conv, promise).then((r) => r.hits?.length ?? 0), { timeout: 10_000 })
        .toBeGreaterThan(0);
      await sw.evaluate(() => chrome.storage.local.remove('sotto:sync-settings'));
      expect(c.errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('offscreen document at enrolment', () => {
  it('the service worker asks the analysis worker on the draft link, again after it was stopped', async () => {
    const { c, w, conv, promise, close } = await openDeskWithPromiseRule();
    try {
      const expected = await workerHits(conv, promise);
      /** Checks on the port while counting the service worker's `check-draft` messages to the document. */
      const throughDocument = async (n: number) => {
        const sw = await l.serviceWorker();
        await sw.evaluate(() => {
          const g = globalThis as unknown as { __checkDrafts?: number; __sendPatched?: boolean };
          g.__checkDrafts = 0;
          if (g.__sendPatched) return;
          g.__sendPatched = true;
          const send = chrome.runtime.sendMessage.bind(chrome.runtime) as (...a: unknown[]) => unknown;
          (chrome.runtime as unknown as { sendMessage: unknown }).sendMessage = (
            m: { type?: string },
            ...rest: unknown[]
          ) => {
            if (m?.type === 'check-draft') g.__checkDrafts = (g.__checkDrafts ?? 0) + 1;
            return send(m, ...rest);
          };
        });
        for (let i = 0; i < n; i++) {
          const r = await directCheck(w, conv, promise);
          expect(r).toMatchObject({ ok: true, via: 'port' });
          expect(r.hits?.map((h) => h.ruleId)).toEqual(expected);
        }
        return sw.evaluate(() => (globalThis as unknown as { __checkDrafts: number }).__checkDrafts);
      };
      // Once the link is there (the document offers it when its worker starts; a service worker
      // without one asks for it on its first check), no check goes through the document.
      await expect.poll(() => throughDocument(5), { timeout: 60_000 }).toBe(0);
      // Stopped: the new service worker has no link; it asks for one and uses it.
      const cdp = await l.cdp();
      const running = async () =>
        ((await cdp.send('Target.getTargets')).targetInfos as { type: string; url: string }[]).some(
          (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${l.extensionId}/`),
        );
      await stopServiceWorkers(l, c.page);
      await waitFor(running, (r) => !r, 'the service worker to stop', 200);
      // The console script's port wakes it; its first check goes through the document.
      expect((await directCheck(w, conv, promise)).hits?.map((h) => h.ruleId)).toEqual(expected);
      await expect.poll(() => throughDocument(5), { timeout: 60_000 }).toBe(0);
      expect(c.errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('starts when the device enrols and again when the service worker starts, before any conversation', async () => {
    const endpoint = await TestEndpoint.start({ name: 'presend', password: 'e2e-password-1' });
    const b = await launch();
    try {
      const offscreenDocuments = async () => {
        const sw = await b.serviceWorker();
        return sw.evaluate(
          async () =>
            (
              await chrome.runtime.getContexts({
                contextTypes: ['OFFSCREEN_DOCUMENT' as chrome.runtime.ContextType],
              })
            ).length,
        );
      };
      // A fresh browser, not enrolled, no console open: no offscreen document.
      expect(await offscreenDocuments()).toBe(0);
      const sw = await b.serviceWorker();
      await sw.evaluate((s) => chrome.storage.local.set({ 'sotto:sync-settings': s }), {
        endpoint: endpoint.url,
        enrolmentCode: endpoint.demo.enrolmentCodes.agent,
      });
      await waitFor(offscreenDocuments, (n) => n === 1, 'the offscreen document after enrolment', 300);
      // Gone (closed) and the service worker stopped: its next start brings the document back.
      await sw.evaluate(() => chrome.offscreen.closeDocument());
      const page = await b.context.newPage();
      await stopServiceWorkers(b, page);
      // An extension page wakes the service worker (its side panel port).
      await page.goto(`chrome-extension://${b.extensionId}/sidepanel.html`);
      await waitFor(
        () => offscreenDocuments().catch(() => -1),
        (n) => n === 1,
        'the offscreen document after a service-worker start',
        300,
      );
    } finally {
      await b.close();
      await endpoint.close();
    }
  });
});
