#!/usr/bin/env -S node --import tsx
/**
 * Batch QA of historical conversations (issue 11): the live path's rules, models and scorecard
 * over exported chat logs and call transcripts.
 *
 *   npm run qa -- <files or folders…> [--rulebook r.json]… [--scorecard s.json] [--out report/]
 *     [--format jsonl|csv|chat|captions|contact-lens] [--map speaker=角色,text=内容,…]
 *     [--agents 小王,Sam] [--channel chat|voice] [--resume] [--no-models] [--workers N]
 *     [--upload URL --token T]
 *
 * Writes findings.jsonl (redacted evidence), scores.csv, report.html, summary.json and
 * problems.txt to --out. Ctrl-C stops after the chunks in progress; --resume continues.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseColumnMap } from '../lib/batch/importers';
import { runBatch } from '../lib/batch/run/runner';

const ROOT = new URL('..', import.meta.url).pathname;
const USAGE = `usage: npm run qa -- <files or folders…> [options]
  --rulebook FILE     rulebook to run (repeatable; default: every rulebooks/*.json)
  --scorecard FILE    scorecard (default: scorecards/default.json)
  --out DIR           output folder (default: qa-report)
  --format ID         jsonl | csv | chat | captions | contact-lens (default: sniffed per file)
  --map SPEC          CSV columns: conversation=…,speaker=…,text=…,ts=…,seq=…,agent=…,channel=…
  --agents NAMES      comma-separated names that are agents (chat exports, captions)
  --channel C         chat | voice, when the export does not say
  --resume            continue a stopped run from --out's checkpoint
  --no-models         rules only (skip the emotion and intent models)
  --workers N         worker threads (default: one per core)
  --upload URL        send findings to the QA endpoint (idempotent; needs --token or SOTTO_TOKEN)
  --token T           device or API token for --upload`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return fail(`${path}: ${(e as Error).message}`);
  }
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      allowPositionals: true,
      options: {
        rulebook: { type: 'string', multiple: true },
        scorecard: { type: 'string' },
        out: { type: 'string', default: 'qa-report' },
        format: { type: 'string' },
        map: { type: 'string' },
        agents: { type: 'string' },
        channel: { type: 'string' },
        resume: { type: 'boolean', default: false },
        'no-models': { type: 'boolean', default: false },
        workers: { type: 'string' },
        upload: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  }
  try {
    parsed = parse();
  } catch (e) {
    return fail(`${(e as Error).message}\n${USAGE}`);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length === 0) fail(USAGE);
  if (v.channel !== undefined && v.channel !== 'chat' && v.channel !== 'voice')
    fail('--channel is chat or voice');
  const token = v.token ?? process.env.SOTTO_TOKEN;
  if (v.upload && !token) fail('--upload needs --token (or SOTTO_TOKEN)');

  const rulebookPaths =
    v.rulebook ??
    readdirSync(join(ROOT, 'rulebooks'))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(ROOT, 'rulebooks', f));
  const rulebooks = Object.fromEntries(rulebookPaths.map((p) => [p, readJson(p)]));
  const scorecardPath = v.scorecard ?? join(ROOT, 'scorecards', 'default.json');
  let map: ReturnType<typeof parseColumnMap> | undefined;
  try {
    map = v.map ? parseColumnMap(v.map) : undefined;
  } catch (e) {
    fail((e as Error).message);
  }

  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\nstopping after the conversations in progress (Ctrl-C again to quit now)…\n');
    controller.abort();
  });

  const summary = await runBatch({
    inputs: positionals,
    rulebooks,
    scorecard: readJson(scorecardPath),
    scorecardName: scorecardPath,
    outDir: resolve(v.out),
    ...(v['no-models'] ? {} : { manifestPath: join(ROOT, 'models', 'manifest.json') }),
    ...(v.format ? { format: v.format } : {}),
    ...(map ? { map } : {}),
    ...(v.agents
      ? {
          agentNames: v.agents
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    ...(v.channel ? { channel: v.channel as 'chat' | 'voice' } : {}),
    resume: v.resume,
    ...(v.upload && token ? { upload: { url: v.upload, token } } : {}),
    ...(v.workers ? { workers: Number(v.workers) } : {}),
    signal: controller.signal,
  }).catch((e: Error) => fail(e.message, 1));

  const reasons = Object.entries(summary.skippedByReason)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r}: ${n}`)
    .join(', ');
  const lines = [
    `${summary.stopped ? 'stopped' : 'done'}: ${summary.conversations} conversations, ${summary.findings} findings, average score ${summary.averageScore}, ${summary.conversationsPerSecond.toFixed(0)} conversations/s`,
    `skipped: ${summary.skipped}${reasons ? ` (${reasons}; details in ${summary.outputs.problems})` : ''}`,
    `report: ${summary.outputs.report}`,
    `findings: ${summary.outputs.findings}   scores: ${summary.outputs.scores}`,
  ];
  if (summary.upload)
    lines.push(
      `upload: ${summary.upload.accepted} accepted (${summary.upload.duplicates} already stored), ${summary.upload.rejected} rejected` +
        (summary.upload.failed
          ? `, FAILED: ${summary.upload.lastError ?? 'unknown error'} (${summary.upload.pending} not sent; run again, uploads are idempotent)`
          : ''),
    );
  if (summary.stopped) lines.push(`resume with the same command and --resume`);
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(summary.stopped ? 130 : summary.upload?.failed ? 1 : 0);
}

main().catch((e: Error) => fail(e.message, 1));
