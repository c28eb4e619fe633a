/**
 * Robustness fuzz (issue #6): every chat fixture console, served by the fixture server and run by
 * happy-dom (its own scripts: plain JS, web components, React builds), with its adapter attached
 * through the real ConsoleAttachment. Seeded random sequences of console actions (new customer and
 * agent turns, edits, deletions, re-renders, conversation switches, scrolling a recycled list) and
 * raw DOM churn (attribute and class churn on items, foreign nodes in the log, identical text
 * nodes swapped in) run against it.
 *
 * Oracle, with every message text made unique by a token (so each text names one message):
 * - no exceptions: the page logs no error and the attachment never fails;
 * - no duplicates: every message gets exactly one seq in its conversation, and every seq belongs
 *   to exactly one message;
 * - nothing lost: at every settle point, each message rendered in the open conversation has been
 *   delivered, and the latest text delivered for its seq is the text the console holds for it now;
 * - order: in consoles that render the whole log, seqs follow the console's message order.
 * Messages never rendered (scrolled out of a virtual list, in a conversation never opened) and
 * edits made while not rendered are not required: the page never showed them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Browser, type BrowserPage } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleAttachment } from '../../../lib/adapters/attachment';
import { findLogRoot, itemText, listItems } from '../../../lib/adapters/reader';
import { type AdapterSpec, parseAdapter } from '../../../lib/adapters/spec';
import type { Utterance } from '../../../lib/utterance';
import { FIXTURE_FOR_ADAPTER } from '../../fixtures/consoles/registry';
import { type FixtureServer, startFixtureServer } from '../../fixtures/serve';
import { buildFixtures } from '../../../scripts/build-fixtures.mjs';

/**
 * The chat fixtures that run in happy-dom. Left to the e2e suite in Chromium: framed-crm (happy-dom
 * cannot load a page into an iframe without ending the test process) and spa-messenger (its
 * speakers are told apart by layout only, and happy-dom does no layout).
 */
const ADAPTERS = ['demo-desk', 'webcomp-console', 'virtual-desk', 'chatscope-desk', 'rce-tickets'];
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const STEPS = 24;
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);

interface Api {
  ready: Promise<void>;
  conversations(): string[];
  selected(): string | null;
  select(id: string): Promise<void>;
  customerSays(id: string, text: string): Promise<string>;
  agentSends(id: string, text: string): Promise<string | null>;
  edit(id: string, msgId: string, text: string): Promise<void>;
  remove?(id: string, msgId: string): Promise<void>;
  rerender?(): Promise<void>;
  scrollTo?(fraction: number): Promise<void>;
  messages(id: string): { id: string; speaker: string; text: string }[];
}

/** The demo desk's API in the common shape (as test/e2e/pages/console.ts does in the page). */
function api(win: Record<string, unknown>): Api {
  if (win.sottoConsole) return win.sottoConsole as Api;
  const d = win.sottoDesk as Record<string, (...a: unknown[]) => unknown>;
  const list = () => d.conversations!() as { id: string; selected: boolean }[];
  return {
    ready: d.ready as unknown as Promise<void>,
    conversations: () => list().map((c) => c.id),
    selected: () => list().find((c) => c.selected)?.id ?? null,
    select: async (id) => void d.select!(id),
    customerSays: async (id, text) => d.customerSays!(id, text) as string,
    agentSends: (id, text) => d.agentSends!(id, text) as Promise<string | null>,
    edit: async (id, msgId, text) => void d.edit!(id, msgId, text),
    rerender: async () => {
      const c = list().find((x) => x.selected)?.id;
      if (c) d.select!(c);
    },
    messages: (id) => d.messages!(id) as { id: string; speaker: string; text: string }[],
  };
}

function specOf(id: string): AdapterSpec {
  const r = parseAdapter(
    JSON.parse(readFileSync(join(import.meta.dirname, `../../../adapters/${id}.json`), 'utf8')),
  );
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.spec;
}

const PHRASES = [
  '我的快递还没到',
  'Where is my refund?',
  '请问什么时候发货',
  '請問可以退款嗎',
  'Thanks, that helps',
];

type Op =
  | { k: 'customer' | 'agent'; conv: number; phrase: number }
  | { k: 'edit' | 'remove'; pick: number; phrase: number }
  | { k: 'select'; conv: number }
  | { k: 'rerender' }
  | { k: 'scroll'; fraction: number }
  | { k: 'attr' | 'class' | 'retext'; pick: number; value: string }
  | { k: 'foreign' | 'unforeign' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ k: fc.constant('customer' as const), conv: fc.nat(1), phrase: fc.nat(4) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('agent' as const), conv: fc.nat(1), phrase: fc.nat(4) }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('edit' as const), pick: fc.nat(), phrase: fc.nat(4) }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('remove' as const), pick: fc.nat(), phrase: fc.nat(4) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('select' as const), conv: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rerender' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('scroll' as const),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constantFrom('attr' as const, 'class' as const, 'retext' as const),
      pick: fc.nat(),
      value: fc.string({ maxLength: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('foreign' as const, 'unforeign' as const) }) },
);

let server: FixtureServer;
let browser: Browser;

beforeAll(async () => {
  // The React chat-kit consoles are bundled (gitignored dist/); a fresh clone has none yet.
  await buildFixtures();
  server = await startFixtureServer({ port: 0 });
  browser = new Browser({
    settings: {
      enableJavaScriptEvaluation: true,
      suppressInsecureJavaScriptEnvironmentWarning: true,
      disableIframePageLoading: true,
      navigator: { userAgent: 'sotto-fuzz' },
    },
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** What the page and the attachment have done so far: DOM mutations plus utterances delivered. */
let activity = () => 0;

/**
 * Lets the page's renders, the mutation observer and the attachment's send run: waits until a few
 * timer turns pass with nothing new, so a loaded machine (React rendering late) waits longer.
 */
async function settle(): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 500 && quiet < 4; i++) {
    const before = activity();
    await new Promise((r) => setTimeout(r, 1));
    quiet = activity() === before ? quiet + 1 : 0;
  }
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

async function play(adapterId: string, ops: Op[]): Promise<void> {
  const spec = specOf(adapterId);
  const page: BrowserPage = browser.newPage();
  await page.goto(new URL(FIXTURE_FOR_ADAPTER[adapterId]!.path, server.url).href);
  const win = page.mainFrame.window as unknown as Window & typeof globalThis;
  // Until the console's module has run (waitUntilComplete never settles on a page with a React
  // scheduler loop); the page API appears when it has.
  const w = win as unknown as Record<string, unknown>;
  for (let i = 0; i < 2000 && !w.sottoConsole && !w.sottoDesk; i++)
    await new Promise((r) => setTimeout(r, 5));
  if (!w.sottoConsole && !w.sottoDesk)
    throw new Error(`${adapterId}: the fixture page never exposed its API`);
  const desk = api(win as unknown as Record<string, unknown>);
  await desk.ready;
  let mutations = 0;
  const observer = new win.MutationObserver((records) => {
    mutations += records.length;
  });
  observer.observe(win.document, { subtree: true, childList: true, characterData: true, attributes: true });
  activity = () => mutations;
  await settle();
  const convs = desk.conversations();

  // Which message every text names: seeded texts as they are, ours by their token.
  const byText = new Map<string, string>();
  const byToken = new Map<string, string>();
  for (const c of convs) for (const m of desk.messages(c)) byText.set(`${c}\u0000${squash(m.text)}`, m.id);
  let tokens = 0;
  const text = (phrase: number) => `${PHRASES[phrase % PHRASES.length]} q${++tokens}q`;
  const messageOf = (conv: string, t: string): string | undefined => {
    const tok = /q(\d+)q/.exec(t)?.[1];
    return tok ? byToken.get(tok) : byText.get(`${conv}\u0000${squash(t)}`);
  };

  const got: Utterance[] = [];
  activity = () => mutations + got.length;
  const failures: string[] = [];
  const controller = new AbortController();
  new ConsoleAttachment({
    win,
    spec,
    signal: controller.signal,
    send: async (us) => {
      got.push(...us);
    },
    report: (s) => {
      if (!s.attached && s.reason && !/no conversation/.test(s.reason))
        failures.push(`detached: ${s.reason}`);
    },
    now: () => 1,
  }).start();
  await settle();

  let checked = 0; // rendered messages compared with what was delivered (the oracle is not vacuous)
  const latest = new Map<string, string>(); // conv#seq → text
  const seqsOf = new Map<string, Set<number>>(); // conv#message → seqs
  const messagesOf = new Map<string, Set<string>>(); // conv#seq → messages
  let consumed = 0;
  const fold = () => {
    for (; consumed < got.length; consumed++) {
      const u = got[consumed]!;
      latest.set(`${u.conversationId}#${u.seq}`, u.text);
      const id = messageOf(u.conversationId, u.text);
      if (!id) {
        failures.push(
          `delivered a text no message has: ${u.conversationId} #${u.seq} ${JSON.stringify(u.text)}`,
        );
        continue;
      }
      const a = seqsOf.get(`${u.conversationId}#${id}`) ?? new Set();
      a.add(u.seq);
      seqsOf.set(`${u.conversationId}#${id}`, a);
      const b = messagesOf.get(`${u.conversationId}#${u.seq}`) ?? new Set();
      b.add(id);
      messagesOf.set(`${u.conversationId}#${u.seq}`, b);
    }
  };

  /** Nothing lost: every rendered message is delivered with the text the console holds now. */
  const checkRendered = (step: string) => {
    fold();
    const c = desk.selected();
    const root = findLogRoot(win.document, spec);
    if (!c || !root) return;
    const held = new Map(desk.messages(c).map((m) => [m.id, squash(m.text)]));
    for (const el of listItems(root, spec)) {
      const id = messageOf(c, itemText(el, spec));
      // Items whose text is not a message's current text are mid-render or foreign: skip them.
      const now = id ? held.get(id) : undefined;
      if (!id || !now) continue;
      checked++;
      const seqs = seqsOf.get(`${c}#${id}`);
      if (!seqs || seqs.size === 0) {
        failures.push(`${step}: lost ${c} ${id} ${JSON.stringify(now)}`);
        if (process.env.FUZZ_DEBUG)
          console.log(JSON.stringify(got.map((u) => [u.conversationId, u.seq, u.text])), win.location.href);
        continue;
      }
      const seq = [...seqs][0]!;
      if (squash(latest.get(`${c}#${seq}`) ?? '') !== now)
        failures.push(
          `${step}: ${c} ${id} shows ${JSON.stringify(now)} but #${seq} is ${JSON.stringify(latest.get(`${c}#${seq}`))}`,
        );
    }
  };

  const items = () => {
    const root = findLogRoot(win.document, spec);
    return root ? listItems(root, spec) : [];
  };
  const foreign: Element[] = [];
  checkRendered('attach');
  for (const [i, op] of ops.entries()) {
    const c = desk.selected() ?? convs[0]!;
    const step = `step ${i} ${op.k}`;
    if (process.env.FUZZ_DEBUG) console.log(adapterId, step);
    switch (op.k) {
      case 'customer':
      case 'agent': {
        const conv = convs[op.conv % convs.length]!;
        const t = text(op.phrase);
        let id: string | null;
        try {
          id = op.k === 'customer' ? await desk.customerSays(conv, t) : await desk.agentSends(conv, t);
        } catch (e) {
          // happy-dom has no execCommand, which contenteditable composers type with: the agent's
          // turn cannot be typed here (Chromium e2e covers it). Anything else is a real failure.
          if (!/execCommand/.test(String(e))) throw e;
          break;
        }
        if (id) byToken.set(String(tokens), id);
        break;
      }
      case 'edit': {
        const ms = desk.messages(c);
        const m = ms[op.pick % Math.max(1, ms.length)];
        if (!m) break;
        const t = text(op.phrase);
        byToken.set(String(tokens), m.id);
        await desk.edit(c, m.id, t);
        break;
      }
      case 'remove': {
        // Without a message key an item's identity is its position: a deletion renumbers the
        // items after it, so only consoles with keys are asked to survive deletions.
        if (!desk.remove || !spec.messageKey) break;
        const ms = desk.messages(c);
        const m = ms[op.pick % Math.max(1, ms.length)];
        if (m) await desk.remove(c, m.id);
        break;
      }
      case 'select':
        await desk.select(convs[op.conv % convs.length]!);
        break;
      case 'rerender':
        await desk.rerender?.();
        break;
      case 'scroll':
        await desk.scrollTo?.(op.fraction);
        break;
      case 'attr':
      case 'class':
      case 'retext': {
        const all = items();
        const el = all[op.pick % Math.max(1, all.length)];
        if (!el) break;
        if (op.k === 'attr') el.setAttribute('data-hover', op.value);
        else if (op.k === 'class') el.classList.toggle('is-hovered');
        else {
          // The same text in a new text node, as frameworks do when they re-render a bubble.
          const walker = win.document.createTreeWalker(el, 4);
          const node = walker.nextNode();
          if (node?.parentNode)
            node.parentNode.replaceChild(win.document.createTextNode(node.nodeValue ?? ''), node);
        }
        break;
      }
      case 'foreign': {
        const root = findLogRoot(win.document, spec);
        if (!root) break;
        const n = win.document.createElement('div');
        n.className = 'typing-indicator';
        n.textContent = '…';
        root.append(n);
        foreign.push(n);
        break;
      }
      case 'unforeign':
        foreign.shift()?.remove();
        break;
    }
    await settle();
    checkRendered(step);
  }

  // No duplicates, in both directions, over everything delivered.
  fold();
  for (const [k, seqs] of seqsOf)
    if (seqs.size !== 1) failures.push(`duplicated: ${k} has seqs ${[...seqs]}`);
  for (const [k, ids] of messagesOf)
    if (ids.size !== 1) failures.push(`one seq, several messages: ${k} ${[...ids]}`);
  // Order: where the whole log is rendered, seqs follow the console's order of messages.
  if (adapterId !== 'virtual-desk')
    for (const c of convs) {
      const seqs = desk
        .messages(c)
        .map((m) => [...(seqsOf.get(`${c}#${m.id}`) ?? [])][0])
        .filter((s): s is number => s !== undefined);
      if (seqs.some((s, i) => i > 0 && s < seqs[i - 1]!)) failures.push(`out of order in ${c}: ${seqs}`);
    }
  const errors = page.virtualConsolePrinter
    .read()
    .filter((e) => e.level >= 3 || /Error/.test(String(e.message?.[0] ?? '')))
    // happy-dom does not load stylesheets; the consoles' CSS is not what is under test.
    .filter((e) => !/stylesheet/.test(String(e.message?.[0] ?? '')))
    .map((e) => String(e.message?.[0] ?? ''));
  controller.abort();
  observer.disconnect();
  await page.close();
  expect({ failures: failures.slice(0, 10), errors: errors.slice(0, 5) }).toEqual({
    failures: [],
    errors: [],
  });
  expect(checked).toBeGreaterThan(0);
  expect(got.length).toBeGreaterThan(0);
}

describe('fuzz: random console actions and DOM churn on every chat fixture', () => {
  it.each(ADAPTERS)(
    '%s: no exceptions, no lost or duplicated utterances',
    async (id) => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: STEPS }), (ops) => play(id, ops)),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    },
    120_000,
  );
});
