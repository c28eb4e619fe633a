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
import type { DraftHit } from './presend';
import type { DraftChecked } from './presend-client';

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
