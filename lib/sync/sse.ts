/**
 * Reading the lead's alert stream (`GET /v1/alerts/stream`) with `fetch` instead of EventSource:
 * EventSource cannot send the device token header, and a service worker has no EventSource.
 * Reconnects with Last-Event-ID so nothing pushed while offline is missed.
 */
import { backoffDelay } from './backoff';
import { Alert } from './protocol';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Incremental parser for the text/event-stream format (WHATWG HTML §9.2). */
export class SseParser {
  private buf = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  /** The server's reconnection time (`retry:` field, ms), once it sent one. */
  retry: number | undefined;

  push(chunk: string): SseEvent[] {
    this.buf += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const nl = this.buf.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      // A trailing CR may be the first half of a CRLF split across chunks: wait for the next one.
      if (this.buf[nl] === '\r' && nl === this.buf.length - 1) break;
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + (this.buf.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (this.data.length > 0) {
          const ev: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
          if (this.id !== undefined) ev.id = this.id;
          out.push(ev);
        }
        this.data = [];
        this.event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id' && !value.includes('\0')) this.id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    }
    return out;
  }
}

export type StreamFetch = (
  url: string,
  init: { headers: Record<string, string>; signal?: AbortSignal },
) => Promise<{ status: number; body: ReadableStream<Uint8Array> | null }>;

export interface SseFollowOptions {
  endpoint: string;
  fetch: StreamFetch;
  /** Device token, or undefined when a session cookie is sent by the fetch. */
  getToken: () => string | undefined | Promise<string | undefined>;
  /** Called on each (re)connect and failure, for status lines and logs. */
  onStatus?: (status: { connected: boolean; error?: string }) => void;
  /**
   * Resume with `Last-Event-ID` after the last event id seen (starting from this one when given),
   * so nothing pushed while disconnected is missed. Streams that open with a snapshot leave it off.
   */
  resume?: { lastEventId?: string };
  signal: AbortSignal;
}

/**
 * Follows one Server-Sent Events stream of the endpoint (`path`, e.g. `/v1/alerts/stream`) until
 * `signal` aborts, or until the endpoint refuses the token (401/403: enrol again). `onEvents` gets
 * the events of each read of the body, in order, and is awaited before the next read. Reconnects
 * with backoff (failure count reset by each connect), the wait capped by the server's `retry:` once
 * it sent one: after an endpoint restart a client should not sit out a 10 s backoff.
 */
export async function followSse(
  path: string,
  onEvents: (events: SseEvent[]) => void | Promise<void>,
  opts: SseFollowOptions,
): Promise<'aborted' | 'refused'> {
  let lastId = opts.resume?.lastEventId;
  let failures = 0;
  let capMs = 10_000;
  const url = `${opts.endpoint.replace(/\/+$/, '')}${path}`;
  while (!opts.signal.aborted) {
    let error: string | undefined;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      const token = await opts.getToken();
      if (token) headers.authorization = `Bearer ${token}`;
      if (opts.resume && lastId) headers['last-event-id'] = lastId;
      const res = await opts.fetch(url, { headers, signal: opts.signal });
      if (res.status === 401 || res.status === 403) {
        opts.onStatus?.({ connected: false, error: `HTTP ${res.status}` });
        return 'refused';
      }
      if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
      opts.onStatus?.({ connected: true });
      failures = 0;
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const events = parser.push(decoder.decode(value, { stream: true }));
        if (parser.retry !== undefined) capMs = Math.min(10_000, Math.max(250, parser.retry));
        for (const ev of events) if (ev.id) lastId = ev.id;
        if (events.length > 0) await onEvents(events);
      }
      error = 'stream ended';
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (opts.signal.aborted) break;
    opts.onStatus?.({ connected: false, error });
    await abortableWait(backoffDelay(failures++, { baseMs: 250, capMs }), opts.signal);
  }
  return 'aborted';
}

function abortableWait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** `data` as JSON, or undefined when it is not JSON (a malformed event is skipped, not fatal). */
export function eventJson(ev: SseEvent): unknown {
  try {
    return JSON.parse(ev.data);
  } catch {
    return undefined;
  }
}

export interface AlertStreamOptions {
  endpoint: string;
  fetch: StreamFetch;
  /** Device token (lead-mode extension) or undefined when a session cookie is sent by the fetch. */
  getToken: () => string | undefined | Promise<string | undefined>;
  onAlert: (alert: Alert) => void;
  /** Called on each (re)connect and failure, for the panel's status line. */
  onStatus?: (status: { connected: boolean; error?: string }) => void;
  /** Resume after this alert id (persist the last one seen to survive restarts). */
  lastEventId?: string;
  signal: AbortSignal;
}

/** Follow the alert stream until `signal` aborts; 401 stops it (enrol again). */
export async function followAlerts(opts: AlertStreamOptions): Promise<void> {
  const { onAlert, lastEventId, ...follow } = opts;
  await followSse(
    '/v1/alerts/stream',
    (events) => {
      for (const ev of events) {
        if (ev.event !== 'alert') continue;
        const parsed = Alert.safeParse(eventJson(ev));
        if (parsed.success) onAlert(parsed.data);
      }
    },
    { ...follow, resume: lastEventId ? { lastEventId } : {} },
  );
}
