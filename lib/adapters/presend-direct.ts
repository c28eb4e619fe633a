/**
 * The draft check straight from the console script to the offscreen document (issue 6: ≤ 5 ms
 * per keystroke p95). Through the background it crossed one process more (content script →
 * service worker → offscreen document → worker and back, ~3.8 ms of 7.5 ms p95 in bench:presend).
 *
 * The console script opens a long-lived port named `presend`. Every extension context listening
 * for connections gets it; only the offscreen document answers on it, first with `presend-ready`.
 * The background leaves it alone: a `disconnect()` there would close the port for the document
 * too (Chrome closes the whole channel). Until the document has said it is ready — it does not
 * exist yet (no analysis has run), is still loading, or refused the sender — checks go the
 * background's way (`draft-check` by `runtime.sendMessage`, which creates the document), and a
 * port not taken in time is closed and opened again later.
 * A port, not a one-time message: the message is on an open channel, with no channel set up and
 * torn down per keystroke (bench:presend measures both).
 *
 * The offscreen document has only `chrome.runtime`: it cannot read the settings or the policy, so
 * the background hands it the pre-send switch (when the document starts and whenever the settings
 * or the policy change), and it checks the sender as the background does. Pure: tested in Node.
 */
import { type SenderInfo, isAllowed, parseMessage, senderKind } from '../messages';
import type { MessageOf } from '../messages';
import type { PortEnds } from './acked-port';
import type { DraftHit } from './presend';

/** The port's name (content script → offscreen document). */
export const PRESEND_PORT = 'presend';

/** Which way a check was answered (the console script keeps the last one for diagnostics). */
export type CheckPath = 'offscreen' | 'background';

export type DraftChecked = MessageOf<'draft-checked'>;

/** A port's sender as the offscreen document sees it: `SenderInfo` with the frame. */
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
  /**
   * Whether the pre-send check is on, as the background last said; undefined when it could not
   * say (the check then goes the background's way, which reads it itself).
   */
  presendOn(): Promise<boolean | undefined>;
  /** The worker's check of a draft, and how long the worker took. */
  check(text: string, conversationId: string | undefined): Promise<{ hits: DraftHit[]; ms: number }>;
  now?(): number;
}

/** The offscreen document's side: a refusal for a sender, and the answer to each request. */
export function directAnswerer(deps: DirectAnswererDeps) {
  const now = deps.now ?? (() => performance.now());
  const refuse = (id: number, reason: string): DraftChecked => ({
    type: 'draft-checked',
    id,
    ok: false,
    via: 'offscreen',
    reason: reason.slice(0, 500),
  });
  return {
    /** Undefined: take this port's requests; otherwise the reason to answer with and close it. */
    refusal: (sender: DirectSender) => directSenderRefusal(sender, deps),
    refuse,
    async answer(raw: unknown): Promise<DraftChecked | undefined> {
      const t0 = now();
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
      const on = await deps.presendOn().catch(() => undefined);
      if (on === undefined) return refuse(rid, 'the pre-send switch has not come from the background');
      // Turned off by policy or the options page: no hits, nothing held (as the background answers).
      if (!on) return { type: 'draft-checked', id: rid, ok: true, via: 'offscreen', hits: [] };
      let checked: { hits: DraftHit[]; ms: number };
      try {
        checked = await deps.check(text, conversationId);
      } catch (e) {
        // The worker failed: the background's way is asked at once instead of after the patience.
        return refuse(rid, `the worker's check failed: ${String(e)}`);
      }
      const { hits, ms } = checked;
      return {
        type: 'draft-checked',
        id: rid,
        ok: true,
        via: 'offscreen',
        hits,
        timing: { offscreenMs: Math.max(0, now() - t0), workerMs: Math.max(0, ms) },
      };
    },
  };
}

/** The console script's end of the port; `disconnect` closes it for every context. */
export interface DirectPort extends PortEnds<MessageOf<'draft-check'>> {
  disconnect(): void;
}

export interface DirectClientOptions {
  /** Opens the port to the offscreen document (throws when the extension context is gone). */
  connect(): DirectPort;
  /** The background's way (it creates the offscreen document when there is none). */
  viaBackground(text: string, conversationId: string | undefined): Promise<DraftHit[]>;
  /** After the direct way failed, checks go the background's way this long before it is tried again. */
  retryAfterMs?: number;
  /** A direct check unanswered this long is asked the background's way too; the first answer wins. */
  patienceMs?: number;
  /** A port the offscreen document has not taken this long is closed (none there, or loading). */
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
 * The console script's side: each check goes on the open port once the offscreen document has
 * taken it; otherwise (the document does not exist yet, has not taken the port, closed it,
 * refused it, or did not answer in time) the same check goes the background's way. Never rejects.
 */
export class DirectDraftClient {
  private port: DirectPort | undefined;
  /** The offscreen document said `presend-ready` on the current port. */
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
   * Opens the port ahead of the first check (when the console attaches), so the document has
   * taken it by the time the agent types: checks before that go the background's way.
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
      this.waiting.set(id, { resolve: (hits) => finish({ hits, via: 'offscreen' }), fallback });
      // No answer in time: the background's way. The port is closed and opened again later: a
      // document that went away leaves the port open (the background still holds it) and silent.
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
    // No offscreen document took it (the background never answers on it): closed, tried later.
    this.setTimer(() => {
      if (port === this.port && !this.live) this.drop(port, true);
    }, this.readyMs);
    port.onMessage((raw) => {
      if (port !== this.port) return;
      const r = parseMessage(raw);
      if (!r.ok) return;
      if (r.message.type === 'presend-ready') {
        if (r.message.ok) this.live = true;
        else this.drop(port, true); // a sender the document does not take: the background decides
        return;
      }
      if (r.message.type !== 'draft-checked') return;
      const m = r.message;
      const w = this.waiting.get(m.id);
      if (!w) return;
      if (m.ok) w.resolve(m.hits ?? []);
      // Refused (the switch not known yet, the worker failed): the background decides this one.
      else w.fallback();
    });
    // The document closed it (it went away, or refused the sender).
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
