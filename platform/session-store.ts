/**
 * The session registry in IndexedDB: utterances and analyses keyed by (conversationId, seq),
 * attach states keyed by tab. It outlives the service worker; the side panel rebuilds from it.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { Analysis } from '@/lib/analysis/types';
import { expiredConversations } from '@/lib/background/retention';
import type { AttachRecord, SessionStore } from '@/lib/background/router';
import type { Utterance } from '@/lib/utterance';

interface SottoDB extends DBSchema {
  utterances: {
    key: [string, number];
    value: Utterance & { analysed: 0 | 1 };
    indexes: { analysed: number };
  };
  analyses: { key: [string, number]; value: Analysis };
  attach: { key: number; value: AttachRecord };
}

export class IdbSessionStore implements SessionStore {
  private db: Promise<IDBPDatabase<SottoDB>>;

  constructor(name = 'sotto-session') {
    this.db = openDB<SottoDB>(name, 1, {
      upgrade(db) {
        const us = db.createObjectStore('utterances', { keyPath: ['conversationId', 'seq'] });
        us.createIndex('analysed', 'analysed');
        db.createObjectStore('analyses', { keyPath: ['conversationId', 'seq'] });
        db.createObjectStore('attach', { keyPath: 'tabId' });
      },
    });
  }

  async putUtterances(us: readonly Utterance[]): Promise<Utterance[]> {
    const db = await this.db;
    const tx = db.transaction('utterances', 'readwrite');
    const fresh: Utterance[] = [];
    for (const u of us) {
      const old = await tx.store.get([u.conversationId, u.seq]);
      // Same text again is a resend (content script retry, page reload): nothing to do.
      if (old && old.text === u.text && old.speaker === u.speaker) continue;
      await tx.store.put({ ...u, analysed: 0 });
      fresh.push(u);
    }
    await tx.done;
    return fresh;
  }

  async putAnalyses(as: readonly Analysis[]): Promise<(Analysis | undefined)[]> {
    const db = await this.db;
    const tx = db.transaction(['analyses', 'utterances'], 'readwrite');
    const us = tx.objectStore('utterances');
    const previous: (Analysis | undefined)[] = [];
    for (const a of as) {
      previous.push(await tx.objectStore('analyses').get([a.conversationId, a.seq]));
      await tx.objectStore('analyses').put(a);
      const u = await us.get([a.conversationId, a.seq]);
      if (u) await us.put({ ...u, analysed: 1 });
    }
    await tx.done;
    return previous;
  }

  async utterance(conversationId: string, seq: number): Promise<Utterance | undefined> {
    const row = await (await this.db).get('utterances', [conversationId, seq]);
    if (!row) return undefined;
    const { analysed: _, ...u } = row;
    return u;
  }

  /** One conversation's turns and analyses, in seq order. */
  async conversation(conversationId: string): Promise<{ utterances: Utterance[]; analyses: Analysis[] }> {
    const db = await this.db;
    const range = IDBKeyRange.bound([conversationId, 0], [conversationId, Number.MAX_SAFE_INTEGER]);
    const [rows, analyses] = await Promise.all([
      db.getAll('utterances', range),
      db.getAll('analyses', range),
    ]);
    return { utterances: rows.map(({ analysed: _, ...u }) => u), analyses };
  }

  async snapshot(): Promise<{ utterances: Utterance[]; analyses: Analysis[] }> {
    const db = await this.db;
    const [rows, analyses] = await Promise.all([db.getAll('utterances'), db.getAll('analyses')]);
    return { utterances: rows.map(({ analysed: _, ...u }) => u), analyses };
  }

  async unanalysed(): Promise<Utterance[]> {
    const db = await this.db;
    const rows = await db.getAllFromIndex('utterances', 'analysed', 0);
    return rows.map(({ analysed: _, ...u }) => u);
  }

  /**
   * Deletes every conversation whose newest record — a turn, or a finding (a call with no
   * transcript has only call findings) — is older than `cutoff`, turns and analyses together, and
   * returns their ids. One cursor walk per store; run from a daily alarm.
   */
  async purgeBefore(cutoff: number): Promise<string[]> {
    const db = await this.db;
    const newest = new Map<string, number>();
    const seen = (id: string, ts: number) => newest.set(id, Math.max(newest.get(id) ?? 0, ts));
    let cursor = await db.transaction('utterances').store.openCursor();
    while (cursor) {
      seen(cursor.value.conversationId, cursor.value.ts);
      cursor = await cursor.continue();
    }
    let analyses = await db.transaction('analyses').store.openCursor();
    while (analyses) {
      const a = analyses.value;
      seen(a.conversationId, 0);
      for (const f of a.findings ?? []) seen(a.conversationId, f.ts);
      analyses = await analyses.continue();
    }
    const expired = expiredConversations(newest, cutoff);
    if (expired.length === 0) return expired;
    const tx = db.transaction(['utterances', 'analyses'], 'readwrite');
    for (const id of expired) {
      const range = IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
      await tx.objectStore('utterances').delete(range);
      await tx.objectStore('analyses').delete(range);
    }
    await tx.done;
    return expired;
  }

  async putAttach(rec: AttachRecord): Promise<void> {
    await (await this.db).put('attach', rec);
  }

  async attachStates(): Promise<AttachRecord[]> {
    return (await this.db).getAll('attach');
  }
}
