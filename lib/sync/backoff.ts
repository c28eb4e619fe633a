/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * the delay is uniform in [0, min(cap, base·2^attempt)], which spreads a fleet of devices that all
 * lost the endpoint at once instead of having them return in lock-step.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };

/**
 * The urgent lane (a warning a lead is waiting for, a resolution that cancels one) retries soon
 * after the endpoint comes back — within a second at most — and never waits longer than bulk.
 * Its requests are single small batches, so a fleet retrying them during an outage costs little.
 */
export const URGENT_BACKOFF_CAP: BackoffPolicy = { baseMs: 100, capMs: 1_000 };

export function urgentBackoff(bulk: BackoffPolicy): BackoffPolicy {
  return {
    baseMs: Math.min(bulk.baseMs, URGENT_BACKOFF_CAP.baseMs),
    capMs: Math.min(bulk.capMs, URGENT_BACKOFF_CAP.capMs),
  };
}

/** `attempt` counts failures so far (0 for the first retry). `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * exp);
}

/** A server's Retry-After (seconds or HTTP date) in ms, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, Math.round(secs * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
