/**
 * Request schemas of the console API (/v1/qa). The routes parse with them and the OpenAPI
 * document (server/qa/openapi.ts) is generated from them, so the two cannot drift apart.
 */
import { z } from 'zod';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Filters of the conversation list (also the saved views and the list export). */
export const ListQuery = z.object({
  team: z.string().max(100).optional(),
  agent: z.string().max(100).optional(),
  from: z.coerce.number().optional(),
  to: z.coerce.number().optional(),
  channel: z.enum(['chat', 'voice']).optional(),
  rule: z.string().max(200).optional(),
  severity: z.enum(['info', 'hint', 'warning', 'critical', 'auto-fail']).optional(),
  emotion: z.enum(['angry', 'frustrated', 'neutral', 'positive']).optional(),
  intent: z.string().max(100).optional(),
  scoreMin: z.coerce.number().min(0).max(100).optional(),
  scoreMax: z.coerce.number().min(0).max(100).optional(),
  appealed: bool.optional(),
  reviewed: bool.optional(),
  sort: z.enum(['recent', 'score']).default('recent'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const ExportQuery = z.object({
  lang: z.enum(['zh_CN', 'zh_TW', 'en']).optional().describe('language of the column headings'),
});
export const AnalyticsQuery = z.object({
  team: z.string().max(100).optional(),
  agent: z.string().max(100).optional(),
  from: z.coerce.number().optional().describe('ms since epoch; default 28 days before `to`'),
  to: z.coerce.number().optional().describe('ms since epoch; default now'),
});
export const AnalyticsExportQuery = AnalyticsQuery.omit({ agent: true }).extend({
  kind: z.enum(['daily', 'agents', 'rules', 'conversations']).default('daily'),
  ...ExportQuery.shape,
});

export const Review = z.object({
  overrideScore: z.number().min(0).max(100).nullable().optional(),
  manual: z.record(z.string().max(100), z.number().min(0).max(1000)).default({}),
  comment: z.string().max(4000).optional(),
});
export const Comment = z.object({ text: z.string().trim().min(1).max(4000) });
export const CaseMark = z.object({
  kind: z.enum(['good', 'bad', 'none']),
  note: z.string().max(2000).optional(),
});
export const View = z.object({
  name: z.string().min(1).max(100),
  query: z.record(z.string(), z.string().max(200)),
});
export const TranscriptTurn = z.object({
  seq: z.number().int().nonnegative(),
  speaker: z.enum(['agent', 'customer', 'system']),
  text: z.string().max(10_000),
  ts: z.number().nonnegative(),
  emotion: z.string().max(20).optional(),
  intent: z.string().max(60).optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});
export const TranscriptUpload = z.object({
  conversationId: z.string().min(1).max(200),
  turns: z.array(TranscriptTurn).max(5000),
});

export const Appeal = z.object({
  findingId: z.string().min(1).max(200),
  reason: z.string().trim().min(1).max(2000),
});
export const FeedbackEvent = z.object({
  id: z.string().min(1).max(200),
  type: z.string().max(30),
  conversationId: z.string().min(1).max(200),
  ruleId: z.string().max(200).optional(),
  findingId: z.string().max(200).optional(),
  reason: z.string().max(2000).optional(),
  ts: z.number().nonnegative(),
});
export const Feedback = z.object({ events: z.array(FeedbackEvent).max(500) });
/** What the route reads first: each event is then checked on its own (bad ones named, good ones kept). */
export const FeedbackEnvelope = z.object({ events: z.array(z.unknown()).max(500) });
export const AppealDecision = z.object({
  decision: z.enum(['accept', 'reject']),
  comment: z.string().trim().max(2000).default(''),
});
export const AppealsQuery = z.object({
  state: z.enum(['open', 'overdue', 'accepted', 'rejected']).optional(),
});
export const Sample = z.object({
  strategy: z.enum(['random', 'risk']),
  percent: z.number().min(0).max(100).default(5),
  count: z.number().int().min(1).max(1000).optional(),
  teamId: z.string().max(100).optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  seed: z.number().int().optional(),
  reviewerIds: z.array(z.string().max(100)).max(50).optional(),
});
export const QueueQuery = z.object({
  mine: z.enum(['true', 'false']).optional(),
  state: z.enum(['open', 'done']).optional(),
});
export const CalibrationCreate = z.object({
  name: z.string().trim().min(1).max(200),
  conversationIds: z.array(z.string().max(200)).min(1).max(100),
  reviewerIds: z.array(z.string().max(100)).min(2).max(30),
});
export const CalibrationRating = z.object({
  conversationId: z.string().max(200),
  score: z.number().min(0).max(100),
});

export const CoachingSuggestQuery = z.object({ agent: z.string().max(100) });
export const CoachingAssign = z.object({
  agentUserId: z.string().max(100),
  dimensionId: z.string().max(100),
  note: z.string().trim().min(1).max(4000),
  examples: z.array(z.string().max(200)).max(20).default([]),
  dueAt: z.number().optional(),
});

export const ScorecardPut = z.object({
  scorecard: z.unknown().describe('a scorecard; validated by lib/scoring parseScorecard'),
});
export const RulebookDraft = z.object({
  rulebook: z.unknown().describe('a rulebook; validated by its JSON Schema (GET /v1/qa/rules/schema)'),
});
export const Rollback = z.object({ version: z.number().int().positive() });
