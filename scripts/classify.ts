/**
 * Classifies JSON Lines from stdin with a shipped model, through the same ONNX file, featuriser and
 * runtime as the extension.
 *   npm run -s classify -- --model emotion|intent [--manifest models/manifest.json]
 * In:  {"id": …, "text": "…", "speaker"?: "agent"|"customer"|"system", "lang"?: "…", "context"?: "…"}
 * Out: {"id": …, "label": "…", "probs": {"label": p, …}}   (one line per input line, same order)
 * A line that cannot be read yields {"id": …, "error": "…"} so outputs stay aligned with inputs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import * as ort from 'onnxruntime-web';
import { ModelManifest } from '../lib/models/manifest';
import { type ClassifyInput, loadModel } from '../lib/models/runtime';

const BATCH = 64;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const name = arg('--model');
  const manifestPath = resolve(
    arg('--manifest') ?? new URL('../models/manifest.json', import.meta.url).pathname,
  );
  const manifest = ModelManifest.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  const entry = manifest.models.find((m) => m.name === name);
  if (!entry) {
    console.error(`usage: classify --model ${manifest.models.map((m) => m.name).join('|')}`);
    process.exit(2);
  }
  ort.env.wasm.numThreads = 1;
  const model = await loadModel(ort, readFileSync(join(dirname(manifestPath), entry.file)), entry);

  type Pending = { id: unknown; input?: ClassifyInput; error?: string };
  let pending: Pending[] = [];
  const flush = async () => {
    const ok = pending.filter((p) => p.input);
    const results = await model.classify(ok.map((p) => p.input!));
    let k = 0;
    const lines = pending.map((p) => {
      if (!p.input) return JSON.stringify({ id: p.id ?? null, error: p.error });
      const r = results[k++]!;
      const probs = Object.fromEntries(
        Object.entries(r.probs).map(([l, v]) => [l, Math.round(v * 1e6) / 1e6]),
      );
      return JSON.stringify({ id: p.id, label: r.label, probs });
    });
    if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
    pending = [];
  };
  const speakers = new Set(['agent', 'customer', 'system']);
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (!line.trim()) continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line);
    } catch {
      pending.push({ id: null, error: 'not JSON' });
      continue;
    }
    const { id, text, speaker, context } = row;
    if (typeof text !== 'string') pending.push({ id, error: 'text must be a string' });
    else if (speaker !== undefined && !speakers.has(speaker as string))
      pending.push({ id, error: 'speaker must be agent, customer or system' });
    else
      pending.push({
        id,
        input: {
          text,
          ...(speaker ? { speaker: speaker as ClassifyInput['speaker'] } : {}),
          ...(typeof context === 'string' ? { context } : {}),
        },
      });
    if (pending.length >= BATCH) await flush();
  }
  await flush();
  await model.release();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
