/**
 * In-process fan-out of team document publications (rulebook, script library, model manifest) to
 * the enrolled devices following `GET /v1/documents/changes`, so a publish reaches the extension
 * within seconds instead of at its next alarm. Documents are durable rows and each stream starts
 * with the team's current ETags, so a device that missed an event (offline, restarted service
 * worker, another endpoint process) still catches up when it reconnects.
 */
import type { DocumentChange } from '../lib/sync/protocol';

type Listener = (change: DocumentChange) => void;

export class DocumentHub {
  private readonly listeners = new Set<{ teamIds: ReadonlySet<string>; fn: Listener }>();

  subscribe(teamIds: readonly string[], fn: Listener): () => void {
    const entry = { teamIds: new Set(teamIds), fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  publish(change: DocumentChange): void {
    this.listeners.forEach(({ teamIds, fn }) => {
      if (teamIds.has(change.teamId)) fn(change);
    });
  }

  get size(): number {
    return this.listeners.size;
  }
}
