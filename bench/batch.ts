/**
 * npm run bench:batch — the batch CLI's engine on a generated corpus of 100,000 conversations
 * (JSON Lines, ~1.2 M utterances, rules + emotion/intent models, one worker per core).
 * Prints progress lines, then as the last line:
 *   {"bench":"batch","conversations_per_s":…,"peak_rss_mb":…,"conversations":100000}
 * Peak RSS is the whole process (main thread and workers). Set BENCH_BATCH_CONVERSATIONS to run
 * a smaller corpus.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '../lib/batch/run/runner';
import { writeCorpus } from '../scripts/gen-corpus-lib';

const ROOT = new URL('..', import.meta.url).pathname;
const N = Number(process.env.BENCH_BATCH_CONVERSATIONS ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'sotto-bench-batch-'));
try {
  const corpus = join(dir, 'corpus.jsonl');
  await writeCorpus(corpus, { conversations: N, seed: 42 });
  const rulebooks = Object.fromEntries(
    readdirSync(join(ROOT, 'rulebooks'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, JSON.parse(readFileSync(join(ROOT, 'rulebooks', f), 'utf8'))]),
  );
  const summary = await runBatch({
    inputs: [corpus],
    rulebooks,
    scorecard: JSON.parse(readFileSync(join(ROOT, 'scorecards', 'default.json'), 'utf8')),
    scorecardName: 'scorecards/default.json',
    outDir: join(dir, 'out'),
    manifestPath: join(ROOT, 'models', 'manifest.json'),
    progress: { write: (s: string) => process.stderr.write(s), isTTY: false },
  });
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stderr.write(
    `models: ${summary.models.join(', ') || 'none'}; model cache hits ${summary.modelCache.hits}, misses ${summary.modelCache.misses}; ${summary.seconds.toFixed(1)} s\n`,
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
