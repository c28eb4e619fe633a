/**
 * Following the endpoint's document push (`GET /v1/documents/changes`, Server-Sent Events): each
 * (re)connect starts with the team's current version of every published document, then one event
 * per new publication. The caller compares ETags with what it stores and fetches only what
 * changed (`checkDocument`), so a missed event costs nothing but a later catch-up. The connection,
 * backoff and refusal are `followSse`'s (sse.ts); this module only reads `document` events.
 */
import { DocumentChange } from './protocol';
import { type SseEvent, type SseFollowOptions, eventJson, followSse } from './sse';

export interface DocumentChangesOptions extends Omit<SseFollowOptions, 'resume'> {
  /** Called with the changes of one read (the opening snapshot arrives as one call). */
  onChanges: (changes: DocumentChange[]) => void | Promise<void>;
}

/** The document changes among a read's events; malformed ones are skipped. */
export function documentChanges(events: readonly SseEvent[]): DocumentChange[] {
  const changes: DocumentChange[] = [];
  for (const ev of events) {
    if (ev.event !== 'document') continue;
    const parsed = DocumentChange.safeParse(eventJson(ev));
    if (parsed.success) changes.push(parsed.data);
  }
  return changes;
}

/** Follows the stream until `signal` aborts, or until the endpoint refuses the token (401/403). */
export function followDocumentChanges(opts: DocumentChangesOptions): Promise<'aborted' | 'refused'> {
  const { onChanges, ...follow } = opts;
  // Every (re)connect opens with the current versions: no Last-Event-ID needed.
  return followSse(
    '/v1/documents/changes',
    async (events) => {
      const changes = documentChanges(events);
      if (changes.length > 0) await onChanges(changes);
    },
    follow,
  );
}
