/**
 * Single-utterance latency and cold start of the emotion and intent models in a Web Worker in
 * headless Chromium, the way the analysis worker runs them: onnxruntime-web/wasm, one thread, the
 * .wasm served locally with application/wasm (streaming compile), models opened by lib/models/boot
 * (the analysis worker's code path) and verified against the manifest by lib/models/runtime.
 *
 * Cold start is measured in the page, from `new Worker()` to the message carrying the first result
 * of both models, each sample in a freshly launched browser (empty HTTP and WASM code caches). It
 * covers starting the worker and evaluating its script (the manifest is bundled into it, as in the
 * analysis worker), fetching both model files, hashing and checking them, building the Traditional→Simplified converter, featurising one
 * utterance and both models' answers, and posting the result back to the page.
 * - `cold_start_ms`: what the analysis worker does (boot `reference: true`): the first answers
 *   come from the TypeScript evaluator of the same verified ONNX files (lib/models/reference.ts)
 *   while onnxruntime-web starts; ORT's start is still running when they arrive.
 * - `ort_cold_start_ms`: the same-run baseline without it (boot as before): the first answers come
 *   from onnxruntime-web, so this also covers fetching and compiling ORT's 14 MB WASM, its static
 *   initialisers and creating both sessions.
 * The detail line adds `ort_handover_ms` (worker created → both models answering through ORT on
 * the reference path) and `restart_cold_start_ms` (a second worker in the same browser, which finds
 * ORT's WASM in V8's code cache: what a restarted offscreen document pays).
 * The p95s are single-utterance `classify` calls inside the worker through onnxruntime-web (after
 * the handover; the bench checks the engine), featurise + ORT run + labels; the detail line adds the
 * featuriser alone and the page → worker → both models → page round trip.
 * Last stdout line:
 *   {"bench":"models","emotion_p95_ms":…,"intent_p95_ms":…,"cold_start_ms":…,"ort_cold_start_ms":…}
 * Usage: npm run bench:models [-- --iterations 1000 --cold-runs 3]
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { ModelManifest } from '../lib/models/manifest';
import { PLAIN_CHROMIUM_FLAGS, requireChromium } from '../test/e2e/chromium';

const ROOT = resolve(new URL('..', import.meta.url).pathname);

const iterArg = process.argv.indexOf('--iterations');
const ITERATIONS = iterArg >= 0 ? Number(process.argv[iterArg + 1]) : 1000;
const coldArg = process.argv.indexOf('--cold-runs');
/** Fresh-browser cold starts per variant (median reported); alternated so load drift hits both. */
const COLD_RUNS = coldArg >= 0 ? Number(process.argv[coldArg + 1]) : 3;

/** Runs inside the worker. Utterances vary so no cache or branch predictor sees one input. */
const WORKER_SOURCE = `
import { bootModels } from './lib/models/boot';
import shippedManifest from './models/manifest.json';
import { featurise } from './lib/featurise';
const tEval = performance.now();

const TEXTS = [
  ['我已经等了整整十五天了，今天再不给我退款我直接打12315', 'customer'],
  ['你哋係咪玩嘢呀？我而家好嬲', 'customer'],
  ['ok thanks bye', 'customer'],
  ['您好，很高兴为您服务，请问有什么可以帮您', 'agent'],
  ['I was charged twice for the same order and nobody is fixing it', 'customer'],
  ['請稍等，我幫您查一下物流狀態', 'agent'],
  ['嗯 那个 我的 宽带 从昨天 开始 就 连不上 了', 'customer'],
  ['refund 什么时候到？？？', 'customer'],
  ['I understand how frustrating this must be, let me sort it out', 'agent'],
  ['好的好的', 'customer'],
];

function p(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

// The worker starts opening the models the moment its script runs, as the analysis worker does:
// the page's first message is not awaited for that.
// onnxruntime-web's JS is its own chunk, imported as the analysis worker imports it
// (workers/analysis-models.ts): on the reference path only once both models answer.
const loadOrt = async () => {
  const ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = { wasm: new URL('./ort-wasm-simd-threaded.wasm', self.location.href).href };
  return ort;
};
// ?reference=0: boot as before the reference evaluator (first answers wait for ORT), the baseline;
// it starts importing ORT as its script runs.
const reference = new URL(self.location.href).searchParams.get('reference') !== '0';
const ortSource = reference ? loadOrt : loadOrt();
const both = async (models, text, speaker) => {
  const [e] = await models.emotion.classify([{ text, speaker }]);
  const [i] = await models.intent.classify([{ text, speaker }]);
  return [e.label, i.label];
};
const boot = (async () => {
  const booted = await bootModels(reference ? ortSource : await ortSource, {
    manifestUrl: new URL('./models/manifest.json', self.location.href).href,
    // Bundled into the worker, as the analysis worker bundles it.
    manifest: shippedManifest,
    reference,
  });
  if (booted.errors.length) throw new Error(booted.errors.join('; '));
  const tLoaded = performance.now();
  const models = Object.fromEntries(booted.models);
  const engines = [models.emotion.engine, models.intent.engine];
  const labels = await both(models, TEXTS[0][0], 'customer');
  const tFirst = performance.now();
  // Tell the page at once: its clock stops when this message arrives (worker created → first result).
  self.postMessage({ kind: 'first', labels, engines });
  const late = await booted.ready;
  if (late.errors.length) throw new Error(late.errors.join('; '));
  const ortLabels = await both(models, TEXTS[0][0], 'customer');
  if (models.emotion.engine !== 'onnxruntime' || models.intent.engine !== 'onnxruntime')
    throw new Error('onnxruntime-web never took over');
  // Worker created → both models answering through ORT.
  self.postMessage({ kind: 'ort', labels: ortLabels });
  return {
    models,
    phases: { scriptEvalMs: tEval, ...booted.timings, bootDoneMs: tLoaded, firstResultMs: tFirst, firstEngines: engines, firstLabels: labels, ortLabels },
  };
})();
boot.catch((e) => self.postMessage({ kind: 'result', ok: false, error: String((e && e.stack) || e) }));

self.onmessage = async (ev) => {
  try {
    const { models, phases } = await boot;
    if (ev.data.kind === 'utterance') {
      // Round trip through postMessage: what the offscreen document sees per utterance.
      const [text, speaker] = TEXTS[ev.data.i % TEXTS.length];
      const [e] = await models.emotion.classify([{ text: text + ' ' + ev.data.i, speaker }]);
      const [i] = await models.intent.classify([{ text: text + ' ' + ev.data.i, speaker }]);
      self.postMessage({ kind: 'answer', e: e.label, i: i.label });
      return;
    }
    const { iterations } = ev.data;
    const result = { phases };
    // Both models on each utterance, as the analysis worker runs them, timed call by call: neither
    // model gets the quiet or the busy half of the run (V8 finishes tiering ORT's WASM up in the
    // background during the first seconds after a cold start).
    for (let i = 0; i < 300; i++) {
      const [text, speaker] = TEXTS[i % TEXTS.length];
      await models.emotion.classify([{ text, speaker }]);
      await models.intent.classify([{ text, speaker }]);
    }
    const times = { emotion: [], intent: [] };
    for (let i = 0; i < iterations; i++) {
      const [text, speaker] = TEXTS[i % TEXTS.length];
      const input = [{ text: text + (i % 7 === 0 ? '' : ' ' + i), speaker }];
      for (const name of ['emotion', 'intent']) {
        const t0 = performance.now();
        await models[name].classify(input);
        times[name].push(performance.now() - t0);
      }
    }
    for (const name of ['emotion', 'intent'])
      result[name] = { p50: p(times[name], 0.5), p95: p(times[name], 0.95), max: Math.max(...times[name]) };
    // Same-process baseline and profile: the featuriser alone (the rest of a call is ORT's run and
    // the runtime's bookkeeping), so a slower machine shows up in both numbers.
    const ft = [];
    const params = models.emotion.entry.featuriser.params;
    for (let i = 0; i < iterations; i++) {
      const [text, speaker] = TEXTS[i % TEXTS.length];
      const t0 = performance.now();
      featurise({ text: text + ' ' + i, speaker }, params);
      ft.push(performance.now() - t0);
    }
    result.featurise = { p50: p(ft, 0.5), p95: p(ft, 0.95) };
    result.crossOriginIsolated = self.crossOriginIsolated;
    self.postMessage({ kind: 'result', ok: true, result });
  } catch (e) {
    self.postMessage({ kind: 'result', ok: false, error: String(e && e.stack || e) });
  }
};
`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>models bench</title>
<script type="module">
  function p(xs, q) {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))];
  }
  // Cold start = from new Worker() to the first result (both models' first answer) arriving here;
  // ortMs = to both models' first answer through onnxruntime-web.
  window.runBench = (iterations, roundTrips, reference = true) => new Promise((resolve) => {
    const t0 = performance.now();
    const w = new Worker(reference ? './worker.js' : './worker.js?reference=0', { type: 'module' });
    let coldStartMs;
    let ortMs;
    let first;
    const rt = [];
    let sent = 0;
    const next = () => {
      if (sent < roundTrips) {
        const t = performance.now();
        w.onmessage = (ev) => {
          if (ev.data.kind === 'result') return resolve(ev.data);
          if (ev.data.kind !== 'answer') return;
          rt.push(performance.now() - t);
          next();
        };
        w.postMessage({ kind: 'utterance', i: sent++ });
        return;
      }
      w.onmessage = (ev) => {
        if (ev.data.kind !== 'result') return;
        w.terminate();
        resolve({ ...ev.data, coldStartMs, ortMs, first, roundTrip: rt.length ? { p50: p(rt, 0.5), p95: p(rt, 0.95) } : null });
      };
      w.postMessage({ kind: 'run', iterations });
    };
    w.onmessage = (ev) => {
      if (ev.data.kind === 'first') {
        coldStartMs = performance.now() - t0;
        first = ev.data;
      } else if (ev.data.kind === 'ort') {
        ortMs = performance.now() - t0;
        next();
      } else if (ev.data.kind === 'result') resolve(ev.data);
    };
    w.onerror = (ev) => resolve({ ok: false, error: ev.message || 'worker error' });
  });
</script>`;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
};

async function main(): Promise<void> {
  const executablePath = requireChromium();
  const dir = mkdtempSync(join(tmpdir(), 'sotto-bench-models-'));
  try {
    await build({
      stdin: { contents: WORKER_SOURCE, resolveDir: ROOT, sourcefile: 'bench-worker.js', loader: 'js' },
      bundle: true,
      format: 'esm',
      // Dynamic imports become their own chunks, as vite emits them for the analysis worker.
      splitting: true,
      platform: 'browser',
      target: 'es2022',
      minify: true,
      outdir: dir,
      entryNames: 'worker',
      chunkNames: 'chunk-[hash]',
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'index.html'), PAGE);
    // Shipped next to the page, as the extension ships it: no CDN.
    copyFileSync(
      join(ROOT, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'),
      join(dir, 'ort-wasm-simd-threaded.wasm'),
    );
    const manifestPath = join(ROOT, 'models/manifest.json');
    const manifest = ModelManifest.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
    mkdirSync(join(dir, 'models'), { recursive: true });
    copyFileSync(manifestPath, join(dir, 'models/manifest.json'));
    for (const m of manifest.models) {
      mkdirSync(dirname(join(dir, 'models', m.file)), { recursive: true });
      copyFileSync(join(ROOT, 'models', m.file), join(dir, 'models', m.file));
    }

    const server = createServer((req, res) => {
      const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!path.startsWith(dir)) {
        res.writeHead(403).end();
        return;
      }
      try {
        const body = readFileSync(path.endsWith('/') ? join(path, 'index.html') : path);
        res.writeHead(200, {
          'content-type': MIME[extname(path) || '.html'] ?? 'application/octet-stream',
          // Cross-origin isolation gives workers 5 µs timer resolution instead of 100 µs.
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
          // Cacheable like an extension resource, so the restart measurement can use V8's WASM code cache.
          'cache-control': 'max-age=3600',
        });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const launch = () =>
      chromium.launch({
        executablePath,
        args: ['--headless=new', ...PLAIN_CHROMIUM_FLAGS],
      });
    type Run = {
      ok: boolean;
      error?: string;
      result?: {
        emotion: { p50: number; p95: number; max: number };
        intent: { p50: number; p95: number; max: number };
        featurise: { p50: number; p95: number };
        crossOriginIsolated: boolean;
        phases: { firstLabels?: string[]; ortLabels?: string[] } & Record<string, unknown>;
      };
      coldStartMs: number;
      ortMs: number;
      roundTrip: { p50: number; p95: number } | null;
    };
    const run = (page: import('playwright-core').Page, n: number, trips: number, reference: boolean) =>
      page.evaluate(
        ([k, t, f]) =>
          (window as unknown as { runBench(k: number, t: number, f: boolean): Promise<unknown> }).runBench(
            k,
            t,
            f,
          ),
        [n, trips, reference] as const,
      ) as Promise<Run>;
    const ms = (x: number) => Math.round(x * 1000) / 1000;
    const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);

    // True cold starts: every sample in a newly launched browser (no HTTP or WASM code cache), the
    // two boot variants alternated so load drift on the shared machine hits both alike.
    const cold: Record<'reference' | 'ort', number[]> = { reference: [], ort: [] };
    const handover: number[] = [];
    let profile: unknown;
    for (let k = 0; k < COLD_RUNS; k++)
      for (const reference of k % 2 ? [false, true] : [true, false]) {
        const browser = await launch();
        try {
          const page = await browser.newPage();
          await page.goto(`http://127.0.0.1:${port}/index.html`);
          const o = await run(page, 10, 0, reference);
          if (!o.ok || !o.result) throw new Error(`bench worker failed: ${o.error}`);
          if (reference) {
            cold.reference.push(o.coldStartMs);
            handover.push(o.ortMs);
            profile ??= o.result.phases;
            const { firstLabels, ortLabels } = o.result.phases;
            if (JSON.stringify(firstLabels) !== JSON.stringify(ortLabels))
              throw new Error(`reference answered ${firstLabels}, onnxruntime-web ${ortLabels}`);
          } else cold.ort.push(o.coldStartMs);
        } finally {
          await browser.close();
        }
      }

    // Latency, in one more fresh browser: after the handover, through onnxruntime-web.
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/index.html`);
      const out = await run(page, ITERATIONS, 200, true);
      if (!out.ok || !out.result) throw new Error(`bench worker failed: ${out.error}`);
      const r = out.result;
      // A second worker in the same browser: what a restarted offscreen document pays once the
      // browser has ORT's WASM in its code cache (ORT-only boot, so ORT's own restart is measured).
      const again = await run(page, 10, 0, false);
      console.log(
        JSON.stringify({
          bench: 'models-detail',
          iterations: ITERATIONS,
          emotion_p50_ms: ms(r.emotion.p50),
          emotion_max_ms: ms(r.emotion.max),
          intent_p50_ms: ms(r.intent.p50),
          intent_max_ms: ms(r.intent.max),
          featurise_p50_ms: ms(r.featurise.p50),
          featurise_p95_ms: ms(r.featurise.p95),
          // Page → worker → both models → page, per utterance.
          round_trip_both_p50_ms: out.roundTrip ? ms(out.roundTrip.p50) : null,
          round_trip_both_p95_ms: out.roundTrip ? ms(out.roundTrip.p95) : null,
          cross_origin_isolated: r.crossOriginIsolated,
          // Other processes on a 2-core machine inflate p95 and cold start: read the numbers with this.
          load_average_1m: Math.round(loadavg()[0]! * 100) / 100,
          cold_runs: COLD_RUNS,
          cold_start_samples_ms: cold.reference.map(Math.round),
          ort_cold_start_samples_ms: cold.ort.map(Math.round),
          ort_handover_ms: median(handover),
          cold_start_phases: profile,
          restart_cold_start_ms: again.ok ? Math.round(again.ortMs) : null,
        }),
      );
      console.log(
        JSON.stringify({
          bench: 'models',
          emotion_p95_ms: ms(r.emotion.p95),
          intent_p95_ms: ms(r.intent.p95),
          cold_start_ms: median(cold.reference),
          ort_cold_start_ms: median(cold.ort),
        }),
      );
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
