/**
 * Loads what an analysis needs in Node: rulebooks (compiled once per worker), the scorecard and
 * the ONNX models through onnxruntime-web's WASM backend, as `scripts/classify.ts` does. A batch
 * run loads the models once, in its model thread (model-worker.ts), not in every analysis worker:
 * each onnxruntime-web instance costs ~115 MB.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { TextClassifier } from '../../analysis/pipeline';
import { compileAll } from '../../analysis/rule-sessions';
import type { Prediction } from '../../analysis/types';
import { ModelManifest } from '../../models/manifest';
import { loadModel } from '../../models/runtime';
import type { CompiledRulebook } from '../../rules';
import { type Scorecard, parseScorecard } from '../../scoring';
import { type AnalyserDeps, PrefetchingClassifier } from '../analyse';

export interface SetupConfig {
  /** Rulebook files (path → parsed JSON), compiled in each worker. */
  rulebooks: Record<string, unknown>;
  scorecard: unknown;
  /** models/manifest.json, or undefined to run rules only. */
  manifestPath?: string;
}

export interface Prepared {
  deps: AnalyserDeps;
  emotion?: PrefetchingClassifier;
  intent?: PrefetchingClassifier;
  errors: string[];
  models: string[];
}

export function compileRulebooks(files: Record<string, unknown>): {
  books: CompiledRulebook[];
  errors: string[];
} {
  const r = compileAll(files);
  return { books: r.compiled, errors: r.errors };
}

export function loadScorecard(json: unknown): Scorecard {
  const r = parseScorecard(json);
  if (!r.ok) throw new Error(`scorecard is invalid:\n  ${r.errors.join('\n  ')}`);
  return r.scorecard;
}

export interface LoadedClassifiers {
  emotion?: PrefetchingClassifier;
  intent?: PrefetchingClassifier;
  /** `name@sha8` of every model loaded, in manifest order. */
  models: string[];
}

/** Loads the emotion and intent models of a manifest; problems go to `errors`, never half a model. */
export async function loadClassifiers(manifestPath: string, errors: string[]): Promise<LoadedClassifiers> {
  const out: LoadedClassifiers = { models: [] };
  ort.env.wasm.numThreads = 1; // one thread: the analysis workers already use every core
  let manifest: ModelManifest;
  try {
    manifest = ModelManifest.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  } catch (e) {
    errors.push(`model manifest ${manifestPath}: ${(e as Error).message}`);
    return out;
  }
  for (const entry of manifest.models) {
    if (entry.task !== 'emotion' && entry.task !== 'intent') continue;
    try {
      // Prefetch caching is exact only when the previous turn does not change the answer.
      const ctx = (entry.featuriser.params as { contextWeight?: number } | undefined)?.contextWeight ?? 0;
      if (ctx !== 0)
        throw new Error(`model ${entry.name}: context-dependent models are not supported in batch runs`);
      const model = await loadModel(ort, readFileSync(join(dirname(manifestPath), entry.file)), entry);
      const inner: TextClassifier = {
        name: `${entry.name}@${entry.sha256.slice(0, 8)}`,
        classify: (batch) => model.classify(batch) as Promise<Prediction[]>,
      };
      out[entry.task] = new PrefetchingClassifier(inner);
      out.models.push(inner.name);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return out;
}

/** Everything an in-process analysis needs (tests and tools run the engine directly with it). */
export async function prepare(config: SetupConfig): Promise<Prepared> {
  const { books, errors } = compileRulebooks(config.rulebooks);
  const deps: AnalyserDeps = { books, scorecard: loadScorecard(config.scorecard) };
  const out: Prepared = { deps, errors, models: [] };
  if (!config.manifestPath) return out;
  const c = await loadClassifiers(config.manifestPath, errors);
  if (c.emotion) out.emotion = deps.emotion = c.emotion;
  if (c.intent) out.intent = deps.intent = c.intent;
  out.models = c.models;
  return out;
}
