import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../lib/ids';
import { backoffDelay, parseRetryAfter } from '../../../lib/sync/backoff';
import { type Outcome, classifyNetworkError, classifyResponse } from '../../../lib/sync/classify';
import { type OutboxEntry, buildRequest, takeBatch } from '../../../lib/sync/outbox';
import { SseParser } from '../../../lib/sync/sse';

const headers = (h: Record<string, string> = {}) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });
const okBody = { accepted: { conversations: [], findings: ['A'], events: [] }, duplicates: 0, rejected: [] };

describe('backoff with full jitter', () => {
  it('stays within [0, min(cap, base·2^attempt))', () => {
    fc.assert(
      fc.property(
        fc.nat(60),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.9999999, noNaN: true }),
        (attempt, base, cap, r) => {
          const d = backoffDelay(attempt, { baseMs: base, capMs: cap }, () => r);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThan(Math.max(1, Math.min(cap, base * 2 ** Math.min(attempt, 30))));
        },
      ),
    );
  });
  it('grows exponentially until the cap', () => {
    const max = (a: number) => backoffDelay(a, { baseMs: 100, capMs: 1000 }, () => 0.9999999);
    expect([0, 1, 2, 3, 4, 10].map(max)).toEqual([99, 199, 399, 799, 999, 999]);
  });
  it('reads Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('response classification', () => {
  const cases: [string, number, unknown, Record<string, string>, Outcome['kind'], number?][] = [
    ['accepted', 200, okBody, {}, 'accepted'],
    ['2xx we cannot read (captive portal)', 200, '<html>', {}, 'retry'],
    ['revoked or rotated token', 401, { error: 'unauthenticated' }, {}, 'reenrol'],
    ['role removed (an admin may undo it)', 403, { error: 'forbidden' }, {}, 'retry'],
    ['malformed batch', 400, { error: 'bad_request', reason: 'findings must be an array' }, {}, 'split'],
    ['too large', 413, { error: 'too_large' }, {}, 'split'],
    ['wrong media type', 415, { error: 'x' }, {}, 'split'],
    ['rate limited with Retry-After', 429, { error: 'rate_limited' }, { 'retry-after': '7' }, 'retry', 7000],
    ['rate limited with body hint', 429, { error: 'rate_limited', retryAfterMs: 1500 }, {}, 'retry', 1500],
    ['database down', 503, { error: 'unavailable' }, { 'retry-after': '2' }, 'retry', 2000],
    ['proxy error', 502, undefined, {}, 'retry'],
    ['internal', 500, { error: 'internal' }, {}, 'retry'],
    ['timeout', 408, undefined, {}, 'retry'],
  ];
  it.each(cases)('%s (%i)', (_name, status, body, h, kind, retryAfterMs) => {
    const o = classifyResponse({ status, headers: headers(h), body });
    expect(o.kind).toBe(kind);
    if (retryAfterMs !== undefined) expect(o).toMatchObject({ retryAfterMs });
  });
  it('retries network errors', () => {
    expect(classifyNetworkError(new TypeError('fetch failed')).kind).toBe('retry');
  });
});

function entry(kind: 'finding' | 'conversation' | 'event', bytes: number): OutboxEntry {
  const id = newId();
  const payload =
    kind === 'finding'
      ? {
          kind,
          item: {
            finding: {
              id,
              conversationId: 'c',
              ruleId: 'r',
              kind: 'warning' as const,
              severity: 'warning' as const,
              evidence: [],
              scores: {},
              ts: 1,
            },
          },
        }
      : kind === 'conversation'
        ? { kind, item: { id, channel: 'chat' as const, startedAt: 1 } }
        : { kind, item: { id, type: 'resolved' as const, conversationId: 'c', ruleId: 'r', ts: 1 } };
  return { key: newId(), payload, bytes, enqueuedAt: 0 };
}

describe('outbox batching', () => {
  it('takes the longest prefix within the item and byte limits, never an empty batch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 80 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 100, max: 20_000 }),
        (sizes, maxItems, maxBytes) => {
          const entries = sizes.map((b) => entry('finding', b));
          const batch = takeBatch(entries, { maxItems, maxBytes });
          if (entries.length === 0) return batch.length === 0;
          const prefix = batch.every((e, i) => e === entries[i]);
          const bytes = batch.reduce((s, e) => s + e.bytes + 1, 64);
          return (
            prefix &&
            batch.length >= 1 &&
            batch.length <= maxItems &&
            (batch.length === 1 || bytes <= maxBytes)
          );
        },
      ),
    );
  });
  it('maps each request item back to its outbox key', () => {
    const es = [entry('finding', 1), entry('conversation', 1), entry('finding', 1), entry('event', 1)];
    const { body, keyAt } = buildRequest(es);
    expect(body.findings).toHaveLength(2);
    expect(keyAt.finding).toEqual([es[0]!.key, es[2]!.key]);
    expect(keyAt.conversation).toEqual([es[1]!.key]);
    expect(keyAt.event).toEqual([es[3]!.key]);
  });
});

describe('SSE parser', () => {
  const stream =
    'retry: 2000\n\n: keep-alive\n\nid: 1\nevent: alert\ndata: {"a":1}\n\nid: 2\r\nevent: alert\r\ndata: line1\r\ndata: line2\r\n\r\ndata: plain\n\n';
  const want = [
    { id: '1', event: 'alert', data: '{"a":1}' },
    { id: '2', event: 'alert', data: 'line1\nline2' },
    { id: '2', event: 'message', data: 'plain' },
  ];
  it('parses events however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(stream.length), { maxLength: 10 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const p = new SseParser();
        const got = [];
        let from = 0;
        for (const c of [...points, stream.length]) {
          got.push(...p.push(stream.slice(from, c)));
          from = c;
        }
        expect(got).toEqual(want);
      }),
    );
  });
});
