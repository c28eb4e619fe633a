/**
 * The outbox: everything bound for the endpoint is written here first, so a killed service
 * worker, a closed lid or hours offline lose nothing. The store is an interface so the extension
 * backs it with IndexedDB and tests and the benchmark with memory.
 */
import type { ConversationMeta, FindingItem, ItemKind, ResolutionEvent } from './protocol';
import { MAX_INGEST_BYTES, MAX_INGEST_ITEMS } from './protocol';

export type OutboxPayload =
  | { kind: 'conversation'; item: ConversationMeta }
  | { kind: 'finding'; item: FindingItem }
  | { kind: 'event'; item: ResolutionEvent };

export interface OutboxEntry {
  /** Unique and ascending in enqueue order (a ULID); the store returns entries sorted by it. */
  key: string;
  payload: OutboxPayload;
  /** Serialized size, so batches stay under the endpoint's body limit without re-measuring. */
  bytes: number;
  enqueuedAt: number;
}

export interface DeadLetter {
  entry: OutboxEntry;
  reason: string;
  at: number;
}

/** What survives a restart besides the queue: shown in the side panel, used by the backoff. */
export interface SyncMeta {
  lastSuccessAt?: number;
  lastError?: string;
  lastErrorAt?: number;
  /** Consecutive failed attempts; drives the backoff delay. */
  failures: number;
  /** Do not try before this time (ms since epoch). */
  nextAttemptAt?: number;
  needsEnrolment?: boolean;
  rejectedTotal: number;
}

export interface OutboxStore {
  /** Add entries atomically (all or none). */
  add(entries: OutboxEntry[]): Promise<void>;
  /** The oldest entries, at most `limit`, in key order. */
  peek(limit: number): Promise<OutboxEntry[]>;
  /** Remove entries by key; unknown keys are ignored (a second flush may race the first). */
  remove(keys: string[]): Promise<void>;
  /** Move entries to the dead-letter list with the server's reason; they are not sent again. */
  reject(items: { key: string; reason: string }[], at: number): Promise<void>;
  count(): Promise<number>;
  getMeta(): Promise<SyncMeta | undefined>;
  setMeta(meta: SyncMeta): Promise<void>;
}

/** In-memory store: for tests, the benchmark and any host without persistent storage. */
export class MemoryOutboxStore implements OutboxStore {
  readonly entries = new Map<string, OutboxEntry>();
  readonly dead: DeadLetter[] = [];
  private meta: SyncMeta | undefined;

  async add(entries: OutboxEntry[]): Promise<void> {
    for (const e of entries) this.entries.set(e.key, e);
  }
  async peek(limit: number): Promise<OutboxEntry[]> {
    // Map keeps insertion order and keys are ascending ULIDs, so no sort is needed.
    const out: OutboxEntry[] = [];
    const it = this.entries.values();
    while (out.length < limit) {
      const next = it.next();
      if (next.done) break;
      out.push(next.value);
    }
    return out;
  }
  async remove(keys: string[]): Promise<void> {
    for (const k of keys) this.entries.delete(k);
  }
  async reject(items: { key: string; reason: string }[], at: number): Promise<void> {
    for (const { key, reason } of items) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      this.entries.delete(key);
      this.dead.push({ entry, reason, at });
    }
  }
  async count(): Promise<number> {
    return this.entries.size;
  }
  async getMeta(): Promise<SyncMeta | undefined> {
    return this.meta;
  }
  async setMeta(meta: SyncMeta): Promise<void> {
    this.meta = { ...meta };
  }
}

export interface BatchLimits {
  maxItems: number;
  maxBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = {
  maxItems: 200,
  maxBytes: Math.floor(MAX_INGEST_BYTES / 2),
};

/** Room for the envelope (`{"conversations":[],...}`) and separators. */
const ENVELOPE_BYTES = 64;

/**
 * Take the longest prefix of `entries` within the limits. Always at least one entry, so an entry
 * larger than the limit is still sent once and the server can refuse it by name.
 */
export function takeBatch(
  entries: readonly OutboxEntry[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): OutboxEntry[] {
  const maxItems = Math.min(limits.maxItems, MAX_INGEST_ITEMS);
  const out: OutboxEntry[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const e of entries) {
    if (out.length >= maxItems) break;
    if (out.length > 0 && bytes + e.bytes + 1 > limits.maxBytes) break;
    out.push(e);
    bytes += e.bytes + 1;
  }
  return out;
}

/** The request body for a batch, plus where each request item came from in the outbox. */
export function buildRequest(batch: readonly OutboxEntry[]): {
  body: { conversations: ConversationMeta[]; findings: FindingItem[]; events: ResolutionEvent[] };
  keyAt: Record<ItemKind, string[]>;
} {
  const body = {
    conversations: [] as ConversationMeta[],
    findings: [] as FindingItem[],
    events: [] as ResolutionEvent[],
  };
  const keyAt: Record<ItemKind, string[]> = { conversation: [], finding: [], event: [] };
  for (const e of batch) {
    const p = e.payload;
    if (p.kind === 'conversation') body.conversations.push(p.item);
    else if (p.kind === 'finding') body.findings.push(p.item);
    else body.events.push(p.item);
    keyAt[p.kind].push(e.key);
  }
  return { body, keyAt };
}
