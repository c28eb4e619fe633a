/**
 * What the agent (or lead) says back about findings and alerts: "this is wrong", snoozes,
 * corrections, acknowledgements, appeals, lead actions. Kept on the device first and queued for
 * the QA endpoint; `synced` flips when the endpoint has taken it.
 */
import { z } from 'zod';
import { ULID_RE } from '@/lib/finding';
import type { FeedbackState } from '@/lib/sync/feedback';

export const FEEDBACK_TYPES = [
  'wrong',
  'snooze',
  'unsnooze',
  'resolved',
  'ack',
  'appeal',
  'lead-ack',
  'take-over',
  'note',
] as const;

export const FeedbackEvent = z.object({
  id: z.string().regex(ULID_RE),
  type: z.enum(FEEDBACK_TYPES),
  conversationId: z.string().min(1).max(200),
  ruleId: z.string().max(200).optional(),
  findingId: z.string().max(200).optional(),
  alertId: z.number().int().positive().optional(),
  reason: z.string().max(1000).optional(),
  ts: z.number().nonnegative(),
  synced: z.boolean().default(false),
  /** The QA endpoint refused it, with its reason (for example, the appeal window has closed). */
  refused: z.string().max(2000).optional(),
});
export type FeedbackEvent = z.infer<typeof FeedbackEvent>;

/** Where feedback is kept; the side panel backs it with extension storage, tests with memory. */
export interface FeedbackStore {
  load(): Promise<FeedbackEvent[]>;
  save(events: readonly FeedbackEvent[]): Promise<void>;
}

export class MemoryFeedbackStore implements FeedbackStore {
  events: FeedbackEvent[] = [];
  async load(): Promise<FeedbackEvent[]> {
    return [...this.events];
  }
  async save(events: readonly FeedbackEvent[]): Promise<void> {
    this.events = [...events];
  }
}

/**
 * The queue to the QA endpoint (the extension's IndexedDB outbox, drained by the service worker).
 * Only feedback the endpoint keeps goes there: see `isEndpointFeedback`.
 */
export interface FeedbackOutbox {
  queue(events: readonly FeedbackEvent[]): Promise<void>;
  /** Delivery state of the given events; ids the outbox does not know are left out. */
  states(ids: readonly string[]): Promise<Map<string, { state: FeedbackState; reason?: string }>>;
}

/** Per conversation: which findings are dismissed and which rules are snoozed. */
export interface FeedbackView {
  wrong: ReadonlySet<string>;
  resolved: ReadonlySet<string>;
  acked: ReadonlySet<string>;
  appealed: ReadonlySet<string>;
  snoozed: ReadonlySet<string>;
}

export function feedbackView(events: readonly FeedbackEvent[], conversationId: string): FeedbackView {
  const v = {
    wrong: new Set<string>(),
    resolved: new Set<string>(),
    acked: new Set<string>(),
    appealed: new Set<string>(),
    snoozed: new Set<string>(),
  };
  for (const e of events) {
    if (e.conversationId !== conversationId) continue;
    const f = e.findingId;
    if (e.type === 'wrong' && f) v.wrong.add(f);
    else if (e.type === 'resolved' && f) v.resolved.add(f);
    else if (e.type === 'ack' && f) v.acked.add(f);
    else if (e.type === 'appeal' && f) v.appealed.add(f);
    else if (e.type === 'snooze' && e.ruleId) v.snoozed.add(e.ruleId);
    else if (e.type === 'unsnooze' && e.ruleId) v.snoozed.delete(e.ruleId);
  }
  return v;
}
