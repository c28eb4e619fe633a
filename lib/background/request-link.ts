/**
 * A request/answer link on a MessagePort from the service worker to the analysis worker: an id
 * per request, the answer matched by id, a deadline. Its one user is the draft link
 * (lib/adapters/draft-link.ts). The offscreen document makes the channel and hands the service
 * worker its end (`ServiceWorker.postMessage`): when it starts, and again when the service worker
 * asks (it loses its end when it stops). A one-time `runtime.sendMessage` through the document
 * costs far more per request (bench:presend), and runtime ports cannot be used: a document that
 * takes a runtime port keeps every extension port open when the service worker stops. A request
 * the link does not answer in time gets undefined (the caller goes the `runtime.sendMessage` way)
 * and the link is dropped and asked for again. A replaced link answers what waits on it undefined
 * at once, so only requests that are safe to ask twice belong on a link (analyse batches are not:
 * they would be analysed twice). Pure: tested in Node.
 */
import { type Message, parseMessage } from '../messages';

/** The part of a MessagePort a link uses. */
export interface LinkPort {
  postMessage(msg: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  close(): void;
}

export interface RequestLinkOptions<A> {
  /** Asks the offscreen document for a link (fire and forget; it arrives through `attach`). */
  request(): void;
  /** The id and answer in a message from the other end; undefined for anything else. A refusal is `answer: undefined`. */
  answerOf(msg: Message): { id: number; answer: A | undefined } | undefined;
  /** A request unanswered this long drops the link (the document or its worker went away). */
  timeoutMs?: number;
  /** Without a link, one is asked for at most this often. */
  requestEveryMs?: number;
  now?(): number;
  setTimeout?(fn: () => void, ms: number): unknown;
  clearTimeout?(t: unknown): void;
}

/** The service worker's end: requests on the link while it has one. */
export class RequestLink<A> {
  private port: LinkPort | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, (a: A | undefined) => void>();
  private requestedAt = Number.NEGATIVE_INFINITY;
  private readonly timeoutMs: number;
  private readonly requestEveryMs: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly o: RequestLinkOptions<A>) {
    this.timeoutMs = o.timeoutMs ?? 1000;
    this.requestEveryMs = o.requestEveryMs ?? 1000;
    this.now = o.now ?? Date.now;
    this.setTimer = o.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = o.clearTimeout ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** Whether a link is held (it may still turn out dead on the next request). */
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
      const a = r.ok ? this.o.answerOf(r.message) : undefined;
      if (!a) return;
      const done = this.waiting.get(a.id);
      if (!done) return;
      this.waiting.delete(a.id);
      done(a.answer);
    };
  }

  /**
   * Sends the request `build(id)` on the link. Undefined when there is no link (one is asked
   * for), the other end refused, or no answer came in time (the link is dropped): the caller
   * then goes the other way. Never rejects.
   */
  ask(build: (id: number) => Message): Promise<A | undefined> {
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
      try {
        port.postMessage(build(id));
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
