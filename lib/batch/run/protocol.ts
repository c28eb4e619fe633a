/** Messages between the batch runner and its worker threads. */
import type { ConversationResult } from '../analyse';
import type { ImportedConversation } from '../types';
import type { SetupConfig } from './setup';

export type ToWorker =
  | { type: 'init'; config: SetupConfig }
  | { type: 'chunk'; id: number; conversations: ImportedConversation[] };

export type FromWorker =
  | { type: 'ready'; errors: string[]; models: string[] }
  | { type: 'result'; id: number; results: ConversationResult[]; cache: { hits: number; misses: number } }
  | { type: 'failed'; id: number; error: string };
