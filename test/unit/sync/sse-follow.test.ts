/**
 * `followSse`, the one device-side SSE follow loop behind the alert stream and the document push:
 * bearer token, refusal on 401/403, events per read, Last-Event-ID only for resuming streams,
 * reconnect after the stream ends.
 */
import { describe, expect, it } from 'vitest';
import { documentChanges, followDocumentChanges } from '../../../lib/sync/document-changes';
import { type SseEvent, type StreamFetch, followSse } from '../../../lib/sync/sse';

function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(enc.encode(chunk));
      c.close();
    },
  });
}

/** Answers each connect with the next scripted response; records the requests. */
function scripted(responses: { status: number; chunks?: string[] }[], onEmpty: () => void) {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const fetch: StreamFetch = async (url, init) => {
    requests.push({ url, headers: init.headers });
    const next = responses.shift();
    if (!next) {
      onEmpty();
      throw new Error('offline');
    }
    return { status: next.status, body: next.chunks ? body(...next.chunks) : null };
  };
  return { fetch, requests };
}

describe('followSse', () => {
  it('sends the token, hands over the events of each read, resumes with Last-Event-ID and stops on 401', async () => {
    const ac = new AbortController();
    const { fetch, requests } = scripted(
      [
        { status: 200, chunks: ['retry: 250\nid: 1\nevent: alert\ndata: {"a":1}\n\n', 'id: 2\ndata: x\n\n'] },
        { status: 401 },
      ],
      () => ac.abort(),
    );
    const reads: SseEvent[][] = [];
    const statuses: { connected: boolean; error?: string }[] = [];
    const r = await followSse('/v1/alerts/stream', (evs) => void reads.push(evs), {
      endpoint: 'http://qa.test/',
      fetch,
      getToken: () => 'tok',
      onStatus: (s) => statuses.push(s),
      resume: { lastEventId: '0' },
      signal: ac.signal,
    });
    expect(r).toBe('refused');
    expect(requests.map((q) => q.url)).toEqual([
      'http://qa.test/v1/alerts/stream',
      'http://qa.test/v1/alerts/stream',
    ]);
    expect(requests[0]!.headers).toMatchObject({ authorization: 'Bearer tok', 'last-event-id': '0' });
    // The second connect resumes after the last id the first one saw.
    expect(requests[1]!.headers['last-event-id']).toBe('2');
    expect(reads).toEqual([
      [{ id: '1', event: 'alert', data: '{"a":1}' }],
      [{ id: '2', event: 'message', data: 'x' }],
    ]);
    expect(statuses).toEqual([
      { connected: true },
      { connected: false, error: 'stream ended' },
      { connected: false, error: 'HTTP 401' },
    ]);
  });

  it('without resume sends no Last-Event-ID, and an abort ends the backoff wait', async () => {
    const ac = new AbortController();
    const { fetch, requests } = scripted(
      [{ status: 503 }, { status: 200, chunks: ['id: 7\ndata: y\n\n'] }],
      () => ac.abort(),
    );
    const r = await followSse('/v1/documents/changes', () => {}, {
      endpoint: 'http://qa.test',
      fetch,
      getToken: () => undefined,
      signal: ac.signal,
    });
    expect(r).toBe('aborted');
    expect(requests).toHaveLength(3);
    for (const q of requests) {
      expect(q.headers).not.toHaveProperty('last-event-id');
      expect(q.headers).not.toHaveProperty('authorization');
    }
  });
});

describe('followDocumentChanges on followSse', () => {
  const change = { kind: 'scripts', teamId: 't1', version: 3, etag: '"s3"' };

  it('keeps only well-formed document events, one call per read', async () => {
    expect(
      documentChanges([
        { event: 'document', data: JSON.stringify(change) },
        { event: 'document', data: '{not json' },
        { event: 'document', data: JSON.stringify({ kind: 'nope' }) },
        { event: 'alert', data: JSON.stringify(change) },
      ]),
    ).toEqual([change]);
    const ac = new AbortController();
    const { fetch } = scripted(
      [
        { status: 200, chunks: [`event: document\ndata: ${JSON.stringify(change)}\n\n: ping\n\n`] },
        { status: 403 },
      ],
      () => ac.abort(),
    );
    const calls: unknown[] = [];
    const r = await followDocumentChanges({
      endpoint: 'http://qa.test',
      fetch,
      getToken: () => 'tok',
      onChanges: (c) => void calls.push(c),
      signal: ac.signal,
    });
    expect(r).toBe('refused');
    expect(calls).toEqual([[change]]);
  });
});
