/**
 * `npm run bench:panel`: the cost of adding one turn to a 1,000-turn conversation in the side
 * panel, in Chromium, with the panel's own code (bundled with esbuild) and Preact's production
 * scheduling.
 *
 * What one sample times, as the side panel runs it (entrypoints/sidepanel/main.tsx):
 *   message received: `store.apply(message)` is called (the port handler's work after parsing)
 *   → the signals update and Preact renders what subscribed (a microtask, as in production)
 *   → the next frame: requestAnimationFrame callbacks (the transcript measures new rows and
 *     sticks to the bottom, and any re-render that causes)
 *   → style and layout of that frame (forced at the end of the last callback): frame committed.
 * `render_p95_ms` is the main-thread work in that span: the idle wait for the frame to start is
 * left out (it depends on vsync, not on the panel), and so is paint, which runs off the main
 * thread. `latency_p95_ms` is the wall time including that wait. Between samples two frames pass
 * so nothing from one turn spills into the next. A baseline from the same run adds turns to a
 * 10-turn conversation. Last line: one JSON object.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { INSTALL_HINT, findChromium } from '../test/e2e/chromium';

const root = join(import.meta.dirname, '..');
const TURNS = 1000;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);

// Runs in the page: a panel with `turns` turns, then `samples` more, each timed on its own.
const PAGE = `
import { options, render } from 'preact';
import { App } from '@/components/panel/App';
import { I18n, Lang, makeTranslator } from '@/components/panel/i18n';
import { createLeadStore } from '@/components/panel/lead/store';
import { DEFAULT_SETTINGS } from '@/components/panel/Settings';
import { createPanelStore } from '@/components/panel/store';
import { ScriptLibrary } from '@/lib/scripts';
import library from '@/scripts/library/general.json';
import en from '@/public/_locales/en/messages.json';

// Production scheduling (a microtask), wrapped only to note when each render ends.
let rendered = 0;
let renders = 0;
let onRender = null;
options.debounceRendering = (cb) =>
  queueMicrotask(() => {
    cb();
    rendered = performance.now();
    renders++;
    const f = onRender;
    onRender = null;
    if (f) requestAnimationFrame(f); // after the rAF callbacks that render registered
  });
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
const EMO = ['neutral', 'frustrated', 'angry', 'positive'];
const LINES = [
  'Hi, my order DD20240603118842 still has not arrived and it has been eight days.',
  'I am sorry about the wait. Let me check the tracking for you right now.',
  'This is the third time I am asking. If it is not fixed today I will dispute the charge.',
  'I understand. I have escalated it and the courier will call you within 24 hours.',
];

/** One message, timed from store.apply to the end of the next frame's layout. */
function sample(apply) {
  return new Promise((resolve) => {
    let frameStart = 0;
    let t0 = 0;
    let renderEnd = 0;
    const end = () => {
      void document.body.offsetHeight; // style and layout of the frame
      const t1 = performance.now();
      resolve({ work: (renderEnd || t0) - t0 + (t1 - frameStart), wall: t1 - t0, render: (renderEnd || t0) - t0 });
    };
    // Registered before anything the message causes, so it runs first in the next frame.
    requestAnimationFrame(() => {
      frameStart = performance.now();
      if (onRender) {
        onRender = null; // nothing rendered: the frame is this one
        end();
      }
    });
    rendered = 0;
    onRender = end;
    t0 = performance.now();
    apply();
    // All renders the message causes run in microtasks, before any frame: note where they ended.
    requestAnimationFrame(() => {
      renderEnd = rendered;
    });
  });
}

async function run(turns, samples) {
  const lib = ScriptLibrary.parse(library);
  const store = createPanelStore({ scripts: lib.scripts, checklist: lib.checklist });
  const lead = createLeadStore(store.feedback);
  const host = document.createElement('div');
  document.body.replaceChildren(host);
  const t = makeTranslator(en);
  const u = (seq) => ({
    conversationId: 'bench', seq, speaker: seq % 2 ? 'agent' : 'customer', text: LINES[seq % 4] + ' #' + seq,
    ts: 1.8e12 + seq * 4000, channel: 'chat', source: 'bench',
  });
  const a = (seq) => ({
    conversationId: 'bench', seq, workerMs: 1, findings: [],
    emotion: { label: EMO[seq % 4], probs: { [EMO[seq % 4]]: 0.8 } },
    intent: seq % 2 ? { label: 'agent_explanation', probs: { agent_explanation: 0.9 } } : { label: 'order_status', probs: { order_status: 0.9 } },
  });
  store.apply({ type: 'snapshot', utterances: Array.from({ length: turns }, (_, i) => u(i)), analyses: Array.from({ length: turns }, (_, i) => a(i)), attach: [] });
  render(
    <I18n.Provider value={t}><Lang.Provider value="en">
      <App store={store} lead={lead} actions={{ insertHint: async () => ({ ok: false }), copy: async () => {} }}
        settings={DEFAULT_SETTINGS} onSettings={() => {}} sync={{ configured: false }} />
    </Lang.Provider></I18n.Provider>,
    host,
  );
  for (let i = 0; i < 5; i++) await frame(); // first measurements and scroll to the bottom
  const add = [];
  const addWall = [];
  const addRender = [];
  const label = [];
  renders = 0;
  for (let i = 0; i < samples; i++) {
    const seq = turns + i;
    const s1 = await sample(() => store.apply({ type: 'utterance-added', utterance: u(seq) }));
    add.push(s1.work);
    addWall.push(s1.wall);
    addRender.push(s1.render);
    await frame();
    await frame();
    const s2 = await sample(() => store.apply({ type: 'analysis-added', analysis: a(seq) }));
    label.push(s2.work);
    await frame();
    await frame();
  }
  const rows = document.querySelectorAll('[data-testid="turn"]').length;
  const shownRows = document.querySelectorAll('[data-testid="turn"]');
  const shown = shownRows.length ? Number(shownRows[shownRows.length - 1].getAttribute('data-seq')) : -1;
  const perSample = renders / (2 * samples);
  render(null, host);
  return { add, addWall, addRender, label, rows, shown, expectLast: turns + samples - 1, perSample };
}
window.runBench = run;
`;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}
const r2 = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(INSTALL_HINT);
  const bundle = await build({
    stdin: { contents: PAGE, resolveDir: root, loader: 'tsx', sourcefile: 'bench-panel.tsx' },
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    alias: { '@': root },
    define: { 'import.meta.env.DEV': 'false' },
    minify: true,
    logLevel: 'error',
  });
  const css = readFileSync(join(root, 'entrypoints/sidepanel/style.css'), 'utf8');
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
    await page.setContent(
      `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body></body></html>`,
    );
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    type Result = {
      add: number[];
      addWall: number[];
      addRender: number[];
      label: number[];
      rows: number;
      shown: number;
      expectLast: number;
      perSample: number;
    };
    const run = (turns: number, samples: number) =>
      page.evaluate(
        ([n, s]) =>
          (window as unknown as { runBench(n: number, s: number): Promise<Result> }).runBench(n!, s!),
        [turns, samples],
      );
    await run(50, 30); // warm-up: JIT and style caches
    const base = await run(10, SAMPLES);
    const big = await run(TURNS, SAMPLES);
    // The timing means nothing if the new turns did not reach the screen.
    if (big.shown !== big.expectLast || base.shown !== base.expectLast)
      throw new Error(`the transcript does not show the last turn (${big.shown} ≠ ${big.expectLast})`);
    console.log(
      JSON.stringify({
        bench: 'panel-baseline',
        turns: 10,
        render_p50_ms: r2(pct(base.add, 50)),
        render_p95_ms: r2(pct(base.add, 95)),
      }),
    );
    console.log(
      JSON.stringify({
        bench: 'panel-label',
        turns: TURNS,
        label_p50_ms: r2(pct(big.label, 50)),
        label_p95_ms: r2(pct(big.label, 95)),
        rows_in_dom: big.rows,
        renders_per_message: r2(big.perSample),
        render_only_p95_ms: r2(pct(big.addRender, 95)),
      }),
    );
    console.log(
      JSON.stringify({
        bench: 'panel',
        render_p50_ms: r2(pct(big.add, 50)),
        render_p95_ms: r2(pct(big.add, 95)),
        render_p99_ms: r2(pct(big.add, 99)),
        latency_p95_ms: r2(pct(big.addWall, 95)),
        baseline_p95_ms: r2(pct(base.add, 95)),
        turns: TURNS,
      }),
    );
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
