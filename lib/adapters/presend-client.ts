/**
 * The console script's side of the pre-send check on its `presend` port (the service worker's side
 * and the protocol: presend-direct.ts). Apart from that side so that the console script, which
 * runs in every console page, validates the port's answers with their own schemas
 * (lib/console-messages.ts) and loads none of the rest of the message contract. Pure: tested in
 * Node.
 */
import { type DraftChecked, parsePresendAnswer } from '../console-messages';
import type { MessageOf } from '../messages';
import type { PortEnds } from './acked-port';
import type { DraftHit } from './presend';

export type { DraftChecked };

/** The port's name (console script → service worker). */
export const PRESEND_PORT = 'presend';

/** Which way a check was answered (the console script keeps the last one for diagnostics). */
export type CheckPath = 'port' | 'background';

/** The console script's end of the port; `disconnect` closes it for every context. */
export interface DirectPort extends PortEnds<MessageOf<'draft-check'>> {
  disconnect(): void;
}

export interface DirectClientOptions {
  /** Opens the port (throws when the extension context is gone). */
  connect(): DirectPort;
  /** The background's way (it creates the offscreen document when there is none). */
  viaBackground(text: string, conversationId: string | undefined): Promise<DraftHit[]>;
  /** After the direct way failed, checks go the background's way this long before it is tried again. */
  retryAfterMs?: number;
  /** A direct check unanswered this long is asked the background's way too; the first answer wins. */
  patienceMs?: number;
  /** A port not taken this long is closed (the service worker still starting). */
  readyMs?: number;
  now?(): number;
  setTimeout?(fn: () => void, ms: number): unknown;
  clearTimeout?(t: unknown): void;
}

interface Waiting {
  resolve(hits: DraftHit[]): void;
  fallback(): void;
}

/**
 * The console script's side: each check goes on the open port once it has been taken; otherwise
 * (not taken yet, closed, refused, or not answered in time) the same check goes the background's
 * way. Never rejects.
 */
export class DirectDraftClient {
  private port: DirectPort | undefined;
  /** `presend-ready` came on the current port. */
  private live = false;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  /** When the direct way last failed; it is not tried again before `retryAfterMs` has passed. */
  private failedAt = Number.NEGATIVE_INFINITY;
  private readonly retryAfterMs: number;
  private readonly patienceMs: number;
  private readonly readyMs: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly o: DirectClientOptions) {
    this.retryAfterMs = o.retryAfterMs ?? 1000;
    this.patienceMs = o.patienceMs ?? 1000;
    this.readyMs = o.readyMs ?? 2000;
    this.now = o.now ?? Date.now;
    this.setTimer = o.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = o.clearTimeout ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /**
   * Opens the port ahead of the first check (when the console attaches), so it has been taken by
   * the time the agent types: checks before that go the background's way.
   */
  open(): void {
    this.portNow();
  }

  check(text: string, conversationId: string | undefined): Promise<{ hits: DraftHit[]; via: CheckPath }> {
    const background = () =>
      this.o
        .viaBackground(text, conversationId)
        .catch(() => [] as DraftHit[])
        .then((hits) => ({ hits, via: 'background' as const }));
    const port = this.portNow();
    if (!port || !this.live) return background();
    return new Promise((resolve) => {
      const id = this.nextId++;
      let done = false;
      let timer: unknown;
      const finish = (r: { hits: DraftHit[]; via: CheckPath }) => {
        if (done) return;
        done = true;
        this.clearTimer(timer);
        this.waiting.delete(id);
        resolve(r);
      };
      let fellBack = false;
      const fallback = () => {
        if (fellBack) return;
        fellBack = true;
        this.waiting.delete(id);
        void background().then(finish);
      };
      this.waiting.set(id, { resolve: (hits) => finish({ hits, via: 'port' }), fallback });
      // No answer in time: the background's way. The port is closed and opened again later (a
      // port can stay open and silent while the service worker restarts).
      timer = this.setTimer(() => {
        if (done) return;
        if (port === this.port) this.drop(port, true);
        fallback();
      }, this.patienceMs);
      try {
        port.post({
          type: 'draft-check',
          id,
          text,
          ...(conversationId !== undefined ? { conversationId } : {}),
        });
      } catch {
        this.drop(port, false);
      }
    });
  }

  private portNow(): DirectPort | undefined {
    if (this.port) return this.port;
    if (this.now() - this.failedAt < this.retryAfterMs) return undefined;
    let port: DirectPort;
    try {
      port = this.o.connect();
    } catch {
      this.failedAt = this.now();
      return undefined;
    }
    this.port = port;
    this.live = false;
    // Not taken in time: closed, tried later.
    this.setTimer(() => {
      if (port === this.port && !this.live) this.drop(port, true);
    }, this.readyMs);
    port.onMessage((raw) => {
      if (port !== this.port) return;
      const m = parsePresendAnswer(raw);
      if (!m) return;
      if (m.type === 'presend-ready') {
        if (m.ok) this.live = true;
        else this.drop(port, true); // a refused sender: the background decides
        return;
      }
      const w = this.waiting.get(m.id);
      if (!w) return;
      if (m.ok) w.resolve(m.hits ?? []);
      // Refused (the worker failed): the background decides this one.
      else w.fallback();
    });
    // Closed at the other end (the service worker stopped, or refused the sender).
    port.onDisconnect(() => this.drop(port, false));
    return port;
  }

  private drop(port: DirectPort, close: boolean): void {
    if (port !== this.port) return;
    this.port = undefined;
    this.live = false;
    if (close)
      try {
        port.disconnect();
      } catch {
        // Already gone.
      }
    this.failedAt = this.now();
    const pending = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of pending) w.fallback();
  }
}
