/**
 * `--upload`: sends findings and conversation metadata to the QA endpoint through the same
 * SyncClient and ingest contract as the extension. Finding ids are stable (stable-id.ts), so a
 * second run or a resumed run never duplicates anything on the endpoint.
 */
import type { UploadRecord } from '../outputs';
import { type FetchLike, MemoryOutboxStore, SyncClient } from '../../sync';

/** Entries held for sending before the runner waits for the endpoint; bounds memory. */
const HIGH_WATER = 1000;
const GIVE_UP_AFTER_FAILURES = 6;

export interface UploadSummary {
  accepted: number;
  duplicates: number;
  rejected: number;
  pending: number;
  lastError?: string;
  failed: boolean;
}

export class Uploader {
  private readonly store = new MemoryOutboxStore();
  private readonly client: SyncClient;
  private readonly s: UploadSummary = { accepted: 0, duplicates: 0, rejected: 0, pending: 0, failed: false };
  private failures = 0;

  constructor(
    endpoint: string,
    token: string,
    fetchFn: FetchLike = globalThis.fetch as unknown as FetchLike,
  ) {
    this.client = new SyncClient({ endpoint, fetch: fetchFn, store: this.store, getToken: () => token });
  }

  async add(records: readonly UploadRecord[]): Promise<void> {
    if (this.s.failed || records.length === 0) return;
    await this.client.enqueue({
      conversations: records.map((r) => r.conversation),
      findings: records.flatMap((r) => r.findings.map((finding) => ({ finding }))),
    });
    if ((await this.store.count()) >= HIGH_WATER) await this.drain(false);
  }

  /** Sends what is queued; at the end (`final`) keeps retrying with backoff before giving up. */
  async drain(final: boolean): Promise<void> {
    while (!this.s.failed && (await this.store.count()) > 0) {
      const r = await this.client.flush({ force: true });
      this.s.accepted += r.accepted;
      this.s.duplicates += r.duplicates;
      this.s.rejected += r.rejected;
      if (r.outcome === 'idle') {
        this.failures = 0;
        continue;
      }
      if (r.lastError) this.s.lastError = r.lastError;
      if (r.outcome === 'reenrol' || ++this.failures >= GIVE_UP_AFTER_FAILURES) {
        this.s.failed = true;
        break;
      }
      if (!final && (await this.store.count()) < HIGH_WATER * 4) return; // try again with the next batch
      await new Promise((res) => setTimeout(res, Math.min(30_000, r.retryInMs ?? 1000)));
    }
  }

  async summary(): Promise<UploadSummary> {
    return { ...this.s, pending: await this.store.count() };
  }
}
