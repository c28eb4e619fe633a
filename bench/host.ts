/**
 * bench:host — the host-side cost of Sotto on a console: the attachment reading a 10,000-message
 * conversation (then bursts of 20 messages) from the demo desk's DOM, and the pre-send check of a
 * draft typed key by key against every shipped rulebook. Runs in Node on happy-dom (the same code
 * the content script runs), so numbers are per-message CPU, not browser rendering.
 * Last line: {"bench":"host","long_tasks_over_50ms":…,"content_ms_per_msg_p95":…,"keystroke_check_p95_ms":…,"content_heap_mb":…}
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Window as HappyWindow } from 'happy-dom';
import { ConsoleAttachment } from '../lib/adapters/attachment';
import { parseAdapter } from '../lib/adapters/spec';
import { checkDraft, compileRulebook } from '../lib/rules';
import type { CompiledRulebook } from '../lib/rules';

const root = join(import.meta.dirname, '..');
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? 0;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

const spec = (() => {
  const r = parseAdapter(JSON.parse(readFileSync(join(root, 'adapters/demo-desk.json'), 'utf8')));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.spec;
})();

const win = new HappyWindow({ url: 'http://127.0.0.1:5178/desk/' });
const doc = win.document;
doc.body.innerHTML =
  '<div id="conversation-list"><div class="conv-item" aria-selected="true" data-conversation-id="bench-1"></div></div><ol id="message-log"></ol>';
const log = doc.getElementById('message-log')!;
const lines = [
  '我的快递三天了还没到',
  'Where is my refund for order 12345?',
  '您好，我马上帮您查询',
  '請問什麼時候能到？',
];
let n = 0;
function addMessage(): void {
  const li = doc.createElement('li');
  li.className = 'msg';
  const who = n % 3 === 2 ? 'agent' : 'customer';
  li.setAttribute('data-speaker', who);
  li.setAttribute('data-msg-id', `m${n}`);
  li.innerHTML =
    '<div class="msg__bubble"><p class="msg__text"></p><span class="msg__meta"><time class="msg__time">10:00</time></span></div>';
  li.querySelector('.msg__text')!.textContent = `${lines[n % lines.length]} #${n}`;
  log.append(li);
  n++;
}

const heap0 = process.memoryUsage().heapUsed;
let delivered = 0;
const controller = new AbortController();
const attachment = new ConsoleAttachment({
  win: win as unknown as Window & typeof globalThis,
  spec,
  signal: controller.signal,
  send: async (us) => {
    delivered += us.length;
  },
  report: () => {},
});
attachment.start();

// The content script's own work per mutation batch: timed around the observer callback.
const perMsg: number[] = [];
let longTasks = 0;
const flush = () => new Promise((r) => setTimeout(r, 0));
async function burst(count: number): Promise<void> {
  for (let i = 0; i < count; i++) addMessage();
  const t0 = performance.now();
  await flush(); // the MutationObserver callback (and the ingest) runs here
  const ms = performance.now() - t0;
  if (ms > 50) longTasks++;
  perMsg.push(ms / count);
}
for (let i = 0; i < Number(process.env.BURSTS ?? 500); i++) await burst(20); // 10,000 messages in bursts of 20
for (let i = 0; i < 200; i++) await burst(1); // then single messages into a 10,000-long log
await flush();
const heapMb = (process.memoryUsage().heapUsed - heap0) / 1024 / 1024;
if (delivered !== n) throw new Error(`delivered ${delivered} of ${n} messages`);

// Pre-send check: every prefix of realistic drafts, as the agent types them, against all rulebooks.
const books: CompiledRulebook[] = [];
for (const f of readdirSync(join(root, 'rulebooks')).filter((f) => f.endsWith('.json'))) {
  const r = compileRulebook(JSON.parse(readFileSync(join(root, 'rulebooks', f), 'utf8')));
  if (r.ok) books.push(r.compiled);
}
const drafts = [
  '您好，非常抱歉给您带来不便，我马上为您核实订单的物流情况，请您稍等一下',
  '放心，这款产品保本保息，稳赚不赔，您加我微信我私下给您便宜点',
  'Sorry for the wait, I have escalated your refund and you will get an email within two working days',
];
const keystroke: number[] = [];
for (let round = 0; round < 5; round++)
  for (const d of drafts)
    for (let i = 1; i <= d.length; i++) {
      const t0 = performance.now();
      for (const b of books) checkDraft(b, d.slice(0, i), { speaker: 'agent' });
      keystroke.push(performance.now() - t0);
    }

controller.abort();
console.log(
  JSON.stringify({
    bench: 'host',
    messages: n,
    rulebooks: books.length,
    long_tasks_over_50ms: longTasks,
    content_ms_per_msg_p95: r3(p95(perMsg)),
    keystroke_check_p95_ms: r3(p95(keystroke)),
    content_heap_mb: r3(heapMb),
  }),
);
