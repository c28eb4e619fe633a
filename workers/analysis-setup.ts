/**
 * Builds the pipeline inside the worker: the models opened by analysis-models.ts (onnxruntime-web,
 * WASM, one thread, the .wasm shipped in the extension), the compiled rulebooks for the rules.
 * The worker imports this module as its own chunk, so the rules and their zod schemas are fetched
 * and evaluated while the model files are in flight rather than before they are requested. A model that fails its
 * checks is left out with a clear error; the rest keeps working.
 */
import { AnalysisPipeline, type PipelineDeps } from '@/lib/analysis/pipeline';
import { LiveRuleSet } from '@/lib/analysis/ruleset';
import { newId } from '@/lib/ids';
import { LiveModels } from '@/lib/models/boot-swap';
import type { LoadedModel } from '@/lib/models/runtime';
import type { CompiledRulebook } from '@/lib/rules';
import { bootManifest, startModels } from '@/workers/analysis-models';

export interface WorkerConfig {
  /** Absolute extension URL of ORT's .wasm (the worker cannot call runtime.getURL). */
  ortWasmUrl: string;
  /** Extension URL of models/manifest.json; model files are relative to it. */
  modelManifestUrl: string;
  /** The enrolled team's published rulebooks; they run instead of the shipped ones when given. */
  teamRulebooks?: unknown[];
  /**
   * The enrolled team's model manifest (validated by the background: shipped files only); its
   * models run instead of the shipped manifest's when they all open, else the shipped ones stay.
   */
  teamModels?: unknown;
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
  /** The swappable models (a team's model manifest); the pipeline's classifiers follow them. */
  live: LiveModels;
  errors: string[];
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
  // The pipeline reads its classifiers per batch: a swap takes effect from the next batch on, and
  // a task the running manifest does not list has none (no answers for it).
  const live = new LiveModels(models, (c) => {
    deps.emotion = c.emotion;
    deps.intent = c.intent;
  });
  if (config.teamModels !== undefined) {
    const swap = await live.swap(() =>
      bootManifest(config.teamModels, config.modelManifestUrl, config.ortWasmUrl),
    );
    if (!swap.applied)
      errors.push(`team model manifest not applied, shipped models kept: ${swap.errors.join('; ')}`);
  }
  // The pipeline's rule sessions, shared with the pre-send check so drafts see the conversation.
  const drafts = new LiveRuleSet(newId);
  const shipped = drafts.swap(Object.values(SHIPPED_RULEBOOKS), 'bundled', Object.keys(SHIPPED_RULEBOOKS));
  errors.push(...shipped.errors);
  if (config.teamRulebooks?.length) errors.push(...drafts.swap(config.teamRulebooks, 'team').errors);
  // Always wired: a team rulebook may arrive later even when no shipped one compiled.
  deps.rules = drafts.sessions;
  return {
    pipeline: new AnalysisPipeline(deps),
    models: live.names,
    rulebooks: drafts.versions,
    compiled: drafts.compiled,
    drafts,
    live,
    errors,
  };
}
