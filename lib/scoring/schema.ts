/**
 * Scorecards (issue 10): weighted dimensions whose items are tied to rules (scored from findings)
 * or to manual questions (answered by a reviewer). Versioned data, validated here, so the QA
 * console, the endpoint, the batch CLI and the side panel all score the same way.
 */
import { z } from 'zod';
import { Localized, Severity } from '../finding';

const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash or underscore');

export const RuleItem = z.object({
  id: Id,
  name: Localized,
  kind: z.literal('rule'),
  /** Any finding from one of these rules triggers the item. */
  ruleIds: z.array(z.string().min(1).max(200)).min(1),
  /** Points the dimension loses when the item triggers. */
  points: z.number().min(0).max(1000),
  /** Deduct once per finding (capped at `maxDeductions`) instead of once per conversation. */
  perFinding: z.boolean().default(false),
  maxDeductions: z.number().int().min(1).max(100).default(1),
  /** A triggered auto-fail item zeroes the whole conversation's score. */
  autoFail: z.boolean().default(false),
});
export type RuleItem = z.infer<typeof RuleItem>;

export const ManualItem = z.object({
  id: Id,
  name: Localized,
  kind: z.literal('manual'),
  question: Localized,
  /** Points at stake; a reviewer awards 0…points. Unanswered items count as full marks, marked pending. */
  points: z.number().min(0).max(1000),
  autoFail: z.boolean().default(false),
});
export type ManualItem = z.infer<typeof ManualItem>;

export const ScorecardItem = z.discriminatedUnion('kind', [RuleItem, ManualItem]);
export type ScorecardItem = z.infer<typeof ScorecardItem>;

export const Dimension = z.object({
  id: Id,
  name: Localized,
  /** Relative weight in the total; weights need not add up to anything. */
  weight: z.number().positive().max(1000),
  /** The dimension's full marks; items deduct from it and it never goes below 0. */
  max: z.number().positive().max(1000),
  items: z.array(ScorecardItem).max(200),
});
export type Dimension = z.infer<typeof Dimension>;

export const Scorecard = z
  .object({
    id: Id,
    version: z.number().int().positive(),
    name: Localized,
    /** Total (0–100) at or above which a conversation passes. */
    passScore: z.number().min(0).max(100).default(60),
    /**
     * Findings from rules no item names still cost the points their rule's action carries, in the
     * dimension of that name, when one exists. Off means only mapped rules count.
     */
    useRulePoints: z.boolean().default(true),
    /** Findings of these severities zero the score even when no item maps their rule. */
    autoFailSeverities: z.array(Severity).default(['auto-fail']),
    dimensions: z.array(Dimension).min(1).max(50),
  })
  .superRefine((card, ctx) => {
    const seen = new Set<string>();
    card.dimensions.forEach((d, i) => {
      if (seen.has(d.id))
        ctx.addIssue({ code: 'custom', path: ['dimensions', i, 'id'], message: `duplicate id ${d.id}` });
      seen.add(d.id);
      d.items.forEach((it, j) => {
        if (seen.has(it.id))
          ctx.addIssue({
            code: 'custom',
            path: ['dimensions', i, 'items', j, 'id'],
            message: `duplicate id ${it.id}`,
          });
        seen.add(it.id);
      });
    });
  });
export type Scorecard = z.infer<typeof Scorecard>;
export type ScorecardInput = z.input<typeof Scorecard>;
