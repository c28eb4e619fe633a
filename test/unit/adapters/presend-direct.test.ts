import { describe, expect, it } from 'vitest';
import type { DraftHit } from '../../../lib/adapters/presend';
import { type DirectPort, DirectDraftClient } from '../../../lib/adapters/presend-client';
import { type DirectSender, directAnswerer, directSenderRefusal } from '../../../lib/adapters/presend-direct';

const SELF = { extensionId: 'sotto-id', extensionOrigin: 'chrome-extension://sotto-id' };
/** The console script in a desk's top frame, as the service worker sees its port. */
const CONSOLE: DirectSender = { id: 'sotto-id', url: 'https://desk.example/inbox', tabId: 4, frameId: 0 };

const HIT: DraftHit = {
  ruleId: 'no-promise',
  severity: 'critical',
  names: { zh_CN: '承诺', zh_TW: '承諾', en: 'Promise' },
  evidence: [{ start: 0, end: 2, text: '保本' }],
};

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

describe('directSenderRefusal (the service worker checks who asks)', () => {
  it("takes the console script in a tab's top frame", () => {
    expect(directSenderRefusal(CONSOLE, SELF)).toBeUndefined();
    expect(directSenderRefusal({ ...CONSOLE, url: 'file:///tmp/desk.html' }, SELF)).toBeUndefined();
  });

  it.each<[string, DirectSender]>([
    ['another extension', { ...CONSOLE, id: 'someone-else' }],
    ['no extension id (a web page)', { url: CONSOLE.url!, tabId: 4, frameId: 0 }],
    ['an extension page', { id: 'sotto-id', url: 'chrome-extension://sotto-id/sidepanel.html', frameId: 0 }],
    ['no tab', { id: 'sotto-id', url: CONSOLE.url!, frameId: 0 }],
    ['a browser page', { ...CONSOLE, url: 'chrome://settings/' }],
    ['a frame inside the page', { ...CONSOLE, frameId: 3 }],
    ['no frame', { id: 'sotto-id', url: CONSOLE.url!, tabId: 4 }],
  ])('refuses %s, with a reason', (_, sender) => {
    expect(directSenderRefusal(sender, SELF)).toMatch(/\w+/);
  });
});

function answerer(opts: { on?: boolean; fail?: boolean } = {}) {
  const checks: string[] = [];
  const a = directAnswerer({
    ...SELF,
    presendOn: async () => opts.on ?? true,
    check: async (text) => {
      checks.push(text);
      if (opts.fail) throw new Error('worker gone');
      return text.includes('保本') ? [HIT] : [];
    },
  });
  return { a, checks };
}

describe('directAnswerer (the service worker answers on the port)', () => {
  it("answers with the worker's hits, on the port", async () => {
    const { a, checks } = answerer();
    const r = await a.answer({ type: 'draft-check', id: 3, conversationId: 'c1', text: '保本保息' });
    expect(r).toEqual({ type: 'draft-checked', id: 3, ok: true, via: 'port', hits: [HIT] });
    expect(checks).toEqual(['保本保息']);
  });

  it('pre-send turned off by policy or settings: no hits, the worker is not asked', async () => {
    const { a, checks } = answerer({ on: false });
    const r = await a.answer({ type: 'draft-check', id: 1, text: '保本保息' });
    expect(r).toMatchObject({ ok: true, via: 'port', hits: [] });
    expect(checks).toEqual([]);
  });

  it('refuses anything but a draft-check with an id, and a failed worker check', async () => {
    const { a } = answerer();
    expect(await a.answer({ type: 'ping', id: 2 })).toMatchObject({ id: 2, ok: false });
    expect(await a.answer({ type: 'draft-check', id: 2, text: 5 })).toMatchObject({ id: 2, ok: false });
    expect(await a.answer({ type: 'draft-check', text: '保本' })).toBeUndefined();
    const failing = answerer({ fail: true }).a;
    expect(await failing.answer({ type: 'draft-check', id: 4, text: '保本' })).toMatchObject({
      id: 4,
      ok: false,
      reason: expect.stringMatching(/worker/),
    });
  });
});

/**
 * The browser between the console script and the offscreen document, wired as
 * entrypoints/offscreen/main.ts wires it: the document says `presend-ready` first (or refuses the
 * sender with the reason and closes the port); the background holds the port too and never
 * answers on it, so with no document the port just stays silent.
 */
function browserWith(opts: { document: boolean; sender?: DirectSender; on?: boolean; silent?: boolean }) {
  const server = answerer({ on: opts.on ?? true });
  const stats = { connects: 0, closed: 0, background: 0 };
  const ports: { disconnect(): void }[] = [];
  const connect = (): DirectPort => {
    stats.connects++;
    const onMsg: ((raw: unknown) => void)[] = [];
    const onDisc: (() => void)[] = [];
    let open = true;
    const deliver = (m: unknown) =>
      setTimeout(() => {
        if (open) for (const f of onMsg) f(m);
      }, 0);
    // Closed by the other end: the console script hears of it.
    const closeRemote = () => {
      if (!open) return;
      open = false;
      setTimeout(() => {
        for (const f of onDisc) f();
      }, 0);
    };
    ports.push({ disconnect: closeRemote });
    const refusal = server.a.refusal(opts.sender ?? CONSOLE);
    if (opts.document) {
      deliver(
        refusal ? { type: 'presend-ready', ok: false, reason: refusal } : { type: 'presend-ready', ok: true },
      );
      if (refusal) setTimeout(closeRemote, 0);
    }
    return {
      post(msg) {
        if (!open) throw new Error('Attempting to use a disconnected port object');
        if (!opts.document || opts.silent || refusal) return;
        setTimeout(() => void server.a.answer(msg).then((r) => r && deliver(r)), 0);
      },
      onMessage: (f) => onMsg.push(f),
      onDisconnect: (f) => onDisc.push(f),
      disconnect() {
        // Closed by the console script: no onDisconnect on its own end.
        if (open) stats.closed++;
        open = false;
      },
    };
  };
  let t = 0;
  const timers: { ms: number; fn: () => void }[] = [];
  const client = new DirectDraftClient({
    connect,
    viaBackground: async (text) => {
      stats.background++;
      return text.includes('保本') ? [HIT] : [];
    },
    retryAfterMs: 1000,
    patienceMs: 1000,
    readyMs: 2000,
    now: () => t,
    // Timers fire only when the test says so.
    setTimeout: (fn, ms) => timers.push({ ms, fn }),
    clearTimeout: () => {},
  });
  return {
    client,
    stats,
    server,
    ports,
    advance(ms: number) {
      t += ms;
    },
    /** Fires the pending timers set for `ms` (patience 1000, ready 2000). */
    fire(ms: number) {
      const due = timers.filter((x) => x.ms === ms);
      for (const x of due) timers.splice(timers.indexOf(x), 1);
      for (const x of due) x.fn();
    },
  };
}

/** The first check opens the port (and goes the background's way); then the document has said it is ready. */
async function opened(b: ReturnType<typeof browserWith>) {
  expect(await b.client.check('您好', 'c0')).toEqual({ hits: [], via: 'background' });
  await flush();
}

describe('DirectDraftClient (the console script asks on its presend port)', () => {
  it('asks on one port once the document took it; the background is not asked', async () => {
    const b = browserWith({ document: true });
    await opened(b);
    expect(await b.client.check('保本保息', 'c1')).toEqual({ hits: [HIT], via: 'port' });
    expect(await b.client.check('您好', 'c1')).toEqual({ hits: [], via: 'port' });
    const both = await Promise.all([b.client.check('保本', 'c1'), b.client.check('好的', 'c1')]);
    expect(both).toEqual([
      { hits: [HIT], via: 'port' },
      { hits: [], via: 'port' },
    ]);
    expect(b.stats).toEqual({ connects: 1, closed: 0, background: 1 });
    expect(b.server.checks).toEqual(['保本保息', '您好', '保本', '好的']);
    // The ready wait passing later changes nothing for a port the document took.
    b.fire(2000);
    expect(await b.client.check('保本', 'c1')).toEqual({ hits: [HIT], via: 'port' });
  });

  it('opened ahead of the first check: the first check already goes to the document', async () => {
    const b = browserWith({ document: true });
    b.client.open();
    await flush();
    expect(await b.client.check('保本保息', 'c1')).toEqual({ hits: [HIT], via: 'port' });
    expect(b.stats).toEqual({ connects: 1, closed: 0, background: 0 });
  });

  it('no offscreen document: the background way; the untaken port is closed and opened again later', async () => {
    const b = browserWith({ document: false });
    await opened(b);
    expect(await b.client.check('保本保息', 'c1')).toEqual({ hits: [HIT], via: 'background' });
    b.fire(2000); // nobody said ready: this end closes it (the background holds it open otherwise)
    expect(b.stats).toMatchObject({ connects: 1, closed: 1 });
    // Within the retry wait: straight to the background, no new port per keystroke.
    expect(await b.client.check('保本', 'c1')).toEqual({ hits: [HIT], via: 'background' });
    expect(b.stats.connects).toBe(1);
    b.advance(1000);
    expect(await b.client.check('保本', 'c1')).toEqual({ hits: [HIT], via: 'background' });
    expect(b.stats.connects).toBe(2);
  });

  it("a sender the document refuses is never answered by it: the background's way decides", async () => {
    const b = browserWith({ document: true, sender: { ...CONSOLE, frameId: 2 } });
    await opened(b);
    expect(await b.client.check('保本保息', 'c1')).toEqual({ hits: [HIT], via: 'background' });
    expect(b.server.checks).toEqual([]);
    expect(b.stats.background).toBe(2);
    expect(b.stats.connects).toBe(1); // not reopened within the retry wait
  });

  it('pre-send off: the document answers no hits itself, without the worker or the background', async () => {
    const b = browserWith({ document: true, on: false });
    await opened(b);
    expect(await b.client.check('保本保息', 'c1')).toEqual({ hits: [], via: 'port' });
    expect(b.server.checks).toEqual([]);
    expect(b.stats.background).toBe(1);
  });

  it('a document that does not answer in time: the background way answers instead', async () => {
    const b = browserWith({ document: true, silent: true });
    await opened(b);
    const p = b.client.check('保本保息', 'c1');
    await flush();
    b.fire(1000);
    expect(await p).toEqual({ hits: [HIT], via: 'background' });
    // A document that went away leaves the port silent, not closed: it is closed, reopened later.
    expect(b.stats.closed).toBe(1);
    expect(await b.client.check('保本', 'c1')).toEqual({ hits: [HIT], via: 'background' });
    expect(b.stats.connects).toBe(1);
    b.advance(1000);
    await b.client.check('保本', 'c1');
    expect(b.stats.connects).toBe(2);
  });

  it('the document goes away with checks waiting: they go the background way, never lost', async () => {
    const b = browserWith({ document: true, silent: true });
    await opened(b);
    const p = Promise.all([b.client.check('保本', 'c1'), b.client.check('您好', 'c1')]);
    await flush();
    b.ports[0]!.disconnect();
    expect(await p).toEqual([
      { hits: [HIT], via: 'background' },
      { hits: [], via: 'background' },
    ]);
  });

  it('the extension context is gone (connect throws): the background way, no throw', async () => {
    const client = new DirectDraftClient({
      connect: () => {
        throw new Error('Extension context invalidated.');
      },
      viaBackground: async () => {
        throw new Error('Extension context invalidated.');
      },
    });
    expect(await client.check('保本', 'c1')).toEqual({ hits: [], via: 'background' });
  });
});
