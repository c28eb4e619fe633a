/**
 * Builds the pipeline inside the worker: onnxruntime-web (WASM, one thread, the .wasm shipped in
 * the extension) for the models, the compiled rulebooks for the rules. A model that fails its
 * checks is left out with a clear error; the rest keeps working.
 */
import * as ort from 'onnxruntime-web/wasm';
import { AnalysisPipeline, type PipelineDeps, type TextClassifier } from '@/lib/analysis/pipeline';
import { compileAll } from '@/lib/analysis/rule-sessions';
import { LiveDraftSessions } from '@/lib/adapters/presend-session';
import { newId } from '@/lib/ids';
import type { Prediction } from '@/lib/analysis/types';
import { bootModels } from '@/lib/models/boot';
import type { LoadedModel } from '@/lib/models/runtime';
import type { CompiledRulebook } from '@/lib/rules';

export interface WorkerConfig {
  /** Absolute extension URL of ORT's .wasm (the worker cannot call runtime.getURL). */
  ortWasmUrl: string;
  /** Extension URL of models/manifest.json; model files are relative to it. */
  modelManifestUrl: string;
}

/** The shipped rulebooks, bundled into the worker; updates from the endpoint replace them. */
const SHIPPED_RULEBOOKS = import.meta.glob<unknown>('../rulebooks/*.json', {
  eager: true,
  import: 'default',
});

export interface SetupResult {
  pipeline: AnalysisPipeline;
  models: string[];
  rulebooks: string[];
  /** The compiled rulebooks, for the pre-send check of drafts. */
  compiled: CompiledRulebook[];
  /** Pre-send checks against the live rule state of each conversation. */
  drafts: LiveDraftSessions;
  errors: string[];
}

function classifier(model: LoadedModel): TextClassifier {
  return {
    name: `${model.entry.name}@${model.entry.sha256.slice(0, 8)}`,
    classify: (batch) => model.classify(batch) as Promise<Prediction[]>,
  };
}

async function loadModels(config: WorkerConfig, errors: string[]): Promise<Map<string, LoadedModel>> {
  // Two threads were slower than one on two cores (TOOLCHAIN.md); no proxy worker inside a worker.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = { wasm: config.ortWasmUrl };
  // Manifest, ORT's .wasm and both model files in parallel, sessions created concurrently.
  const booted = await bootModels(ort, {
    manifestUrl: config.modelManifestUrl,
    ortWasmUrl: config.ortWasmUrl,
  });
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
  const books = compileAll(SHIPPED_RULEBOOKS);
  errors.push(...books.errors);
  // The pipeline's rule sessions, shared with the pre-send check so drafts see the conversation.
  const drafts = new LiveDraftSessions(books.compiled, newId);
  if (books.compiled.length > 0) deps.rules = drafts.sessions;
  return {
    pipeline: new AnalysisPipeline(deps),
    models: [...models.values()].map((m) => `${m.entry.name}@${m.entry.sha256.slice(0, 8)}`),
    rulebooks: books.versions,
    compiled: books.compiled,
    drafts,
    errors,
  };
}
