/**
 * Builds the pipeline inside the worker: onnxruntime-web (WASM, one thread, the .wasm shipped in
 * the extension) for the models, the compiled rulebooks for the rules. A model that fails its
 * checks is left out with a clear error; the rest keeps working.
 */
import * as ort from 'onnxruntime-web/wasm';
import { AnalysisPipeline, type PipelineDeps, type TextClassifier } from '@/lib/analysis/pipeline';
import { LiveRuleSet } from '@/lib/analysis/ruleset';
import { newId } from '@/lib/ids';
import type { Prediction } from '@/lib/analysis/types';
import { type BootResult, bootModels } from '@/lib/models/boot';
// The shipped manifest, bundled: the model files can be requested at once, and are still checked
// against it (size, sha256) before they answer.
import shippedManifest from '@/models/manifest.json';
import type { LoadedModel } from '@/lib/models/runtime';
import type { CompiledRulebook } from '@/lib/rules';

export interface WorkerConfig {
  /** Absolute extension URL of ORT's .wasm (the worker cannot call runtime.getURL). */
  ortWasmUrl: string;
  /** Extension URL of models/manifest.json; model files are relative to it. */
  modelManifestUrl: string;
  /** The enrolled team's published rulebooks; they run instead of the shipped ones when given. */
  teamRulebooks?: unknown[];
}

/** The shipped rulebooks, bundled into the worker; updates from the endpoint replace them. */
export const SHIPPED_RULEBOOKS = import.meta.glob<unknown>('../rulebooks/*.json', {
  eager: true,
  import: 'default',
});

export interface SetupResult {
  pipeline: AnalysisPipeline;
  models: string[];
  rulebooks: string[];
  /** The compiled rulebooks, for the pre-send check of drafts. */
  compiled: CompiledRulebook[];
  /** The swappable rule set: pipeline rule sessions and pre-send checks on the same live state. */
  drafts: LiveRuleSet;
  errors: string[];
}

function classifier(model: LoadedModel): TextClassifier {
  return {
    name: `${model.entry.name}@${model.entry.sha256.slice(0, 8)}`,
    classify: (batch) => model.classify(batch) as Promise<Prediction[]>,
  };
}

let booting: { manifestUrl: string; ortWasmUrl: string; result: Promise<BootResult> } | undefined;

/**
 * Starts opening the models, once: the worker calls it as its script runs (the offscreen page asks
 * the background for the team's rulebooks before it calls init, and the models need none of that),
 * and `createAnalysisPipeline` reuses that start when its config names the same files.
 */
export function startModels(manifestUrl: string, ortWasmUrl: string): Promise<BootResult> {
  if (booting?.manifestUrl === manifestUrl && booting.ortWasmUrl === ortWasmUrl) return booting.result;
  // Two threads were slower than one on two cores (TOOLCHAIN.md); no proxy worker inside a worker.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = { wasm: ortWasmUrl };
  // reference: answer with the TypeScript evaluator of the same verified files from the start and
  // switch to onnxruntime-web when its sessions are open (lib/models/reference.ts): ORT's own
  // start takes most of a second on a cold two-core machine (bench:models). ORT fetches its .wasm
  // itself (streaming compile, which V8 can serve from its code cache on the next start).
  const result = bootModels(ort, { manifestUrl, manifest: shippedManifest, reference: true });
  // Late failures: the model keeps answering with the reference evaluator; say so where the other
  // worker errors are read (the offscreen document's console).
  void result
    .then((booted) => booted.ready)
    .then(({ errors: late }) => {
      for (const e of late) console.error('[sotto] analysis setup (onnxruntime-web):', e);
    });
  booting = { manifestUrl, ortWasmUrl, result };
  return result;
}

async function loadModels(config: WorkerConfig, errors: string[]): Promise<Map<string, LoadedModel>> {
  const booted = await startModels(config.modelManifestUrl, config.ortWasmUrl);
  errors.push(...booted.errors);
  return booted.models;
}

export async function createAnalysisPipeline(config: WorkerConfig): Promise<SetupResult> {
  const errors: string[] = [];
  const models = await loadModels(config, errors);
  const deps: PipelineDeps = {};
  const emotion = models.get('emotion');
  const intent = models.get('intent');
  if (emotion) deps.emotion = classifier(emotion);
  if (intent) deps.intent = classifier(intent);
  // The pipeline's rule sessions, shared with the pre-send check so drafts see the conversation.
  const drafts = new LiveRuleSet(newId);
  const shipped = drafts.swap(Object.values(SHIPPED_RULEBOOKS), 'bundled', Object.keys(SHIPPED_RULEBOOKS));
  errors.push(...shipped.errors);
  if (config.teamRulebooks?.length) errors.push(...drafts.swap(config.teamRulebooks, 'team').errors);
  // Always wired: a team rulebook may arrive later even when no shipped one compiled.
  deps.rules = drafts.sessions;
  return {
    pipeline: new AnalysisPipeline(deps),
    models: [...models.values()].map((m) => `${m.entry.name}@${m.entry.sha256.slice(0, 8)}`),
    rulebooks: drafts.versions,
    compiled: drafts.compiled,
    drafts,
    errors,
  };
}
