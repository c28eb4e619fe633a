/** Messages between the batch runner, its analysis worker threads and its one model thread. */
import type { Prediction } from '../../analysis/types';
import type { ConversationOutput } from '../outputs';
import type { ImportedConversation } from '../types';
import type { SetupConfig } from './setup';

/** Predictions for `modelInputs(conversations)` of a chunk, one array per model task. */
export interface ChunkPredictions {
  emotion?: Prediction[];
  intent?: Prediction[];
}

export type ToWorker =
  | {
      type: 'init';
      config: SetupConfig;
      /** Names of the models whose predictions come with each chunk. */
      models: { emotion?: string; intent?: string };
      dimensions: string[];
      upload: boolean;
    }
  | { type: 'chunk'; id: number; conversations: ImportedConversation[]; predictions?: ChunkPredictions };

export type FromWorker =
  | { type: 'ready'; errors: string[] }
  | { type: 'result'; id: number; outputs: ConversationOutput[] }
  | { type: 'failed'; id: number; error: string };

export type ToModels =
  | { type: 'init'; manifestPath: string }
  | { type: 'classify'; id: number; inputs: { speaker: 'agent' | 'customer'; text: string }[] };

export type FromModels =
  | {
      type: 'ready';
      errors: string[];
      models: { emotion?: string; intent?: string };
      /** `name@sha8` of every model, in manifest order. */
      names: string[];
    }
  | {
      type: 'predictions';
      id: number;
      predictions: ChunkPredictions;
      cache: { hits: number; misses: number };
    }
  | { type: 'failed'; id: number; error: string };
