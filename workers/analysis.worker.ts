/**
 * The analysis worker: a thin comlink shell around lib/analysis. It loads the models and the
 * shipped rulebooks from the extension's own files (the team's published ones arrive from the
 * background, never fetched here) and analyses batches.
 */
import * as Comlink from 'comlink';
import { bootManifest, startModels } from '@/workers/analysis-models';
import type { LiveModels, ModelSwap } from '@/lib/models/boot-swap';
import type { WorkerConfig } from '@/workers/analysis-setup';
import type { AnalysisPipeline } from '@/lib/analysis/pipeline';
import type { Utterance } from '@/lib/utterance';
import type { DraftHit } from '@/lib/adapters/presend';
import type { LiveRuleSet, SwapResult } from '@/lib/analysis/ruleset';
import { type LinkPort, serveDraftLink } from '@/lib/adapters/draft-link';

// The models start loading now, from this extension's own files: init (which first waits for the
// background's answer about team rulebooks) picks up the same start.
void startModels(
  new URL('/models/manifest.json', self.location.origin).href,
  new URL('/ort/ort-wasm-simd-threaded.wasm', self.location.origin).href,
);
// The pipeline setup (rules, their zod schemas, the shipped rulebooks) is its own chunk, imported
// after the model files were requested: it is evaluated while they are in flight (issue #5).
const setup = import('@/workers/analysis-setup');
// A chunk that fails to load is reported by init, which awaits it.
setup.catch(() => {});

let pipeline: AnalysisPipeline | undefined;
let drafts: LiveRuleSet | undefined;
let models: { live: LiveModels; manifestUrl: string; ortWasmUrl: string } | undefined;
/** The service worker's draft link (lib/adapters/draft-link.ts); a new one replaces it. */
let link: MessagePort | undefined;

/** A draft checked as the agent's next turn of the live conversation; undefined before init. */
function check(
  text: string,
  conversationId: string | undefined,
): { hits: DraftHit[]; ms: number } | undefined {
  if (!drafts) return undefined;
  const t0 = performance.now();
  const hits = drafts.check(text, conversationId);
  // The check's own time, so a slow answer can be placed: here or in the hops (bench:presend).
  return { hits, ms: performance.now() - t0 };
}

const api = {
  async init(
    config: WorkerConfig,
  ): Promise<{ coldStartMs: number; models: string[]; rulebooks: string[]; errors: string[] }> {
    const t0 = performance.now();
    const { createAnalysisPipeline } = await setup;
    const made = await createAnalysisPipeline(config);
    pipeline = made.pipeline;
    drafts = made.drafts;
    models = { live: made.live, manifestUrl: config.modelManifestUrl, ortWasmUrl: config.ortWasmUrl };
    return {
      coldStartMs: performance.now() - t0,
      models: made.models,
      rulebooks: made.rulebooks,
      errors: made.errors,
    };
  },
  /**
   * Pre-send check of a compose-box draft as the agent's next turn of the live conversation
   * (the same rule state the sent turns went through), per rule in its pre-send mode.
   */
  async checkDraft(text: string, conversationId?: string): Promise<{ hits: DraftHit[]; ms: number }> {
    return check(text, conversationId) ?? { hits: [], ms: 0 };
  },
  /**
   * Takes the service worker's end of a new draft link: checks on it skip the offscreen
   * document's messaging (the service worker lost the previous one when it stopped).
   */
  draftLink(port: MessagePort): void {
    link?.close();
    link = port;
    serveDraftLink(port as unknown as LinkPort, check);
  },
  /**
   * Swaps the running rulebooks: the team's published set (fetched by the background), or, when
   * none is given, the shipped ones again. A rulebook that does not compile keeps its previous
   * version running; lib/analysis/ruleset.ts says what live conversations keep.
   */
  async swapRules(rulebooks?: unknown[]): Promise<SwapResult> {
    if (!drafts) throw new Error('analysis worker used before init');
    if (rulebooks?.length) return drafts.swap(rulebooks, 'team');
    const { SHIPPED_RULEBOOKS } = await setup;
    return drafts.swap(Object.values(SHIPPED_RULEBOOKS), 'bundled', Object.keys(SHIPPED_RULEBOOKS));
  },
  /**
   * Re-boots the models from the enrolled team's model manifest (the shipped one again when none
   * is given). The running models answer until the new ones are ready, and stay when the new boot
   * fails (lib/models/boot-swap.ts).
   */
  async swapModels(manifest?: unknown): Promise<ModelSwap> {
    if (!models) throw new Error('analysis worker used before init');
    const { live, manifestUrl, ortWasmUrl } = models;
    return live.swap(() => bootManifest(manifest, manifestUrl, ortWasmUrl));
  },
  async analyse(us: Utterance[]) {
    if (!pipeline) throw new Error('analysis worker used before init');
    return pipeline.analyse(us);
  },
};

export type AnalysisWorkerApi = typeof api;
Comlink.expose(api);
