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
import { scanFast, wasmAvailable } from '../lib/rules/wasm-scan';
import type { CompiledRulebook } from '../lib/rules/types';

// Deterministic mixed zh/en text and patterns.

// 400 frequent Simplified characters and 200 everyday English words: enough overlap with the
// patterns that the automaton leaves the root often, as in real chat text.
const ZH =
  '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保发离服款退货订单价费送账户客服投诉问题帮助需要处理谢谢您好请稍等查询'.split(
    '',
  );
const EN =
  'the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or an will my one all would there their what so up out if about who get which go me when make can like time no just him know take people into year your good some could them see other than then now look only come its over think also back after use two how our work first well way even new want because any these give day most us account refund order delivery price plan payment card balance guarantee return risk invest product service customer agent manager complaint cancel contract upgrade package data phone number email address verify identity recorded call quality please thank sorry help problem issue today tomorrow week month'.split(
    ' ',
  );

/** Small deterministic PRNG (mulberry32) so every run measures the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function makePatterns(count: number, seed = 1): string[] {
  const r = rng(seed);
  const set = new Set<string>();
  while (set.size < count) {
    if (set.size % 2 === 0) {
      const len = 2 + Math.floor(r() * 4);
      let p = '';
      for (let i = 0; i < len; i++) p += pick(r, ZH);
      set.add(p);
    } else {
      // Real English phrases are whole words: at least two, or one long word.
      const words = 1 + Math.floor(r() * 3);
      const p: string[] = [];
      for (let i = 0; i < words; i++) p.push(pick(r, EN));
      const phrase = p.join(' ');
      if (words > 1 || phrase.length >= 6) set.add(phrase);
    }
  }
  return [...set];
}

/** About `chars` UTF-16 units of chat-like text, with a pattern planted every ~200 characters. */
function makeText(chars: number, patterns: readonly string[], seed = 2): string {
  const r = rng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < chars) {
    let s: string;
    const x = r();
    if (x < 0.05) s = pick(r, patterns);
    else if (x < 0.55) {
      const len = 4 + Math.floor(r() * 20);
      s = '';
      for (let i = 0; i < len; i++) s += pick(r, ZH);
      s += pick(r, ['，', '。', '？', '']);
    } else {
      const words: string[] = [];
      const len = 3 + Math.floor(r() * 10);
      for (let i = 0; i < len; i++) words.push(pick(r, EN));
      s = ` ${words.join(' ')}${pick(r, ['.', ',', '?', ''])} `;
    }
    parts.push(s);
    n += s.length;
  }
  return parts.join('');
}

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
/** Median CPU and wall MB/s of five scans with one scanner. */
function measureScan(fn: typeof scan) {
  const runs: { wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < 5; i++) {
    buf.reset();
    runs.push(timed(() => fn(automaton, norm, buf)));
  }
  return {
    cpuMbPerS: textMb / (median(runs.map((r) => r.cpuMs)) / 1000),
    wallMbPerS: textMb / (median(runs.map((r) => r.wallMs)) / 1000),
    cpuMs: runs.map((r) => +r.cpuMs.toFixed(1)),
  };
}
const js = measureScan(scan);
const jsMatches = buf.count;
const wasm = wasmAvailable(automaton) ? measureScan(scanFast) : undefined;
if (wasm && buf.count !== jsMatches) throw new Error('WASM and JavaScript scans disagree');
// The engine scans with WASM when it is available (lib/rules/wasm-scan.ts), else JavaScript.
const engine = wasm ?? js;
const mbPerS = engine.cpuMbPerS;
for (const [scanner, r] of [
  ['js', js],
  ['wasm', wasm],
] as const)
  if (r)
    emit({
      bench: `rules.scan.${scanner}`,
      mb: +textMb.toFixed(2),
      chars: text.length,
      matches: jsMatches,
      cpu_ms: r.cpuMs,
      mb_per_s: +r.cpuMbPerS.toFixed(1),
      wall_mb_per_s: +r.wallMbPerS.toFixed(1),
    });
emit({ bench: 'rules.normalise', mb_per_s: +(textMb / (normalised.cpuMs / 1000)).toFixed(1) });

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

// 4. Per-utterance latency with the shipped rulebooks: one engine per rulebook, as the analysis
// worker runs them (lib/analysis/rule-sessions.ts), and all of them merged into one.
const dir = new URL('../rulebooks/', import.meta.url);
const books = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
const separate = books.map(compileOrThrow);
const merged = compileOrThrow({ ...books[0], id: 'all', rules: books.flatMap((b) => b.rules) });
const turns = books.flatMap((b) =>
  b.rules.flatMap((r: { examples: { fire: unknown[][]; noFire: unknown[][] } }) =>
    [...r.examples.fire, ...r.examples.noFire].flat(),
  ),
) as { speaker: 'agent' | 'customer'; text: string; emotion?: string }[];

/** p50/p95/p99 of one push across all given rulebooks, over 400 conversations of 40 turns. */
function latency(compiled: CompiledRulebook[]) {
  const r = rng(7);
  const latencies: number[] = [];
  for (let c = 0; c < 400; c++) {
    const convs = compiled.map((b) => createConversation(b, `c${c}`));
    for (let seq = 0; seq < 40; seq++) {
      const turn = turns[Math.floor(r() * turns.length)]!;
      const signals: Signals = { emotion: { label: turn.emotion ?? 'neutral' } };
      const u = {
        seq,
        speaker: turn.speaker,
        text: turn.text,
        ts: seq * 5000,
        channel: c % 2 ? 'voice' : 'chat',
      } as const;
      const t0 = now();
      for (const conv of convs) conv.push(u, signals);
      latencies.push(now() - t0);
    }
    for (const conv of convs) conv.finish();
  }
  const measured = latencies.slice(2000).sort((a, b) => a - b); // after warm-up
  const q = (x: number) => +measured[Math.floor(x * (measured.length - 1))]!.toFixed(4);
  return { utterances: measured.length, p50_ms: q(0.5), p95_ms: q(0.95), p99_ms: q(0.99) };
}
const perBook = latency(separate);
emit({ bench: 'rules.utterance', rulebooks: separate.length, rules: merged.rules.length, ...perBook });
emit({ bench: 'rules.utterance.merged', rules: merged.rules.length, ...latency([merged]) });

emit({
  bench: 'rules',
  patterns: PATTERNS,
  mb_per_s: +mbPerS.toFixed(1),
  speedup_vs_regex: +(mbPerS / regexMbPerS).toFixed(0),
  utterance_p95_ms: perBook.p95_ms,
  compile_ms: +compileMs.toFixed(1),
});
