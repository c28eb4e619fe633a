/**
 * The urgent lane after an outage (lib/sync/client.ts): a warning a lead is waiting for is tried
 * again within the urgent lane's short cap — not after the bulk backoff or a bulk Retry-After —
 * and once the endpoint answers again it goes ahead of the bulk backlog. The endpoint here is a
 * function and time is faked, so the waits are read off the clock the client itself uses.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { URGENT_BACKOFF_CAP, urgentBackoff } from '../../../lib/sync/backoff';
import { type FetchLike, SyncClient, type SyncClientOptions } from '../../../lib/sync/client';
import { MemoryOutboxStore } from '../../../lib/sync/outbox';
import { type FindingItem, URGENT_LANE_HEADER } from '../../../lib/sync/protocol';

let n = 0;
function item(severity: 'info' | 'critical'): FindingItem {
  n++;
  return {
    finding: {
      id: `01JB0000000000000000000${String(n).padStart(3, '0')}`,
      conversationId: `conv-${n}`,
      ruleId: severity === 'critical' ? 'compliance.no-guarantee' : 'talk.ratio',
      kind: severity === 'critical' ? 'violation' : 'metric',
      severity,
      evidence: [{ seq: 1, start: 0, end: 2, text: '您好' }],
      scores: {},
      ts: Date.now(),
    },
  };
}

/** An endpoint in memory: while down it refuses connections or answers 503 with Retry-After: 30. */
function endpoint(down: 'refused' | '503') {
  const state = { up: false, calls: [] as { urgent: boolean; ids: string[]; at: number; ok: boolean }[] };
  const fetch: FetchLike = async (_url, init) => {
    const body = JSON.parse(init.body ?? '{}') as { findings?: FindingItem[] };
    const ids = (body.findings ?? []).map((f) => f.finding.id);
    const call = {
      urgent: init.headers[URGENT_LANE_HEADER] !== undefined,
      ids,
      at: Date.now(),
      ok: state.up,
    };
    state.calls.push(call);
    if (!state.up) {
      if (down === 'refused') throw new TypeError('fetch failed: connect ECONNREFUSED');
      return {
        status: 503,
        headers: { get: (h: string) => (h.toLowerCase() === 'retry-after' ? '30' : null) },
        text: async () => JSON.stringify({ error: 'unavailable', retryAfterMs: 30_000 }),
      };
    }
    return {
      status: 200,
      headers: { get: () => null },
      text: async () =>
        JSON.stringify({
          accepted: { conversations: [], findings: ids, events: [] },
          duplicates: 0,
          rejected: [],
        }),
    };
  };
  return { state, fetch };
}

/** A client of `ep` with the bulk lane's usual backoff and the longest jitter, unless overridden. */
function clientOf(ep: ReturnType<typeof endpoint>, overrides: Partial<SyncClientOptions> = {}) {
  return new SyncClient({
    endpoint: 'http://qa.test',
    fetch: ep.fetch,
    store: new MemoryOutboxStore(),
    getToken: () => 'token',
    backoff: { baseMs: 1_000, capMs: 300_000 },
    random: () => 0.999,
    ...overrides,
  });
}

describe('the urgent lane after an outage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('derives its policy from the bulk one, never waiting longer than bulk or than its cap', () => {
    expect(urgentBackoff({ baseMs: 1_000, capMs: 300_000 })).toEqual(URGENT_BACKOFF_CAP);
    expect(urgentBackoff({ baseMs: 50, capMs: 500 })).toEqual({ baseMs: 50, capMs: 500 });
  });

  it('retries a warning within its cap while bulk waits out a 30 s Retry-After', async () => {
    const ep = endpoint('503');
    const client = clientOf(ep);
    const start = Date.now();
    const warning = item('critical');
    await client.enqueue({ findings: [...Array.from({ length: 20 }, () => item('info')), warning] });
    expect((await client.flush()).outcome).toBe('retry');
    await vi.advanceTimersByTimeAsync(0);
    expect(ep.state.calls.length).toBeGreaterThan(0);
    expect(ep.state.calls.every((c) => !c.ok)).toBe(true);

    ep.state.up = true;
    await vi.advanceTimersByTimeAsync(URGENT_BACKOFF_CAP.capMs);
    const delivered = ep.state.calls.find((c) => c.ok && c.ids.includes(warning.finding.id));
    expect(delivered?.urgent).toBe(true);
    expect(delivered!.at - start).toBeLessThanOrEqual(URGENT_BACKOFF_CAP.capMs);
    // The metrics stay queued: the bulk lane honours the endpoint's Retry-After.
    const status = await client.status();
    expect(status.queued).toBe(20);
    expect(status.nextAttemptAt).toBeGreaterThanOrEqual(start + 30_000);
  });

  it('keeps retrying a warning at least once per cap while connections are refused', async () => {
    const ep = endpoint('refused');
    const client = clientOf(ep);
    const warning = item('critical');
    await client.enqueue({ findings: [warning] });
    await client.flush();
    for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(URGENT_BACKOFF_CAP.capMs);
    const tries = ep.state.calls.filter((c) => c.ids.includes(warning.finding.id));
    // Ten seconds down: the bulk backoff alone would have tried about four times (1, 2, 4, 8 s).
    expect(tries.length).toBeGreaterThanOrEqual(10);
    ep.state.up = true;
    await vi.advanceTimersByTimeAsync(URGENT_BACKOFF_CAP.capMs);
    expect((await client.status()).queued).toBe(0);
  });

  it('goes ahead of the bulk backlog once bulk gets through again, whatever its own backoff', async () => {
    const ep = endpoint('refused');
    const client = clientOf(ep, {
      batch: { maxItems: 5 },
      backoff: { baseMs: 10, capMs: 10 },
      urgentBackoff: { baseMs: 60_000, capMs: 60_000 },
    });
    const start = Date.now();
    // The warning is queued behind ten bulk batches, out of the bulk lane's view.
    const warning = item('critical');
    await client.enqueue({ findings: [...Array.from({ length: 50 }, () => item('info')), warning] });
    expect((await client.flush()).outcome).toBe('retry');
    await vi.advanceTimersByTimeAsync(0);
    const failedUrgent = ep.state.calls.find((c) => c.urgent);
    expect(failedUrgent?.ok).toBe(false); // the urgent lane now backs off for a minute

    ep.state.up = true;
    await vi.advanceTimersByTimeAsync(10);
    expect((await client.flush()).outcome).toBe('idle');
    await vi.advanceTimersByTimeAsync(0);
    const ok = ep.state.calls.filter((c) => c.ok);
    const at = ok.findIndex((c) => c.ids.includes(warning.finding.id));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(ok[at]!.at - start).toBeLessThan(60_000);
    // Sent while most of the backlog was still waiting its turn.
    expect(at).toBeLessThan(ok.filter((c) => !c.urgent).length - 1);
    expect((await client.status()).queued).toBe(0);
  });
});
