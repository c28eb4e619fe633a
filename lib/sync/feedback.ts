/**
 * Agent feedback bound for the QA endpoint: "this is wrong" on a finding and appeals (复议). The
 * side panel writes each event to an outbox (IndexedDB in the extension, shared by the panel and
 * the service worker) and the service worker sends it to `POST /v1/qa/feedback` when sync is set
 * up, so feedback given offline or with the panel closed still arrives. Each event keeps its
 * state (queued, sent, refused with the endpoint's reason) so the panel can show it.
 */
import { z } from 'zod';
import { ULID_RE } from '../finding';
import type { FetchLike } from './client';
import { ErrorBody } from './protocol';

/** Feedback types the QA endpoint keeps; the rest (snooze, ack, …) stay on the device. */
export const ENDPOINT_FEEDBACK_TYPES = ['wrong', 'appeal'] as const;
export const isEndpointFeedback = (type: string): boolean =>
  (ENDPOINT_FEEDBACK_TYPES as readonly string[]).includes(type);

export const FeedbackItem = z.object({
  id: z.string().regex(ULID_RE),
  type: z.enum(ENDPOINT_FEEDBACK_TYPES),
  conversationId: z.string().min(1).max(200),
  ruleId: z.string().max(200).optional(),
  findingId: z.string().max(200).optional(),
  reason: z.string().max(2000).optional(),
  ts: z.number().nonnegative(),
});
export type FeedbackItem = z.infer<typeof FeedbackItem>;

export type FeedbackState = 'queued' | 'sent' | 'refused';

export interface FeedbackEntry {
  /** The event's id (a ULID), so key order is the order the agent gave the feedback. */
  id: string;
  item: FeedbackItem;
  state: FeedbackState;
  /** Why the endpoint refused it (for example, the appeal window has closed). */
  reason?: string;
  /** When the state last changed. */
  at: number;
}

export interface FeedbackOutboxStore {
  /** Adds items not already present; an id seen before keeps its state. */
  add(items: FeedbackItem[], at: number): Promise<void>;
  /** Queued entries, oldest first, at most `limit`. */
  queued(limit: number): Promise<FeedbackEntry[]>;
  /** Replaces entries by id. */
  put(entries: FeedbackEntry[]): Promise<void>;
  get(ids: readonly string[]): Promise<FeedbackEntry[]>;
  countQueued(): Promise<number>;
}

export class MemoryFeedbackOutbox implements FeedbackOutboxStore {
  readonly entries = new Map<string, FeedbackEntry>();
  async add(items: FeedbackItem[], at: number): Promise<void> {
    for (const item of items)
      if (!this.entries.has(item.id)) this.entries.set(item.id, { id: item.id, item, state: 'queued', at });
  }
  async queued(limit: number): Promise<FeedbackEntry[]> {
    return [...this.entries.values()]
      .filter((e) => e.state === 'queued')
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }
  async put(entries: FeedbackEntry[]): Promise<void> {
    for (const e of entries) this.entries.set(e.id, e);
  }
  async get(ids: readonly string[]): Promise<FeedbackEntry[]> {
    return ids.flatMap((id) => this.entries.get(id) ?? []);
  }
  async countQueued(): Promise<number> {
    return [...this.entries.values()].filter((e) => e.state === 'queued').length;
  }
}

const FeedbackReply = z.object({
  accepted: z.array(z.string()),
  rejected: z.array(z.object({ id: z.string(), reason: z.string() })),
});

export interface FeedbackFlush {
  sent: number;
  refused: number;
  /** Set when the endpoint could not be reached or refused the whole request; entries stay queued. */
  error?: string;
  /** The device token was not accepted (HTTP 401). */
  reenrol?: boolean;
}

/** Largest batch per request (the endpoint takes up to 500). */
const BATCH = 100;

/**
 * Sends queued feedback until none is left or a request fails. Refused items are kept with the
 * endpoint's reason and not sent again; a failed request leaves everything queued for the next
 * flush (the outbox's alarm or the next finding).
 */
export async function flushFeedback(opts: {
  store: FeedbackOutboxStore;
  endpoint: string;
  token: string;
  fetch: FetchLike;
  now?: () => number;
}): Promise<FeedbackFlush> {
  const now = opts.now ?? Date.now;
  const url = `${opts.endpoint.replace(/\/+$/, '')}/v1/qa/feedback`;
  const out: FeedbackFlush = { sent: 0, refused: 0 };
  for (;;) {
    const batch = await opts.store.queued(BATCH);
    if (batch.length === 0) return out;
    let status: number;
    let json: unknown;
    try {
      const res = await opts.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
        body: JSON.stringify({ events: batch.map((e) => e.item) }),
      });
      status = res.status;
      const text = await res.text();
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
    } catch (e) {
      return { ...out, error: `network: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (status < 200 || status >= 300) {
      const body = ErrorBody.safeParse(json);
      const error = body.success ? (body.data.reason ?? body.data.error) : `HTTP ${status}`;
      return { ...out, error, ...(status === 401 ? { reenrol: true } : {}) };
    }
    const reply = FeedbackReply.safeParse(json);
    if (!reply.success) return { ...out, error: `unreadable ${status} response` };
    const accepted = new Set(reply.data.accepted);
    const refused = new Map(reply.data.rejected.map((r) => [r.id, r.reason]));
    const at = now();
    const next: FeedbackEntry[] = [];
    for (const e of batch) {
      if (accepted.has(e.id)) next.push({ ...e, state: 'sent', at });
      else if (refused.has(e.id)) next.push({ ...e, state: 'refused', reason: refused.get(e.id)!, at });
    }
    if (next.length === 0) return { ...out, error: 'the endpoint confirmed none of the feedback' };
    await opts.store.put(next);
    for (const e of next) out[e.state === 'sent' ? 'sent' : 'refused']++;
  }
}

/** An appeal as the endpoint reports it to the agent who filed it (`GET /v1/qa/appeals`). */
export const AppealStatus = z.object({
  id: z.string(),
  findingId: z.string(),
  state: z.enum(['open', 'accepted', 'rejected']),
  overdue: z.boolean().optional(),
  /** When QA has to decide by. */
  deadlineAt: z.number().optional(),
  decisionComment: z.string().nullable().optional(),
  decidedAt: z.number().nullable().optional(),
});
export type AppealStatus = z.infer<typeof AppealStatus>;

/** The caller's appeals by finding id; throws with a readable message when the endpoint refuses. */
export async function fetchAppeals(opts: {
  endpoint: string;
  token: string;
  fetch: FetchLike;
}): Promise<Map<string, AppealStatus>> {
  const res = await opts.fetch(`${opts.endpoint.replace(/\/+$/, '')}/v1/qa/appeals`, {
    method: 'GET',
    headers: { authorization: `Bearer ${opts.token}` },
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`appeals: HTTP ${res.status}`);
  const parsed = z.object({ appeals: z.array(z.unknown()) }).parse(JSON.parse(text));
  const out = new Map<string, AppealStatus>();
  for (const raw of parsed.appeals) {
    const a = AppealStatus.safeParse(raw);
    if (a.success) out.set(a.data.findingId, a.data);
  }
  return out;
}
