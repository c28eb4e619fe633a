/**
 * The sync outbox in IndexedDB: findings wait here until the endpoint confirms them, so a killed
 * service worker, a closed lid or hours offline lose nothing. Dead letters keep the server's
 * reason for anything it refused.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { FeedbackEntry, FeedbackItem, FeedbackOutboxStore } from '@/lib/sync/feedback';
import type { DeadLetter, OutboxEntry, OutboxStore, SyncMeta } from '@/lib/sync/outbox';

interface OutboxDB extends DBSchema {
  entries: { key: string; value: OutboxEntry };
  dead: { key: number; value: DeadLetter };
  meta: { key: string; value: SyncMeta };
  /** Agent feedback for /v1/qa/feedback (version 2), written by the side panel. */
  feedback: { key: string; value: FeedbackEntry; indexes: { state: string } };
}

/** One database for everything bound for the endpoint; the panel and service worker share it. */
function openOutboxDb(name: string): Promise<IDBPDatabase<OutboxDB>> {
  return openDB<OutboxDB>(name, 2, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('entries', { keyPath: 'key' });
        db.createObjectStore('dead', { autoIncrement: true });
        db.createObjectStore('meta');
      }
      if (oldVersion < 2) db.createObjectStore('feedback', { keyPath: 'id' }).createIndex('state', 'state');
    },
  });
}

export class IdbOutboxStore implements OutboxStore {
  private readonly db: Promise<IDBPDatabase<OutboxDB>>;

  constructor(name = 'sotto-outbox') {
    this.db = openOutboxDb(name);
  }

  async add(entries: OutboxEntry[]): Promise<void> {
    const tx = (await this.db).transaction('entries', 'readwrite');
    await Promise.all([...entries.map((e) => tx.store.put(e)), tx.done]);
  }

  async peek(limit: number): Promise<OutboxEntry[]> {
    // Keys are ULIDs, so key order is enqueue order.
    return (await this.db).getAll('entries', undefined, limit);
  }

  async remove(keys: string[]): Promise<void> {
    const tx = (await this.db).transaction('entries', 'readwrite');
    await Promise.all([...keys.map((k) => tx.store.delete(k)), tx.done]);
  }

  async reject(items: { key: string; reason: string }[], at: number): Promise<void> {
    const tx = (await this.db).transaction(['entries', 'dead'], 'readwrite');
    for (const { key, reason } of items) {
      const entry = await tx.objectStore('entries').get(key);
      if (!entry) continue;
      await tx.objectStore('dead').add({ entry, reason, at });
      await tx.objectStore('entries').delete(key);
    }
    await tx.done;
  }

  async count(): Promise<number> {
    return (await this.db).count('entries');
  }

  async getMeta(): Promise<SyncMeta | undefined> {
    return (await this.db).get('meta', 'sync');
  }

  async setMeta(meta: SyncMeta): Promise<void> {
    await (await this.db).put('meta', meta, 'sync');
  }
}

/** Feedback entries in the same database; ids are ULIDs, so id order is the order given. */
export class IdbFeedbackOutbox implements FeedbackOutboxStore {
  private readonly db: Promise<IDBPDatabase<OutboxDB>>;

  constructor(name = 'sotto-outbox') {
    this.db = openOutboxDb(name);
  }

  async add(items: FeedbackItem[], at: number): Promise<void> {
    const tx = (await this.db).transaction('feedback', 'readwrite');
    for (const item of items)
      if (!(await tx.store.getKey(item.id))) await tx.store.put({ id: item.id, item, state: 'queued', at });
    await tx.done;
  }

  async queued(limit: number): Promise<FeedbackEntry[]> {
    return (await this.db).getAllFromIndex('feedback', 'state', 'queued', limit);
  }

  async put(entries: FeedbackEntry[]): Promise<void> {
    const tx = (await this.db).transaction('feedback', 'readwrite');
    await Promise.all([...entries.map((e) => tx.store.put(e)), tx.done]);
  }

  async get(ids: readonly string[]): Promise<FeedbackEntry[]> {
    const db = await this.db;
    const got = await Promise.all(ids.map((id) => db.get('feedback', id)));
    return got.filter((e): e is FeedbackEntry => e !== undefined);
  }

  async countQueued(): Promise<number> {
    return (await this.db).countFromIndex('feedback', 'state', 'queued');
  }
}
