import { z } from 'zod';
import { Emotion } from './labels';

export const Severity = z.enum(['info', 'hint', 'warning', 'critical', 'auto-fail']);
export type Severity = z.infer<typeof Severity>;

export const FindingKind = z.enum(['hint', 'warning', 'violation', 'metric']);
export type FindingKind = z.infer<typeof FindingKind>;

// The object schemas below are built on their first parse (`z.lazy`), not when a script imports
// this module: the console script imports it in every console page, where building them was part
// of the page's first task (zod 4 makes each schema, and each `.optional()` step, an object with
// its methods). Enums stay eager: they are one object each, and callers read their `options`.

/** A span of one utterance that caused a finding; `text` is redacted before it leaves the device. */
export const Evidence = z.lazy(() =>
  z.object({
    seq: z.number().int().nonnegative(),
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
    text: z.string().max(2000),
  }),
);
export type Evidence = z.infer<typeof Evidence>;

/** A UI text in the three languages Sotto speaks. */
export const Localized = z.lazy(() =>
  z.object({
    zh_CN: z.string().max(2000),
    zh_TW: z.string().max(2000),
    en: z.string().max(2000),
  }),
);
export type Localized = z.infer<typeof Localized>;

/** What the agent can do about a finding; variables are already filled in. */
export const FindingActions = z.lazy(() =>
  z.object({
    hint: z.object({ text: Localized, insertable: z.boolean().optional() }).optional(),
    warning: z.object({ text: Localized }).optional(),
    /** Seconds the agent has to fix it before the lead is alerted. */
    escalate: z.object({ selfCorrectSeconds: z.number().min(0).max(3600) }).optional(),
  }),
);
export type FindingActions = z.infer<typeof FindingActions>;

export const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const Finding = z.lazy(() =>
  z
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
      /** The rule's name in every UI language, so the panel follows a language switch. */
      names: Localized.optional(),
      category: z.string().max(50).optional(),
      actions: FindingActions.optional(),
      /** `finish` for must-say and absence rules settled when the conversation ended. */
      at: z.enum(['utterance', 'tick', 'finish']).optional(),
      evidence: z.array(Evidence).max(50),
      scores: z.record(z.string(), z.number()).default({}),
      emotion: Emotion.optional(),
      ts: z.number().nonnegative(),
      agentId: z.string().max(200).optional(),
    })
    .refine((f) => f.ruleId !== undefined || f.model !== undefined, {
      message: 'a finding names the rule or the model that produced it',
    }),
);
export type Finding = z.infer<typeof Finding>;
