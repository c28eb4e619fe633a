/**
 * End to end: the qa CLI over a generated corpus of 2,000 conversations, checked against the
 * engine run directly in this process; then a run stopped with Ctrl-C (SIGINT) and resumed must
 * write exactly the same outputs as the uninterrupted run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseConversation } from '../../../lib/batch/analyse';
import { findingsLines, scoresHeader, scoresRow } from '../../../lib/batch/outputs';
import { prepare } from '../../../lib/batch/run/setup';
import { compileRulebook } from '../../../lib/rules';
import type { Utterance } from '../../../lib/utterance';
import { corpusLines, writeCorpus } from '../../../scripts/gen-corpus-lib';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CONVERSATIONS = 2000;
const SEED = 11;
const LONG = 20 * 60_000; // generous: two shared cores; nothing here asserts on time

// Shipped rulebooks that compile (another test guards their validity); both sides use the same set.
const rulebookFiles = readdirSync(join(ROOT, 'rulebooks'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => join(ROOT, 'rulebooks', f))
  .filter((p) => compileRulebook(JSON.parse(readFileSync(p, 'utf8'))).ok);
const scorecardPath = join(ROOT, 'scorecards', 'default.json');
const manifestPath = join(ROOT, 'models', 'manifest.json');

let dir: string;
let corpus: string;

function cli(args: string[]): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'scripts', 'qa.ts'),
      ...args,
      ...rulebookFiles.flatMap((f) => ['--rulebook', f]),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function exit(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((res) => child.on('close', (code) => res({ code, stderr })));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sotto-qa-'));
  corpus = join(dir, 'corpus.jsonl');
  await writeCorpus(corpus, { conversations: CONVERSATIONS, seed: SEED });
}, LONG);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('qa CLI on a generated corpus', () => {
  it(
    'writes the findings, scores and report the engine gives when run directly',
    async () => {
      const out = join(dir, 'full');
      const r = await exit(cli([corpus, '--out', out, '--workers', '2']));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/done: 2000 conversations/);

      const { findings, scores, total, models } = await direct(true);
      expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).models).toEqual(models);
      expect(readFileSync(join(out, 'findings.jsonl'), 'utf8')).toBe(findings);
      expect(readFileSync(join(out, 'scores.csv'), 'utf8')).toBe(scores);
      expect(total).toBeGreaterThan(1000);

      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({
        conversations: CONVERSATIONS,
        findings: total,
        skipped: 0,
        stopped: false,
      });
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(html).toContain(`<b id="conversations">${CONVERSATIONS}</b>`);
      expect(html).toContain(`<b id="findings">${total}</b>`);
      expect(html).toContain('<svg');
      expect(html).toContain('<mark>');
      expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
      // Redacted evidence: no raw phone, card or e-mail from the corpus reaches the outputs.
      const all = `${findings}${html}`;
      expect(all).not.toContain('13812345678');
      expect(all).not.toContain('6222021234567890123');
      expect(all).not.toContain('zhang.san@example.com');
    },
    LONG,
  );

  it(
    'stops cleanly on Ctrl-C and --resume finishes with the same outputs',
    async () => {
      const out = join(dir, 'resumed');
      // Rules only: a fast, model-independent run is enough to check that resuming loses and repeats nothing.
      const child = cli([corpus, '--out', out, '--workers', '2', '--no-models']);
      const done = exit(child);
      // Interrupt as soon as the progress line shows work done, as a user pressing Ctrl-C would.
      // The run is frozen while Ctrl-C is delivered, so a fast machine cannot finish the corpus
      // first; the interrupt is the first thing it handles when it continues.
      await new Promise<void>((res) => {
        let seen = '';
        child.stderr?.on('data', (d) => {
          seen += d;
          const m = /progress: (\d+)%/.exec(seen.slice(-400));
          if (!m || Number(m[1]) === 0 || Number(m[1]) >= 100 || child.killed) return;
          child.kill('SIGSTOP');
          child.kill('SIGINT');
          child.kill('SIGCONT');
          res();
        });
      });
      const first = await done;
      expect(first.code, first.stderr).toBe(130);
      expect(first.stderr).toMatch(/resume with the same command and --resume/);
      const stopped = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(stopped.stopped).toBe(true);
      expect(stopped.conversations).toBeLessThan(CONVERSATIONS);

      const second = await exit(cli([corpus, '--out', out, '--workers', '2', '--no-models', '--resume']));
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toMatch(/resuming after \d+ items/);
      const expected = await direct(false);
      expect(readFileSync(join(out, 'findings.jsonl'), 'utf8')).toBe(expected.findings);
      expect(readFileSync(join(out, 'scores.csv'), 'utf8')).toBe(expected.scores);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({
        conversations: CONVERSATIONS,
        findings: expected.total,
        stopped: false,
      });
      expect(summary.resumedFrom).toBeGreaterThan(0);
    },
    LONG,
  );
});

/** The expected outputs: the engine run directly on the corpus in this process. */
async function direct(withModels: boolean) {
  const p = await prepare({
    rulebooks: Object.fromEntries(rulebookFiles.map((f) => [f, JSON.parse(readFileSync(f, 'utf8'))])),
    scorecard: JSON.parse(readFileSync(scorecardPath, 'utf8')),
    ...(withModels ? { manifestPath } : {}),
  });
  const byId = new Map<string, Utterance[]>();
  for (const line of corpusLines({ conversations: CONVERSATIONS, seed: SEED })) {
    const { agentId: _a, ...turn } = JSON.parse(line) as Utterance & { agentId: string };
    const list = byId.get(turn.conversationId) ?? [];
    list.push(turn);
    byId.set(turn.conversationId, list);
  }
  const dims = p.deps.scorecard.dimensions.map((d) => d.id);
  let findings = '';
  let scores = scoresHeader(dims);
  let firstLine = 1;
  let total = 0;
  for (const [id, turns] of byId) {
    const agentId = (JSON.parse(corpusLineAt(id)) as { agentId: string }).agentId;
    const r = await analyseConversation({ id, agentId, turns, origin: `${corpus}:${firstLine}` }, p.deps);
    firstLine += turns.length;
    findings += findingsLines(r);
    scores += scoresRow(r, dims);
    total += r.findings.length;
  }
  return { findings, scores, total, models: p.models };
}

const agentOf = new Map<string, string>();
function corpusLineAt(id: string): string {
  if (agentOf.size === 0)
    for (const line of corpusLines({ conversations: CONVERSATIONS, seed: SEED })) {
      const u = JSON.parse(line) as { conversationId: string };
      if (!agentOf.has(u.conversationId)) agentOf.set(u.conversationId, line);
    }
  return agentOf.get(id)!;
}
