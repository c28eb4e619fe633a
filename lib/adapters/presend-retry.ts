/**
 * The pre-send check on a cold browser: the first draft can be checked before the offscreen
 * document has registered its listener (sendMessage fails with "Receiving end does not exist") or
 * while its worker is still loading. The check is retried until the worker answers, within a
 * deadline; past it the answer is "no hits", so the check fails open and never holds a send.
 */
export interface RetryOptions {
  /** Total time allowed, in ms. */
  deadlineMs?: number;
  /** Waits between attempts, in ms; the last one repeats. */
  backoffMs?: readonly number[];
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const BACKOFF = [25, 50, 100, 200, 400];

export async function untilReady<T>(
  attempt: () => Promise<T | undefined>,
  fallback: T,
  opts: RetryOptions = {},
): Promise<{ value: T; attempts: number; ready: boolean }> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const backoff = opts.backoffMs ?? BACKOFF;
  const end = now() + (opts.deadlineMs ?? 4000);
  for (let i = 0; ; i++) {
    try {
      const v = await attempt();
      if (v !== undefined) return { value: v, attempts: i + 1, ready: true };
    } catch {
      // Not there yet (no listener, document starting): try again below.
    }
    const wait = backoff[Math.min(i, backoff.length - 1)] ?? 100;
    if (now() + wait >= end) return { value: fallback, attempts: i + 1, ready: false };
    await sleep(wait);
  }
}
