/**
 * One Server-Sent Events stream setup for every push route (`/v1/alerts/stream`,
 * `/v1/documents/changes`): subscribe before catching up (nothing published in between is
 * missed), tell the client how soon to reconnect (`retry:`), write a `ready` event once caught
 * up, then forward what is pushed, with a comment line as heartbeat while it is quiet, until the
 * client goes away; the subscription is dropped however the stream ends.
 */
import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';

export interface EventStreamOptions<T> {
  /** The client's reconnection delay (`retry:` field), in ms. */
  retryMs: number;
  /** A comment line after this long without events keeps proxies from taking the stream for dead. */
  heartbeatMs: number;
  /** Start receiving pushed items; returns the unsubscribe function. Called before `catchUp`. */
  subscribe(push: (items: T[]) => void): () => void;
  /** Write what the client has not seen yet (current state, or what it missed while away). */
  catchUp(stream: SSEStreamingApi): Promise<void>;
  /** The `ready` event's data, once caught up. */
  ready(): string;
  /** Write items pushed since the last call, in the order they arrived. */
  deliver(stream: SSEStreamingApi, items: T[]): Promise<void>;
}

export function eventStream<T>(c: Context, opts: EventStreamOptions<T>): Response {
  c.header('x-accel-buffering', 'no'); // reverse proxies must not buffer the stream
  return streamSSE(c, async (stream) => {
    const pending: T[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    const unsubscribe = opts.subscribe((items) => {
      pending.push(...items);
      wake?.();
    });
    stream.onAbort(() => {
      closed = true;
      wake?.();
    });
    try {
      await stream.write(`retry: ${opts.retryMs}\n\n`);
      await opts.catchUp(stream);
      await stream.writeSSE({ event: 'ready', data: opts.ready() });
      while (!closed) {
        if (pending.length === 0) {
          const timedOut = await new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(true), opts.heartbeatMs);
            wake = () => {
              clearTimeout(t);
              resolve(false);
            };
          });
          wake = undefined;
          if (closed) break;
          if (timedOut) await stream.write(': keep-alive\n\n');
          continue;
        }
        await opts.deliver(stream, pending.splice(0));
      }
    } finally {
      unsubscribe();
    }
  });
}
