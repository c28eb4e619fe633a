/**
 * `npm run bench:panel`: the cost of adding one turn to a 1,000-turn conversation in the side
 * panel — store update, Preact render of the whole panel (transcript, mood, hints, checklist,
 * warnings) and the browser's style and layout — in Chromium. The panel's own code is bundled with
 * esbuild and rendered synchronously so each sample covers exactly one turn. A baseline from the
 * same run adds turns to a 10-turn conversation. Last line: one JSON object.
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

// Render at once instead of on the next microtask, so a sample ends when the DOM is updated.
options.debounceRendering = (cb) => cb();
const EMO = ['neutral', 'frustrated', 'angry', 'positive'];
const LINES = [
  'Hi, my order DD20240603118842 still has not arrived and it has been eight days.',
  'I am sorry about the wait. Let me check the tracking for you right now.',
  'This is the third time I am asking. If it is not fixed today I will dispute the charge.',
  'I understand. I have escalated it and the courier will call you within 24 hours.',
];

function run(turns, samples) {
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
  void document.body.offsetHeight;
  const add = [];
  const label = [];
  for (let i = 0; i < samples; i++) {
    const seq = turns + i;
    let t0 = performance.now();
    store.apply({ type: 'utterance-added', utterance: u(seq) });
    void document.body.offsetHeight; // style and layout of what changed
    add.push(performance.now() - t0);
    t0 = performance.now();
    store.apply({ type: 'analysis-added', analysis: a(seq) });
    void document.body.offsetHeight;
    label.push(performance.now() - t0);
  }
  const rows = document.querySelectorAll('[data-testid="turn"]').length;
  render(null, host);
  return { add, label, rows };
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
    type Result = { add: number[]; label: number[]; rows: number };
    const run = (turns: number, samples: number) =>
      page.evaluate(
        ([n, s]) => (window as unknown as { runBench(n: number, s: number): Result }).runBench(n!, s!),
        [turns, samples],
      );
    await run(50, 30); // warm-up: JIT and style caches
    const base = await run(10, SAMPLES);
    const big = await run(TURNS, SAMPLES);
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
      }),
    );
    console.log(
      JSON.stringify({
        bench: 'panel',
        render_p50_ms: r2(pct(big.add, 50)),
        render_p95_ms: r2(pct(big.add, 95)),
        render_p99_ms: r2(pct(big.add, 99)),
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
