/**
 * The draft check on a long-lived port from the console script (issue 6: ≤ 5 ms per keystroke
 * p95). As a one-time `runtime.sendMessage` per keystroke, the content script → service worker
 * hop alone cost more than the rest of the round trip (bench:presend measures both).
 *
 * The console script opens a port named `presend`; the service worker answers on it, first with
 * `presend-ready` (or a refusal with the reason, then it closes the port), then one
 * `draft-checked` per `draft-check`, asking the analysis worker through the offscreen document.
 * No other extension context may listen for connections: a context that takes a port keeps it
 * open when the service worker stops, and the console and side-panel ports would then never see
 * the service worker go away. Until the port is ready, or when it closes or a check is not
 * answered in time, checks go the background's way (`draft-check` by `runtime.sendMessage`).
 * Pure: tested in Node.
 */
import { type SenderInfo, isAllowed, parseMessage, senderKind } from '../messages';
import type { MessageOf } from '../messages';
import type { PortEnds } from './acked-port';
import type { DraftHit } from './presend';

/** The port's name (console script → service worker). */
export const PRESEND_PORT = 'presend';

/** Which way a check was answered (the console script keeps the last one for diagnostics). */
export type CheckPath = 'port' | 'background';

export type DraftChecked = MessageOf<'draft-checked'>;

/** A port's sender: `SenderInfo` with the frame. */
export interface DirectSender extends SenderInfo {
  frameId?: number;
}

/**
 * Why a port from this sender is refused, or undefined when it may ask: the background's own
 * check of a `draft-check` (our extension, a content script in a tab of a web page, a message
 * content scripts may send), and the top frame only, where the console script runs.
 */
export function directSenderRefusal(
  sender: DirectSender,
  self: { extensionId: string; extensionOrigin: string },
): string | undefined {
  const kind = senderKind(sender, self.extensionId, self.extensionOrigin);
  if (kind !== 'content')
    return `draft checks are taken from the console script only, not from a ${kind} sender`;
  if (!isAllowed(kind, 'draft-check')) return 'draft-check is not allowed from the console script';
  if (sender.frameId !== 0) return 'draft checks are taken from the top frame only';
  return undefined;
}

export interface DirectAnswererDeps {
  extensionId: string;
  extensionOrigin: string;
  /** Whether the pre-send check is on (policy and the options page), as the draft relay reads it. */
  presendOn(): Promise<boolean>;
  /** The analysis worker's check of a draft (through the draft link, or the offscreen document). */
  check(text: string, conversationId: string | undefined): Promise<DraftHit[]>;
}

/** The answering side: a refusal for a sender, and the answer to each request. */
export function directAnswerer(deps: DirectAnswererDeps) {
  const refuse = (id: number, reason: string): DraftChecked => ({
    type: 'draft-checked',
    id,
    ok: false,
    via: 'port',
    reason: reason.slice(0, 500),
  });
  return {
    /** Undefined: take this port's requests; otherwise the reason to answer with and close it. */
    refusal: (sender: DirectSender) => directSenderRefusal(sender, deps),
    refuse,
    async answer(raw: unknown): Promise<DraftChecked | undefined> {
      const r = parseMessage(raw);
      const id = (raw as { id?: unknown } | null)?.id;
      if (!r.ok || r.message.type !== 'draft-check' || r.message.id === undefined) {
        // Nothing to answer to without an id: the console script's deadline covers it.
        return typeof id === 'number' && Number.isInteger(id) && id >= 0
          ? refuse(id, r.ok ? 'only draft-check is taken on this port' : r.reason)
          : undefined;
      }
      const { text, conversationId } = r.message;
      const rid = r.message.id;
      // Turned off by policy or the options page: no hits, nothing held (as the background answers).
      if (!(await deps.presendOn().catch(() => true)))
        return { type: 'draft-checked', id: rid, ok: true, via: 'port', hits: [] };
      try {
        const hits = await deps.check(text, conversationId);
        return { type: 'draft-checked', id: rid, ok: true, via: 'port', hits };
      } catch (e) {
        // The worker failed: the background's way is asked at once instead of after the patience.
        return refuse(rid, `the worker's check failed: ${String(e)}`);
      }
    },
  };
}

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
      const r = parseMessage(raw);
      if (!r.ok) return;
      if (r.message.type === 'presend-ready') {
        if (r.message.ok) this.live = true;
        else this.drop(port, true); // a refused sender: the background decides
        return;
      }
      if (r.message.type !== 'draft-checked') return;
      const m = r.message;
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
