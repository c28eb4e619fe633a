/**
 * npm run bench:batch — the batch CLI's engine on a generated corpus of 100,000 conversations
 * (JSON Lines, ~1.2 M utterances, rules + emotion/intent models, one worker per core).
 * Prints progress lines, then as the last line:
 *   {"bench":"batch","conversations_per_s":…,"peak_rss_mb":…,"conversations":100000}
 * The corpus is generated first and not timed: the rate is conversations analysed per second of
 * the run itself (runBatch, including starting its threads). Peak RSS is the whole process (main
 * thread, model thread and analysis workers). A detail line before it gives the CPU seconds and
 * each thread's busy seconds, since on a shared machine the wall-clock rate mostly measures the
 * other tenants. Set BENCH_BATCH_CONVERSATIONS to run a smaller corpus.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '../lib/batch/run/runner';
import { writeCorpus } from '../scripts/gen-corpus-lib';

const ROOT = new URL('..', import.meta.url).pathname;
const N = Number(process.env.BENCH_BATCH_CONVERSATIONS ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'sotto-bench-batch-'));
try {
  const corpus = join(dir, 'corpus.jsonl');
  const g0 = Date.now();
  await writeCorpus(corpus, { conversations: N, seed: 42 });
  process.stderr.write(
    `corpus: ${N} conversations generated in ${((Date.now() - g0) / 1000).toFixed(1)} s (not timed)\n`,
  );
  const rulebooks = Object.fromEntries(
    readdirSync(join(ROOT, 'rulebooks'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, JSON.parse(readFileSync(join(ROOT, 'rulebooks', f), 'utf8'))]),
  );
  const cpu0 = process.cpuUsage();
  const load0 = loadavg()[0]!;
  const summary = await runBatch({
    inputs: [corpus],
    rulebooks,
    scorecard: JSON.parse(readFileSync(join(ROOT, 'scorecards', 'default.json'), 'utf8')),
    scorecardName: 'scorecards/default.json',
    outDir: join(dir, 'out'),
    manifestPath: join(ROOT, 'models', 'manifest.json'),
    progress: { write: (s: string) => process.stderr.write(s), isTTY: false },
  });
  const cpu = process.cpuUsage(cpu0);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stderr.write(
    `models: ${summary.models.join(', ') || 'none'}; model cache hits ${summary.modelCache.hits}, misses ${summary.modelCache.misses}; ${summary.seconds.toFixed(1)} s\n`,
  );
  const r1 = (x: number) => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({
      bench: 'batch.detail',
      seconds: r1(summary.seconds),
      cpu_s: r1((cpu.user + cpu.system) / 1e6),
      busy_s: {
        main: r1(summary.busySeconds.main),
        models: r1(summary.busySeconds.models),
        workers: summary.busySeconds.workers.map(r1),
      },
      load_avg_1m: [r1(load0), r1(loadavg()[0]!)],
      findings: summary.findings,
    }),
  );
  console.log(
    JSON.stringify({
      bench: 'batch',
      conversations_per_s: Math.round(summary.conversationsPerSecond),
      peak_rss_mb: Math.round(peakRssMb),
      conversations: summary.conversations,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
