/**
 * The session registry in IndexedDB: utterances and analyses keyed by (conversationId, seq),
 * attach states keyed by tab. It outlives the service worker; the side panel rebuilds from it.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { Analysis } from '@/lib/analysis/types';
import { ASR_SEQ_BASE } from '@/lib/asr/utterances';
import { expiredConversations } from '@/lib/background/retention';
import type { AttachRecord, SessionStore } from '@/lib/background/router';
import type { Utterance } from '@/lib/utterance';

interface SottoDB extends DBSchema {
  utterances: {
    key: [string, number];
    value: Utterance & { analysed: 0 | 1 };
    /** `key`: a keyed turn by (conversationId, message key); turns without a key are not in it. */
    indexes: { analysed: number; key: [string, string] };
  };
  analyses: { key: [string, number]; value: Analysis };
  attach: { key: number; value: AttachRecord };
}

type Row = SottoDB['utterances']['value'];

export class IdbSessionStore implements SessionStore {
  private db: Promise<IDBPDatabase<SottoDB>>;

  constructor(name = 'sotto-session') {
    this.db = openDB<SottoDB>(name, 2, {
      upgrade(db, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          const us = db.createObjectStore('utterances', { keyPath: ['conversationId', 'seq'] });
          us.createIndex('analysed', 'analysed');
          db.createObjectStore('analyses', { keyPath: ['conversationId', 'seq'] });
          db.createObjectStore('attach', { keyPath: 'tabId' });
        }
        // Version 2: turns by their console message key (turns stored before it have none).
        if (oldVersion < 2) tx.objectStore('utterances').createIndex('key', ['conversationId', 'key']);
      },
    });
  }

  /**
   * Stores new and edited turns; returns every turn of the batch at the seq it is stored under,
   * and those that were new or changed (a resend of the same text is left out of `fresh`).
   *
   * A keyed turn (`Utterance.key`) is stored once per message key: seen before, it keeps its
   * stored seq whatever seq the console script gave it; new, it goes after the conversation's
   * last turn when its own seq is taken. The console script numbers turns in page order afresh on
   * each page load, so after a reload a desk that shows only recent history (or a virtualised
   * list) would otherwise write its turns over earlier ones. A turn without a key goes by its seq.
   *
   * The reads go out together and the writes after them, in one transaction: awaited one by one
   * they cost the service worker a browser round trip each, for every message (bench:host).
   * `placed` hears where the turns go once the reads are back, before the writes are committed.
   */
  async putUtterances(
    us: readonly Utterance[],
    placed?: (r: { stored: Utterance[]; fresh: Utterance[] }) => void,
  ): Promise<{ stored: Utterance[]; fresh: Utterance[] }> {
    const db = await this.db;
    const tx = db.transaction('utterances', 'readwrite');
    const byKey = tx.store.index('key');
    const [keyed, atSeq] = await Promise.all([
      Promise.all(us.map((u) => (u.key === undefined ? undefined : byKey.get([u.conversationId, u.key])))),
      Promise.all(us.map((u) => tx.store.get([u.conversationId, u.seq]))),
    ]);
    // A new key over a turn stored without one, with the same text and speaker, is that turn (stored
    // before keys were kept, or when the console showed no key): it gets its key, not a new seq.
    const sameTurn = (u: Utterance, row: Utterance | undefined) =>
      row !== undefined && row.key === undefined && row.text === u.text && row.speaker === u.speaker;
    const isNew = (u: Utterance, i: number) => u.key !== undefined && !keyed[i] && !sameTurn(u, atSeq[i]);
    // The last seq of each conversation that gets a turn with a key not stored yet, among the
    // seqs console scripts hand out (a call's recognised turns are numbered by time above them).
    const last = new Map<string, number>();
    await Promise.all(
      [...new Set(us.flatMap((u, i) => (isNew(u, i) ? [u.conversationId] : [])))].map(async (c) => {
        const range = IDBKeyRange.bound([c, 0], [c, ASR_SEQ_BASE - 1]);
        const cursor = await tx.store.openKeyCursor(range, 'prev');
        last.set(c, cursor ? (cursor.primaryKey as [string, number])[1] : -1);
      }),
    );
    // Each turn's seq in the store, and the stored turn it replaces; a new key twice in one batch
    // gets the seq of its first copy.
    const batchKeys = new Map<string, number>();
    const stored: (Utterance | undefined)[] = [];
    const at = us.map((u, i): Utterance => {
      stored[i] = keyed[i] ?? atSeq[i];
      if (!isNew(u, i)) return keyed[i] && keyed[i].seq !== u.seq ? { ...u, seq: keyed[i].seq } : u;
      const k = `${u.conversationId}\u0000${u.key}`;
      let seq = batchKeys.get(k);
      if (seq === undefined) {
        const after = last.get(u.conversationId) ?? -1;
        seq = u.seq > after ? u.seq : after + 1;
        last.set(u.conversationId, seq);
        batchKeys.set(k, seq);
      }
      stored[i] = undefined;
      return seq === u.seq ? u : { ...u, seq };
    });
    // A turn twice in one batch (edited again before it was sent) is compared with its first copy.
    const latest = new Map<string, Utterance>();
    const fresh: Utterance[] = [];
    const writes: Promise<unknown>[] = [];
    at.forEach((u, i) => {
      const key = `${u.conversationId}\u0000${u.seq}`;
      const old = latest.get(key) ?? stored[i];
      latest.set(key, u);
      // Same text again is a resend (content script retry, page reload): nothing to do, unless
      // the stored turn has no key yet (it keeps its analysis).
      if (old && old.text === u.text && old.speaker === u.speaker) {
        if (u.key !== undefined && old.key === undefined)
          writes.push(tx.store.put({ ...(old as Row), key: u.key }));
        return;
      }
      writes.push(tx.store.put({ ...u, analysed: 0 }));
      fresh.push(u);
    });
    placed?.({ stored: at, fresh });
    await Promise.all([...writes, tx.done]);
    return { stored: at, fresh };
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
