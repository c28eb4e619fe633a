/**
 * The alert and document streams tell clients how soon to reconnect (`retry:`), and the client
 * reads it: after an endpoint restart a lead's panel waits at most that long, not a 10 s backoff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseParser } from '../../../lib/sync/sse';
import { BACKENDS, type TestEnv, startEnv } from './harness';

describe('SseParser retry field', () => {
  it('keeps the latest valid reconnection time and ignores junk', () => {
    const p = new SseParser();
    expect(p.retry).toBeUndefined();
    expect(p.push('retry: 1000\n\n')).toEqual([]);
    expect(p.retry).toBe(1000);
    p.push('retry: soon\n\nretry: 15x\n\n');
    expect(p.retry).toBe(1000);
    expect(p.push('retry: 250\nevent: alert\ndata: {}\n\n')).toEqual([{ event: 'alert', data: '{}' }]);
    expect(p.retry).toBe(250);
  });
});

describe.each(BACKENDS)('stream reconnection times, %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend);
  });
  afterAll(async () => env?.close());

  async function retryOf(path: string, token: string): Promise<number | undefined> {
    const ac = new AbortController();
    const res = await fetch(`${env.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    while (parser.retry === undefined) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    ac.abort();
    return parser.retry;
  }

  it('asks lead panels to reconnect within a second and devices within two', async () => {
    expect(await retryOf('/v1/alerts/stream', env.leadToken)).toBe(1000);
    expect(await retryOf('/v1/documents/changes', env.agentToken)).toBe(2000);
  });
});
