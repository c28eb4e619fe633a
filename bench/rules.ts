/**
 * Rule engine benchmark (issue 4), `npm run bench:rules`. Baselines run in the same process
 * because absolute times on shared machines are noisy (STYLE.md). Prints JSON lines; the last
 * line is the summary:
 * {"bench":"rules","patterns":10000,"mb_per_s":…,"speedup_vs_regex":…,"utterance_p95_ms":…,"compile_ms":…}
 * MB are megabytes of UTF-8 input text. Times are this process's CPU time (process.cpuUsage):
 * the machines are shared and wall time there mostly measures the other tenants; wall times are
 * printed alongside on the detail lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { normalise } from '../lib/normalise';
import { compileRulebook, createConversation, type Signals } from '../lib/rules';
import { MatchBuffer, scan } from '../lib/rules/automaton';
import type { CompiledRulebook } from '../lib/rules/types';
import { makePatterns, makeText, rng } from './rules-corpus';

const PATTERNS = 10_000;
const TEXT_CHARS = 8_000_000; // ≈ 13 MB of UTF-8: about half the characters are Chinese
const now = () => performance.now();

/** Wall and CPU milliseconds of one call. */
function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = now();
  const value = fn();
  const wallMs = now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}
const mb = (s: string) => Buffer.byteLength(s, 'utf8') / 1e6;
const L = (s: string) => ({ zh_CN: s, zh_TW: s, en: s });
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify(o));

function compileOrThrow(json: unknown): CompiledRulebook {
  const r = compileRulebook(json);
  if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 5)));
  return r.compiled;
}

/** 10,000 phrases spread over 100 rules, compiled through the full path (schema, normaliser, automaton). */
function bigRulebook(patterns: string[]) {
  const ex = [{ speaker: 'agent', text: 'x' }];
  const rules = [];
  for (let i = 0; i < patterns.length; i += 100)
    rules.push({
      id: `bench.r${i / 100}`,
      name: L('r'),
      description: L('r'),
      category: 'forbidden',
      severity: 'warning',
      when: { type: 'phrase', phrases: patterns.slice(i, i + 100) },
      examples: { fire: [ex], noFire: [ex] },
    });
  return { schemaVersion: 1, id: 'bench', version: '1', name: L('bench'), rules };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// 1. Compile 10,000 patterns.
const patterns = makePatterns(PATTERNS);
const compileRuns: { wallMs: number; cpuMs: number }[] = [];
let big: CompiledRulebook | undefined;
for (let i = 0; i < 3; i++) {
  const run = timed(() => compileOrThrow(bigRulebook(patterns)));
  big = run.value;
  compileRuns.push(run);
}
const compileMs = median(compileRuns.map((r) => r.cpuMs));
emit({
  bench: 'rules.compile',
  patterns: PATTERNS,
  cpu_ms: compileRuns.map((r) => +r.cpuMs.toFixed(1)),
  wall_ms: compileRuns.map((r) => +r.wallMs.toFixed(1)),
  median_cpu_ms: +compileMs.toFixed(1),
});

// 2. Scan ≥10 MB of mixed text with the compiled automaton.
const text = makeText(TEXT_CHARS, patterns);
const textMb = mb(text);
const normalised = timed(() => normalise(text).text);
const norm = normalised.value;
const automaton = big!.phrases.automaton;
const buf = new MatchBuffer();
const scanRuns: { wallMs: number; cpuMs: number }[] = [];
for (let i = 0; i < 5; i++) {
  buf.reset();
  scanRuns.push(timed(() => scan(automaton, norm, buf)));
}
const mbPerS = textMb / (median(scanRuns.map((r) => r.cpuMs)) / 1000);
emit({
  bench: 'rules.scan',
  mb: +textMb.toFixed(2),
  chars: text.length,
  matches: buf.count,
  cpu_ms: scanRuns.map((r) => +r.cpuMs.toFixed(1)),
  wall_ms: scanRuns.map((r) => +r.wallMs.toFixed(1)),
  mb_per_s: +mbPerS.toFixed(1),
  wall_mb_per_s: +(textMb / (median(scanRuns.map((r) => r.wallMs)) / 1000)).toFixed(1),
  normalise_mb_per_s: +(textMb / (normalised.cpuMs / 1000)).toFixed(1),
});

// 3. Baselines on slices (they are orders of magnitude slower): naive alternation and indexOf.
const escapeRegex = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = new RegExp(patterns.map(escapeRegex).join('|'), 'g');
const regexSlice = norm.slice(0, 20_000);
const regex = timed(() => {
  let count = 0;
  for (let m = alternation.exec(regexSlice); m; m = alternation.exec(regexSlice)) count++;
  return count;
});
const regexMatches = regex.value;
const regexMbPerS = mb(regexSlice) / (regex.cpuMs / 1000);
const indexSlice = norm.slice(0, 200_000);
const indexed = timed(() => {
  let count = 0;
  for (const p of patterns)
    for (let i = indexSlice.indexOf(p); i >= 0; i = indexSlice.indexOf(p, i + 1)) count++;
  return count;
});
const indexMatches = indexed.value;
const indexMbPerS = mb(indexSlice) / (indexed.cpuMs / 1000);
emit({
  bench: 'rules.baselines',
  regex_mb_per_s: +regexMbPerS.toFixed(3),
  regex_slice_chars: regexSlice.length,
  regex_matches: regexMatches,
  indexof_mb_per_s: +indexMbPerS.toFixed(3),
  indexof_slice_chars: indexSlice.length,
  indexof_matches: indexMatches,
});

// 4. Per-utterance latency with the shipped rulebooks, all four in one engine.
const dir = new URL('../rulebooks/', import.meta.url);
const books = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
const merged = { ...books[0], id: 'all', rules: books.flatMap((b) => b.rules) };
const defaults = compileOrThrow(merged);
const turns = books.flatMap((b) =>
  b.rules.flatMap((r: { examples: { fire: unknown[][]; noFire: unknown[][] } }) =>
    [...r.examples.fire, ...r.examples.noFire].flat(),
  ),
) as { speaker: 'agent' | 'customer'; text: string; emotion?: string }[];
const r = rng(7);
const latencies: number[] = [];
for (let c = 0; c < 400; c++) {
  const conv = createConversation(defaults, `c${c}`);
  for (let seq = 0; seq < 40; seq++) {
    const turn = turns[Math.floor(r() * turns.length)]!;
    const signals: Signals = { emotion: { label: turn.emotion ?? 'neutral' } };
    const t0 = now();
    conv.push(
      { seq, speaker: turn.speaker, text: turn.text, ts: seq * 5000, channel: c % 2 ? 'voice' : 'chat' },
      signals,
    );
    latencies.push(now() - t0);
  }
  conv.finish();
}
const measured = latencies.slice(2000); // after warm-up
measured.sort((a, b) => a - b);
const p = (q: number) => measured[Math.floor(q * (measured.length - 1))]!;
emit({
  bench: 'rules.utterance',
  rules: defaults.rules.length,
  utterances: measured.length,
  p50_ms: +p(0.5).toFixed(4),
  p95_ms: +p(0.95).toFixed(4),
  p99_ms: +p(0.99).toFixed(4),
});

emit({
  bench: 'rules',
  patterns: PATTERNS,
  mb_per_s: +mbPerS.toFixed(1),
  speedup_vs_regex: +(mbPerS / regexMbPerS).toFixed(0),
  utterance_p95_ms: +p(0.95).toFixed(4),
  compile_ms: +compileMs.toFixed(1),
});
