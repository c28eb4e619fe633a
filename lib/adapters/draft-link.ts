/**
 * The draft link: a MessagePort from the service worker straight to the analysis worker, for the
 * pre-send check (issue 6: ≤ 5 ms per keystroke p95). Asking the offscreen document by
 * `runtime.sendMessage` and then the worker through it cost 3.0–4.5 ms p95 of the round trip, of
 * which browser messaging was 2.3–3.3 ms; a port between the two workers answers in about 0.2 ms.
 * The link itself (ids, deadline, a new link asked for when one goes silent) is a
 * `RequestLink` (lib/background/request-link.ts); a check it does not answer, or that the worker
 * refuses (not started yet), goes the old way. Pure: tested in Node with a MessageChannel.
 */
import { type LinkPort, RequestLink, type RequestLinkOptions } from '../background/request-link';
import { parseMessage } from '../messages';
import type { DraftHit } from './presend';

export type { LinkPort };

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

/** The service worker's end: draft checks on the link while it has one. */
export class DraftLink {
  private readonly link: RequestLink<LinkAnswer>;

  constructor(o: Omit<RequestLinkOptions<LinkAnswer>, 'answerOf'>) {
    this.link = new RequestLink<LinkAnswer>({
      ...o,
      answerOf: (m) =>
        m.type === 'link-checked'
          ? { id: m.id, answer: m.ok ? { hits: m.hits ?? [], workerMs: m.workerMs ?? 0 } : undefined }
          : undefined,
    });
  }

  /** Whether a link is held (it may still turn out dead on the next check). */
  get linked(): boolean {
    return this.link.linked;
  }

  /** A new link from the offscreen document: it replaces the one held (which is closed). */
  attach(port: LinkPort): void {
    this.link.attach(port);
  }

  /**
   * Checks a draft on the link. Undefined when there is no link (one is asked for), the worker
   * refused (not started), or no answer came in time (the link is dropped): the caller then asks
   * the other way. Never rejects.
   */
  ask(text: string, conversationId: string | undefined): Promise<LinkAnswer | undefined> {
    return this.link.ask((id) => ({
      type: 'link-check',
      id,
      text,
      ...(conversationId !== undefined ? { conversationId } : {}),
    }));
  }
}
