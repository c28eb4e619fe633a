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

  /**
   * Stores new and edited turns; returns them (a resend of the same text is left out). The reads
   * go out together and the writes after them, in one transaction: awaited one by one they cost
   * the service worker a browser round trip each, for every message (bench:host).
   */
  async putUtterances(us: readonly Utterance[]): Promise<Utterance[]> {
    const db = await this.db;
    const tx = db.transaction('utterances', 'readwrite');
    const stored = await Promise.all(us.map((u) => tx.store.get([u.conversationId, u.seq])));
    // A turn twice in one batch (edited again before it was sent) is compared with its first copy.
    const latest = new Map<string, Utterance>();
    const fresh: Utterance[] = [];
    const writes: Promise<unknown>[] = [];
    us.forEach((u, i) => {
      const key = `${u.conversationId}\u0000${u.seq}`;
      const old = latest.get(key) ?? stored[i];
      latest.set(key, u);
      // Same text again is a resend (content script retry, page reload): nothing to do.
      if (old && old.text === u.text && old.speaker === u.speaker) return;
      writes.push(tx.store.put({ ...u, analysed: 0 }));
      fresh.push(u);
    });
    await Promise.all([...writes, tx.done]);
    return fresh;
  }

  /**
   * Stores analyses and marks their turns analysed; returns, per analysis, the one it replaced.
   * Reads together, then writes, in one transaction (as `putUtterances`).
   */
  async putAnalyses(as: readonly Analysis[]): Promise<(Analysis | undefined)[]> {
    const db = await this.db;
    const tx = db.transaction(['analyses', 'utterances'], 'readwrite');
    const store = tx.objectStore('analyses');
    const us = tx.objectStore('utterances');
    const [stored, rows] = await Promise.all([
      Promise.all(as.map((a) => store.get([a.conversationId, a.seq]))),
      Promise.all(as.map((a) => us.get([a.conversationId, a.seq]))),
    ]);
    // A turn analysed twice in one batch: the second replaced the first.
    const latest = new Map<string, Analysis>();
    const marked = new Set<string>();
    const previous: (Analysis | undefined)[] = [];
    const writes: Promise<unknown>[] = [];
    as.forEach((a, i) => {
      const key = `${a.conversationId}\u0000${a.seq}`;
      previous.push(latest.get(key) ?? stored[i]);
      latest.set(key, a);
      writes.push(store.put(a));
      const u = rows[i];
      if (u && u.analysed !== 1 && !marked.has(key)) {
        marked.add(key);
        writes.push(us.put({ ...u, analysed: 1 }));
      }
    });
    await Promise.all([...writes, tx.done]);
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
