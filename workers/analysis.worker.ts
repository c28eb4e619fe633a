/**
 * The analysis worker: a thin comlink shell around lib/analysis. It loads the models and the
 * rulebook from the extension's own files (nothing from the network) and analyses batches.
 */
import * as Comlink from 'comlink';
import { createAnalysisPipeline, type WorkerConfig } from '@/workers/analysis-setup';
import type { AnalysisPipeline } from '@/lib/analysis/pipeline';
import type { Utterance } from '@/lib/utterance';
import { type DraftHit, toDraftHits } from '@/lib/adapters/presend';
import { type CompiledRulebook, checkDraft } from '@/lib/rules';

let pipeline: AnalysisPipeline | undefined;
let rulebooks: CompiledRulebook[] = [];

const api = {
  async init(config: WorkerConfig): Promise<{ coldStartMs: number; models: string[]; errors: string[] }> {
    const t0 = performance.now();
    const made = await createAnalysisPipeline(config);
    pipeline = made.pipeline;
    rulebooks = made.compiled;
    return {
      coldStartMs: performance.now() - t0,
      models: [...made.models, ...made.rulebooks],
      errors: made.errors,
    };
  },
  /** Pre-send check of a compose-box draft against the compiled rulebooks (agent's next turn). */
  async checkDraft(text: string, _conversationId?: string): Promise<DraftHit[]> {
    return toDraftHits(rulebooks.flatMap((b) => checkDraft(b, text, { speaker: 'agent' })));
  },
  async analyse(us: Utterance[]) {
    if (!pipeline) throw new Error('analysis worker used before init');
    return pipeline.analyse(us);
  },
};

export type AnalysisWorkerApi = typeof api;
Comlink.expose(api);
