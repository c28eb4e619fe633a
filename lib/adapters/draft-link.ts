/**
 * The draft link: a MessagePort from the service worker straight to the analysis worker, for the
 * pre-send check (issue 6: ≤ 5 ms per keystroke p95). Asking the offscreen document by
 * `runtime.sendMessage` and then the worker through it cost 3.0–4.5 ms p95 of the round trip, of
 * which browser messaging was 2.3–3.3 ms; a port between the two workers answers in about 0.2 ms.
 * Runtime ports cannot be used: a document that takes a runtime port keeps every extension port
 * open when the service worker stops.
 *
 * The offscreen document makes the channel and hands the service worker its end
 * (`ServiceWorker.postMessage`, platform/links.ts): when it starts, and again when the service
 * worker asks (it loses its end when it stops). Each check has an id, its answer is matched by id,
 * and a deadline: a check the link does not answer in time, or that the worker refuses (not
 * started yet), gets undefined and goes the old way; a silent link is dropped and a new one asked
 * for. A replaced link answers what waits on it undefined at once, so only requests that are safe
 * to ask twice belong on such a link. Analyse batches are not: when they went on a link too, a
 * link replaced while a batch was in flight answered it "not taken", the background sent it again
 * by runtime message though the document had it, and the batch was analysed twice. Pure: tested
 * in Node with a MessageChannel.
 */
import { type Message, parseMessage } from '../messages';
import type { DraftHit } from './presend';

/** The part of a MessagePort a link uses. */
export interface LinkPort {
  postMessage(msg: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  close(): void;
}

/** The worker's check of a draft; undefined when it cannot check yet (not started). */
export type LinkCheck = (
  text: string,
  conversationId: string | undefined,
) => { hits: DraftHit[]; ms: number } | undefined;

/**
 * The analysis worker's end: answers each `link-check` on `port` with `link-checked`. Anything
 * else on the port is ignored (only the service worker holds the other end).
 */
export function serveDraftLink(port: LinkPort, check: LinkCheck): void {
  port.onmessage = (e) => {
    const r = parseMessage(e.data);
    if (!r.ok || r.message.type !== 'link-check') return;
    const { id, text, conversationId } = r.message;
    let answer: ReturnType<LinkCheck>;
    try {
      answer = check(text, conversationId);
    } catch (err) {
      port.postMessage({ type: 'link-checked', id, ok: false, reason: String(err).slice(0, 500) });
      return;
    }
    port.postMessage(
      answer
        ? { type: 'link-checked', id, ok: true, hits: answer.hits, workerMs: answer.ms }
        : { type: 'link-checked', id, ok: false, reason: 'the analysis worker has not started yet' },
    );
  };
}

/** What a check on the link came back with: the hits, and the worker's own time. */
export interface LinkAnswer {
  hits: DraftHit[];
  workerMs: number;
}

export interface DraftLinkOptions {
  /** Asks the offscreen document for a link (fire and forget; it arrives through `attach`). */
  request(): void;
  /** A check unanswered this long drops the link (the document or its worker went away). */
  timeoutMs?: number;
  /** Without a link, one is asked for at most this often. */
  requestEveryMs?: number;
  now?(): number;
  setTimeout?(fn: () => void, ms: number): unknown;
  clearTimeout?(t: unknown): void;
}

/** The service worker's end: draft checks on the link while it has one. */
export class DraftLink {
  private port: LinkPort | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, (a: LinkAnswer | undefined) => void>();
  private requestedAt = Number.NEGATIVE_INFINITY;
  private readonly timeoutMs: number;
  private readonly requestEveryMs: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly o: DraftLinkOptions) {
    this.timeoutMs = o.timeoutMs ?? 1000;
    this.requestEveryMs = o.requestEveryMs ?? 1000;
    this.now = o.now ?? Date.now;
    this.setTimer = o.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = o.clearTimeout ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** Whether a link is held (it may still turn out dead on the next check). */
  get linked(): boolean {
    return this.port !== undefined;
  }

  /** A new link from the offscreen document: it replaces the one held (which is closed). */
  attach(port: LinkPort): void {
    this.drop();
    this.port = port;
    port.onmessage = (e) => {
      if (port !== this.port) return;
      const r = parseMessage(e.data);
      if (!r.ok || r.message.type !== 'link-checked') return;
      const m = r.message;
      const done = this.waiting.get(m.id);
      if (!done) return;
      this.waiting.delete(m.id);
      // A refusal (the worker has not started) is undefined: the caller asks the other way.
      done(m.ok ? { hits: m.hits ?? [], workerMs: m.workerMs ?? 0 } : undefined);
    };
  }

  /**
   * Checks a draft on the link. Undefined when there is no link (one is asked for), the worker
   * refused (not started), or no answer came in time (the link is dropped): the caller then asks
   * the other way. Never rejects.
   */
  ask(text: string, conversationId: string | undefined): Promise<LinkAnswer | undefined> {
    const port = this.port;
    if (!port) {
      this.requestLink();
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      const id = this.nextId++;
      const timer = this.setTimer(() => {
        if (!this.waiting.has(id)) return;
        this.waiting.delete(id);
        resolve(undefined);
        // Silent past the deadline: the document (or its worker) may be gone; a new link is asked for.
        if (port === this.port) this.drop();
        this.requestLink();
      }, this.timeoutMs);
      this.waiting.set(id, (a) => {
        this.clearTimer(timer);
        resolve(a);
      });
      const check: Message = {
        type: 'link-check',
        id,
        text,
        ...(conversationId !== undefined ? { conversationId } : {}),
      };
      try {
        port.postMessage(check);
      } catch {
        this.clearTimer(timer);
        this.waiting.delete(id);
        resolve(undefined);
        if (port === this.port) this.drop();
      }
    });
  }

  private requestLink(): void {
    if (this.now() - this.requestedAt < this.requestEveryMs) return;
    this.requestedAt = this.now();
    try {
      this.o.request();
    } catch {
      // Asked again after requestEveryMs.
    }
  }

  /** Lets go of the link: what waits on it is answered undefined (the caller goes the other way). */
  private drop(): void {
    const port = this.port;
    this.port = undefined;
    if (port) {
      port.onmessage = null;
      try {
        port.close();
      } catch {
        // Already closed.
      }
    }
    const pending = [...this.waiting.values()];
    this.waiting.clear();
    for (const done of pending) done(undefined);
  }
}
