/**
 * bench:presend — where the time of a pre-send draft check goes, hop by hop (issue 6: ≤ 5 ms per
 * keystroke p95 against a long conversation).
 *
 * 1. Node: the rule check alone (`LiveRuleSet.check`, the shipped rulebooks), every prefix of the
 *    drafts against a 10-turn conversation (baseline, same process) and a 10,000-turn one, so a
 *    cost that grows with the conversation shows as the difference.
 * 2. Chromium with the production build: a 10,000-turn conversation seeded the way the product
 *    gets it (the console script's `utterances` messages from a console tab, stored and analysed
 *    by the background, offscreen document and analysis worker); once every turn has its analysis,
 *    the same prefixes are checked
 *    - as the console script asks while the agent types (the product's path, and the headline
 *      number): on its `presend` port to the service worker, which asks the analysis worker on the
 *      draft link (lib/adapters/presend-direct.ts, lib/adapters/draft-link.ts), and, as a baseline
 *      in the same run, the one-time message way it falls back to (`draft-check` by
 *      `runtime.sendMessage`: console script → background → analysis worker);
 *    - service worker → offscreen → worker and back (`check-draft`, the way while there is no
 *      draft link): the offscreen document's reply says how long it held the check and how long
 *      the worker's check took, so that round trip splits into messaging (browser IPC), the
 *      worker hop (comlink) and the worker's compute;
 *    - a one-time message's messaging alone: `runtime.sendMessage` to the offscreen document (a
 *      `check-draft`, which the document refuses from a console script at once).
 *
 * Needs a build: `SOTTO_OUT_DIR=.output-x npx wxt build`, then `SOTTO_OUT_DIR=.output-x npm run bench:presend`.
 * `TURNS` and `ROUNDS` (passes over the prefixes) change the workload, `DRAIN_POLLS` (250 ms each)
 * bounds the wait for the analysis; `PRESEND_NODE_ONLY=1` runs part 1 only.
 * Last line: {"bench":"presend","keystroke_check_p95_ms":…,"content_background_p95_ms":…,"sw_offscreen_p95_ms":…,…}
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LiveRuleSet } from '../lib/analysis/ruleset';
import { analysisDrained } from './analysis-drain';
import type { Utterance } from '../lib/utterance';
import { startFixtureServer } from '../test/fixtures/serve';
import { launch } from '../test/e2e/harness';
import { inWorld, presendPortRound, scriptWorld } from '../test/e2e/pages/attached';
import { FixtureConsole } from '../test/e2e/pages/console';

const TURNS = Number(process.env.TURNS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONV = 'bench-presend-10k';
/** The drafts bench:host types, key by key. */
const DRAFTS = [
  '您好，非常抱歉给您带来不便，我马上为您核实订单的物流情况，请您稍等一下',
  '放心，这款产品保本保息，稳赚不赔，您加我微信我私下给您便宜点',
  'Sorry for the wait, I have escalated your refund and you will get an email within two working days',
];
const PREFIXES = DRAFTS.flatMap((d) => Array.from({ length: d.length }, (_, i) => d.slice(0, i + 1)));
/** A contact-centre conversation's turns, customer and agent, zh_CN / zh_TW / en. */
const CUSTOMER = [
  '我的快递三天了还没到',
  'Where is my refund for order 12345?',
  '請問什麼時候能到？',
  '好的谢谢',
  '你们这服务太差了，我要投诉',
  '我的手机号是 13812345678，你们查一下',
];
const AGENT = [
  '您好，很高兴为您服务，请问有什么可以帮您？',
  '非常抱歉给您带来不便，我这边马上为您查询',
  'I understand, let me check the status of your order for you.',
  '為了保障您的帳戶安全，請先核實一下您的身份資訊',
  '已经为您登记了，预计两个工作日内处理完毕',
];

const log = (m: string) => process.stderr.write(`[bench:presend] ${m}\n`);
const q = (xs: readonly number[], p: number) =>
  xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const stats = (xs: readonly number[]) => ({ p50: r3(q(xs, 0.5)), p95: r3(q(xs, 0.95)), n: xs.length });

function turn(i: number, ts0: number): Utterance {
  const agent = i % 2 === 1;
  const lines = agent ? AGENT : CUSTOMER;
  return {
    conversationId: CONV,
    seq: i,
    speaker: agent ? 'agent' : 'customer',
    text: `${lines[Math.floor(i / 2) % lines.length]} #${i}`,
    ts: ts0 + i * 3000,
    channel: 'chat',
    source: 'demo-desk',
  };
}

/** Part 1: the rule check alone, in this process, on a short and on a long conversation. */
function nodeCheck(): { short: number[]; long: number[] } {
  const dir = join(import.meta.dirname, '..', 'rulebooks');
  const books = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown);
  const measure = (turns: number) => {
    const set = new LiveRuleSet((ts) => `F${ts}`);
    set.swap(books, 'bundled');
    const session = set.sessions(CONV);
    const ts0 = Date.now() - turns * 3000;
    for (let i = 0; i < turns; i++) session.push(turn(i, ts0), {});
    for (const p of PREFIXES) set.check(p, CONV); // warm-up: the JIT, not the conversation
    const out: number[] = [];
    for (let r = 0; r < ROUNDS; r++)
      for (const p of PREFIXES) {
        const t = performance.now();
        set.check(p, CONV);
        out.push(performance.now() - t);
      }
    return out;
  };
  // Interleaved, so both see the same machine minute.
  const short = measure(10);
  const long = measure(TURNS);
  return { short: [...short, ...measure(10)], long: [...long, ...measure(TURNS)] };
}

interface Sample {
  total: number;
  /** Held by the offscreen document (listener → reply), and the worker's own check; -1 when not reported. */
  offscreen: number;
  worker: number;
}

/** Part 2: the round trips in Chromium. */
async function browserChecks(): Promise<{
  sw: Sample[];
  content: number[];
  background: number[];
  sendMessage: number[];
}> {
  const server = await startFixtureServer({ port: 0 });
  const l = await launch();
  try {
    // tsx keeps function names with a `__name` helper that page functions would miss.
    await l.context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    const desk = await FixtureConsole.open(l.context, new URL('desk/', server.url).href);
    const world = await scriptWorld(desk.page);
    const ts0 = Date.now() - TURNS * 3000;
    const t0 = Date.now();
    // The console script's batches, as its reader sends them (at most MAX_BATCH turns each).
    for (let i = 0; i < TURNS; i += 500) {
      const batch = Array.from({ length: Math.min(500, TURNS - i) }, (_, k) => turn(i + k, ts0));
      const r = await inWorld<{ ok: boolean; reason?: string }>(
        world,
        `chrome.runtime.sendMessage(${JSON.stringify({ type: 'utterances', utterances: batch })})`,
      );
      if (!r?.ok) throw new Error(`utterances refused: ${JSON.stringify(r)}`);
    }
    const sw = await l.serviceWorker();
    await sw.evaluate('globalThis.__name = (f) => f'); // tsx's helper (no init script in a service worker)
    const settled = await analysisDrained(sw, CONV, {
      expected: 1,
      polls: Number(process.env.DRAIN_POLLS ?? 2400),
    });
    log(`${TURNS} turns stored and analysed in ${Date.now() - t0} ms: ${JSON.stringify(settled)}`);
    if (settled.analyses < TURNS) {
      const lines = await sw.evaluate(
        async () => (await chrome.storage.session.get('sotto:log'))['sotto:log'],
      );
      log(`background log: ${JSON.stringify(lines).slice(-3000)}`);
      throw new Error('the analysis did not drain');
    }
    const swRound = () =>
      sw.evaluate(
        async ({ conv, prefixes }) => {
          const out: { total: number; offscreen: number; worker: number }[] = [];
          for (const text of prefixes) {
            const t = performance.now();
            const r = (await chrome.runtime.sendMessage({
              type: 'check-draft',
              target: 'offscreen',
              conversationId: conv,
              text,
            })) as { ok?: boolean; timing?: { offscreenMs: number; workerMs: number } } | undefined;
            const total = performance.now() - t;
            if (!r?.ok) throw new Error(`draft check failed: ${JSON.stringify(r)}`);
            out.push({ total, offscreen: r.timing?.offscreenMs ?? -1, worker: r.timing?.workerMs ?? -1 });
          }
          return out;
        },
        { conv: CONV, prefixes: PREFIXES },
      );
    /**
     * Each prefix as a one-time message from the console script's world; `ok` is what its answer
     * must say (true: checked, false: refused).
     */
    const oneTimeRound = (message: Record<string, unknown>, ok: boolean) =>
      inWorld<number[]>(
        world,
        `(async () => {
          const out = [];
          for (const text of ${JSON.stringify(PREFIXES)}) {
            const t = performance.now();
            const r = await chrome.runtime.sendMessage({ ...${JSON.stringify({ ...message, conversationId: CONV })}, text });
            out.push(performance.now() - t);
            if (!r || r.ok !== ${ok}) throw new Error('unexpected answer to ${String(message.type)}: ' + JSON.stringify(r));
          }
          return out;
        })()`,
      );
    const contentRound = () => oneTimeRound({ type: 'draft-check' }, true);
    // The product's path: the console script's port, asked as lib/adapters/presend-direct.ts asks.
    const directRound = () => presendPortRound(world, CONV, PREFIXES);
    // A one-time message from the console script to the offscreen document: refused there at once
    // (check-draft is the background's), so the round trip is the messaging alone.
    const sendMessageRound = () => oneTimeRound({ type: 'check-draft', target: 'offscreen' }, false);
    // Warm-up: first checks compile the check path's code in each process.
    await swRound();
    await contentRound();
    await directRound();
    await sendMessageRound();
    const swSamples: Sample[] = [];
    const background: number[] = [];
    const content: number[] = [];
    const sendMessage: number[] = [];
    // Interleaved, so every path sees the same machine minute.
    for (let r = 0; r < ROUNDS; r++) {
      swSamples.push(...(await swRound()));
      background.push(...(await contentRound()));
      content.push(...(await directRound()));
      sendMessage.push(...(await sendMessageRound()));
    }
    if (desk.errors.length) throw new Error(`console page errors: ${desk.errors.join('; ')}`);
    await world.s.detach().catch(() => {});
    return { sw: swSamples, content, background, sendMessage };
  } finally {
    await l.close();
    await server.close();
  }
}

const node = nodeCheck();
log(`rule check alone (Node), ${PREFIXES.length} prefixes × ${ROUNDS * 2}:`);
log(`  10 turns     ${JSON.stringify(stats(node.short))} ms`);
log(`  ${TURNS} turns ${JSON.stringify(stats(node.long))} ms`);
const nodeSummary = {
  node_check_p95_ms: r3(q(node.long, 0.95)),
  node_check_p50_ms: r3(q(node.long, 0.5)),
  node_check_short_p95_ms: r3(q(node.short, 0.95)),
};
if (process.env.PRESEND_NODE_ONLY === '1') {
  console.log(JSON.stringify({ bench: 'presend', turns: TURNS, ...nodeSummary }));
} else {
  const b = await browserChecks();
  const timed = b.sw.filter((s) => s.offscreen >= 0);
  const hops = {
    total: b.sw.map((s) => s.total),
    messaging: timed.map((s) => s.total - s.offscreen),
    workerHop: timed.map((s) => s.offscreen - s.worker),
    worker: timed.map((s) => s.worker),
  };
  const direct = b.content;
  log(
    `console script → service worker → draft link → worker → back on the presend port (the product's path):`,
  );
  log(`  round trip                  ${JSON.stringify(stats(direct))} ms`);
  log(`console script → background → offscreen → worker → back (the fallback, draft-check):`);
  log(`  round trip                  ${JSON.stringify(stats(b.background))} ms`);
  log('service worker → offscreen → worker → back (check-draft, the way without a draft link), per prefix:');
  log(`  round trip                  ${JSON.stringify(stats(hops.total))} ms`);
  log(`  messaging (browser IPC)     ${JSON.stringify(stats(hops.messaging))} ms`);
  log(`  offscreen ↔ worker (comlink) ${JSON.stringify(stats(hops.workerHop))} ms`);
  log(`  worker's check              ${JSON.stringify(stats(hops.worker))} ms`);
  log(`console script → offscreen by runtime.sendMessage, refused at once (messaging alone):`);
  log(`  round trip                  ${JSON.stringify(stats(b.sendMessage))} ms`);
  console.log(
    JSON.stringify({
      bench: 'presend',
      turns: TURNS,
      checks: direct.length,
      // What the agent's keystroke waits for: the console script's own round trip.
      keystroke_check_p95_ms: r3(q(direct, 0.95)),
      keystroke_check_p50_ms: r3(q(direct, 0.5)),
      content_background_p95_ms: r3(q(b.background, 0.95)),
      content_background_p50_ms: r3(q(b.background, 0.5)),
      sw_offscreen_p95_ms: r3(q(hops.total, 0.95)),
      sw_offscreen_p50_ms: r3(q(hops.total, 0.5)),
      worker_p95_ms: timed.length ? r3(q(hops.worker, 0.95)) : null,
      worker_hop_p95_ms: timed.length ? r3(q(hops.workerHop, 0.95)) : null,
      messaging_p95_ms: timed.length ? r3(q(hops.messaging, 0.95)) : null,
      content_sendmessage_messaging_p95_ms: r3(q(b.sendMessage, 0.95)),
      ...nodeSummary,
    }),
  );
}
