/**
 * The sync outbox in IndexedDB: findings wait here until the endpoint confirms them, so a killed
 * service worker, a closed lid or hours offline lose nothing. Dead letters keep the server's
 * reason for anything it refused.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { DeadLetter, OutboxEntry, OutboxStore, SyncMeta } from '@/lib/sync/outbox';

interface OutboxDB extends DBSchema {
  entries: { key: string; value: OutboxEntry };
  dead: { key: number; value: DeadLetter };
  meta: { key: string; value: SyncMeta };
}

export class IdbOutboxStore implements OutboxStore {
  private readonly db: Promise<IDBPDatabase<OutboxDB>>;

  constructor(name = 'sotto-outbox') {
    this.db = openDB<OutboxDB>(name, 1, {
      upgrade(db) {
        db.createObjectStore('entries', { keyPath: 'key' });
        db.createObjectStore('dead', { autoIncrement: true });
        db.createObjectStore('meta');
      },
    });
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
