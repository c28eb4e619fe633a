// Redaction throughput over ~10 MB of mixed zh/en chat and voice text, plus quality on the labelled test
// set. Prints JSON lines; the last one is the summary. A plain lower-casing pass over the same text runs
// in the same process as a baseline, because absolute speeds on shared machines are noisy.
import { performance } from 'node:perf_hooks';
import { redact } from '../lib/redact/index';
import { evaluate } from '../test/unit/redact/evaluate';
import { loadPiiTestSet } from '../test/unit/redact/fixtures';

const TARGET_BYTES = 10 * 1024 * 1024;
const PASSES = 3;

const labelled = loadPiiTestSet();
const chatter = [
  '您好，请问有什么可以帮您？我上周买的空气净化器到现在还没有收到，物流一直显示在途中。',
  '你好，請問有什麼可以幫你？我想查詢一下上個月的帳單，好像多扣了一筆費用。',
  'Hi, thanks for calling. I can see your order was shipped on Monday and should arrive within 3-5 days.',
  '好的，我这边帮您登记一下，稍后会有专员在24小时内联系您，请保持电话畅通。',
  'I understand this is frustrating. Let me escalate it to my supervisor right away.',
];
const lines: string[] = [];
let bytes = 0;
for (let i = 0; bytes < TARGET_BYTES; i++) {
  // Roughly one line in three carries PII or a look-alike number, the rest is ordinary talk.
  const line =
    i % 3 === 0 ? (labelled[i % labelled.length]?.text ?? '') : (chatter[i % chatter.length] ?? '');
  lines.push(line);
  bytes += Buffer.byteLength(line) + 1;
}
const mb = bytes / (1024 * 1024);

function time(fn: (line: string) => number): { seconds: number; sink: number } {
  let sink = 0;
  const t0 = performance.now();
  for (const l of lines) sink += fn(l);
  return { seconds: (performance.now() - t0) / 1000, sink };
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

time((l) => redact(l).text.length); // warm-up
const redactRuns: number[] = [];
const baseRuns: number[] = [];
let spans = 0;
for (let p = 0; p < PASSES; p++) {
  redactRuns.push(time((l) => redact(l).spans.length).seconds);
  baseRuns.push(time((l) => l.toLowerCase().length).seconds);
}
spans = time((l) => redact(l).spans.length).sink;
const mbPerS = mb / median(redactRuns);
const baseMbPerS = mb / median(baseRuns);
const { overall } = evaluate(labelled);

console.log(JSON.stringify({ bench: 'redact-input', mb: Number(mb.toFixed(2)), lines: lines.length, spans }));
console.log(
  JSON.stringify({
    bench: 'redact',
    mb_per_s: Number(mbPerS.toFixed(2)),
    baseline_lowercase_mb_per_s: Number(baseMbPerS.toFixed(2)),
    relative_to_baseline: Number((mbPerS / baseMbPerS).toFixed(4)),
    recall: Number(overall.recall.toFixed(4)),
    precision: Number(overall.precision.toFixed(4)),
  }),
);
