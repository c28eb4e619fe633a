import { z } from 'zod';
import { Emotion } from './labels';

export const Severity = z.enum(['info', 'hint', 'warning', 'critical', 'auto-fail']);
export type Severity = z.infer<typeof Severity>;

export const FindingKind = z.enum(['hint', 'warning', 'violation', 'metric']);
export type FindingKind = z.infer<typeof FindingKind>;

/** A span of one utterance that caused a finding; `text` is redacted before it leaves the device. */
export const Evidence = z.object({
  seq: z.number().int().nonnegative(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  text: z.string().max(2000),
});
export type Evidence = z.infer<typeof Evidence>;

export const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const Finding = z
  .object({
    /** ULID made on the device: ingest is idempotent on it. */
    id: z.string().regex(ULID_RE),
    conversationId: z.string().min(1).max(200),
    ruleId: z.string().min(1).max(200).optional(),
    model: z.string().min(1).max(100).optional(),
    kind: FindingKind,
    severity: Severity,
    /** Short label for lists, e.g. the rule's name in the agent's language. */
    title: z.string().max(500).optional(),
    evidence: z.array(Evidence).max(50),
    scores: z.record(z.string(), z.number()).default({}),
    emotion: Emotion.optional(),
    ts: z.number().nonnegative(),
    agentId: z.string().max(200).optional(),
  })
  .refine((f) => f.ruleId !== undefined || f.model !== undefined, {
    message: 'a finding names the rule or the model that produced it',
  });
export type Finding = z.infer<typeof Finding>;
