/**
 * The analysis worker: a thin comlink shell around lib/analysis. It loads the models and the
 * rulebook from the extension's own files (nothing from the network) and analyses batches.
 */
import * as Comlink from 'comlink';
import { createAnalysisPipeline, type WorkerConfig } from '@/workers/analysis-setup';
import type { AnalysisPipeline } from '@/lib/analysis/pipeline';
import type { Utterance } from '@/lib/utterance';
import type { DraftHit } from '@/lib/adapters/presend';
import type { LiveDraftSessions } from '@/lib/adapters/presend-session';

let pipeline: AnalysisPipeline | undefined;
let drafts: LiveDraftSessions | undefined;

const api = {
  async init(config: WorkerConfig): Promise<{ coldStartMs: number; models: string[]; errors: string[] }> {
    const t0 = performance.now();
    const made = await createAnalysisPipeline(config);
    pipeline = made.pipeline;
    drafts = made.drafts;
    return {
      coldStartMs: performance.now() - t0,
      models: [...made.models, ...made.rulebooks],
      errors: made.errors,
    };
  },
  /**
   * Pre-send check of a compose-box draft as the agent's next turn of the live conversation
   * (the same rule state the sent turns went through), per rule in its pre-send mode.
   */
  async checkDraft(text: string, conversationId?: string): Promise<DraftHit[]> {
    return drafts?.check(text, conversationId) ?? [];
  },
  async analyse(us: Utterance[]) {
    if (!pipeline) throw new Error('analysis worker used before init');
    return pipeline.analyse(us);
  },
};

export type AnalysisWorkerApi = typeof api;
Comlink.expose(api);
