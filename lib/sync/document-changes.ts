/**
 * Following the endpoint's document push (`GET /v1/documents/changes`, Server-Sent Events): each
 * (re)connect starts with the team's current version of every published document, then one event
 * per new publication. The caller compares ETags with what it stores and fetches only what
 * changed (`checkDocument`), so a missed event costs nothing but a later catch-up.
 */
import { backoffDelay } from './backoff';
import { DocumentChange } from './protocol';
import { SseParser, type StreamFetch } from './sse';

export interface DocumentChangesOptions {
  endpoint: string;
  fetch: StreamFetch;
  getToken: () => string | undefined | Promise<string | undefined>;
  /** Called with the changes of one read (the opening snapshot arrives as one call). */
  onChanges: (changes: DocumentChange[]) => void | Promise<void>;
  onStatus?: (status: { connected: boolean; error?: string }) => void;
  signal: AbortSignal;
}

/** Follows the stream until `signal` aborts, or until the endpoint refuses the token (401/403). */
export async function followDocumentChanges(opts: DocumentChangesOptions): Promise<'aborted' | 'refused'> {
  const endpoint = opts.endpoint.replace(/\/+$/, '');
  let failures = 0;
  let capMs = 10_000;
  while (!opts.signal.aborted) {
    let error: string | undefined;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      const token = await opts.getToken();
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await opts.fetch(`${endpoint}/v1/documents/changes`, { headers, signal: opts.signal });
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
        const changes: DocumentChange[] = [];
        for (const ev of events) {
          if (ev.event !== 'document') continue;
          let data: unknown;
          try {
            data = JSON.parse(ev.data);
          } catch {
            continue;
          }
          const parsed = DocumentChange.safeParse(data);
          if (parsed.success) changes.push(parsed.data);
        }
        if (changes.length > 0) await opts.onChanges(changes);
      }
      error = 'stream ended';
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (opts.signal.aborted) break;
    opts.onStatus?.({ connected: false, error });
    const delay = backoffDelay(failures++, { baseMs: 250, capMs });
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, delay);
      function done() {
        clearTimeout(t);
        opts.signal.removeEventListener('abort', done);
        resolve();
      }
      opts.signal.addEventListener('abort', done);
    });
  }
  return 'aborted';
}
