/**
 * What an ingest response means for the outbox. Kept separate from the client so the decision
 * table can be tested exhaustively without any I/O.
 */
import { parseRetryAfter } from './backoff';
import { ErrorBody, IngestResponse } from './protocol';

export type Outcome =
  /** 2xx: drop accepted ids; drop rejected items with their recorded reason. */
  | { kind: 'accepted'; response: IngestResponse }
  /** 401: the device token is missing, revoked or rotated away; stop until enrolled again. */
  | { kind: 'reenrol'; reason: string }
  /**
   * The whole request was refused for something in it (400/413/422 without per-item results):
   * split the batch to isolate the bad item; a single refused item is dropped with the reason.
   */
  | { kind: 'split'; reason: string }
  /** 429, 5xx, 403 (a role or scope change an admin may undo), network errors: keep and retry later. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number };

export interface RawResponse {
  status: number;
  headers: { get(name: string): string | null };
  body: unknown;
}

function reasonOf(body: unknown, fallback: string): string {
  const e = ErrorBody.safeParse(body);
  return e.success ? (e.data.reason ?? e.data.error) : fallback;
}

export function classifyResponse(res: RawResponse, now = Date.now()): Outcome {
  const { status, body } = res;
  if (status >= 200 && status < 300) {
    const parsed = IngestResponse.safeParse(body);
    // A 2xx we cannot read may be a captive portal or a proxy page: nothing was confirmed, so retry.
    if (!parsed.success) return { kind: 'retry', reason: `unreadable ${status} response` };
    return { kind: 'accepted', response: parsed.data };
  }
  if (status === 401) return { kind: 'reenrol', reason: reasonOf(body, 'device token not accepted') };
  if (status === 429 || status >= 500 || status === 408 || status === 403 || status === 409) {
    const bodyRetry = ErrorBody.safeParse(body);
    const retryAfterMs =
      parseRetryAfter(res.headers.get('retry-after'), now) ??
      (bodyRetry.success ? bodyRetry.data.retryAfterMs : undefined);
    const reason = reasonOf(body, `HTTP ${status}`);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  if (status >= 400 && status < 500) return { kind: 'split', reason: reasonOf(body, `HTTP ${status}`) };
  // 1xx/3xx should never reach here (fetch follows redirects); treat as transient.
  return { kind: 'retry', reason: `unexpected HTTP ${status}` };
}

export function classifyNetworkError(err: unknown): Outcome {
  const msg = err instanceof Error ? err.message : String(err);
  return { kind: 'retry', reason: `network: ${msg}` };
}
