/**
 * Compliance and script rule engine (issue 4). Pure TypeScript: runs in the analysis worker, the
 * pre-send check, the CLI and the server alike.
 *
 *   const r = compileRulebook(json);            // once per rulebook version
 *   if (!r.ok) keepPrevious(r.errors);           // [{path, message}]
 *   const conv = createConversation(r.compiled, conversationId);
 *   conv.push(utterance, signals) → Hit[]        // per turn, O(turn length) + stateful rules
 *   conv.finish() → Hit[]                        // settles must-say / absence rules
 *   checkDraft(r.compiled, draft, { conversation: conv }) → Hit[]
 *   hitsToFindings(hits, { newId }) → Finding[]
 */
import type { Channel, Speaker } from '../labels';
import { type Conversation, createConversation } from './conversation';
import { compileRulebook } from './compile';
import type { CompiledRulebook, CompileError, Hit, Signals } from './types';

export { compileRulebook };
export type { Conversation, TurnInput } from './conversation';
export { createConversation } from './conversation';
export { checkExamples, playExample } from './examples';
export type { FindingOptions, UiLang } from './findings';
export { hitsToFindings, hitToFinding, renderText } from './findings';
export { checkRegex } from './regex-guard';
export type { Actions, Category, Condition, LocalizedText, Rule, RuleInput } from './schema';
export { METRIC_NAMES, Rulebook, rulebookJsonSchema } from './schema';
export type { RuleDiff, RuleStats, ShadowReport, StoredConversation } from './shadow';
export { diffShadow, highlight, parseTranscripts, runShadow } from './shadow';
export type {
  CompiledRulebook,
  CompileError,
  CompileResult,
  Hit,
  HitEvidence,
  Signals,
  Span,
} from './types';

/**
 * Compiles a new rulebook version, or keeps the previous one when the new one is invalid
 * (issue 4: the engine keeps running the last good rulebook). `errors` is empty on success.
 */
export function compileOrKeep(
  previous: CompiledRulebook | undefined,
  json: unknown,
): { compiled: CompiledRulebook | undefined; errors: CompileError[] } {
  const r = compileRulebook(json);
  return r.ok ? { compiled: r.compiled, errors: [] } : { compiled: previous, errors: r.errors };
}

export interface DraftContext {
  /** The live conversation: the draft is checked as its next turn, without changing it. */
  conversation?: Conversation;
  speaker?: Speaker;
  channel?: Channel;
  ts?: number;
  signals?: Signals;
}

/** Pre-send check of a compose-box draft: the hits it would cause if sent now. */
export function checkDraft(compiled: CompiledRulebook, text: string, context: DraftContext = {}): Hit[] {
  const conv = context.conversation ?? createConversation(compiled, 'draft');
  return conv.preview(
    {
      seq: conv.lastSeq + 1,
      speaker: context.speaker ?? 'agent',
      text,
      ts: context.ts ?? Date.now(),
      channel: context.channel ?? 'chat',
    },
    context.signals,
  );
}
