/** What every route and background job of one running endpoint shares. */
import type { Kysely } from 'kysely';
import type { DbKind } from './db/connect';
import type { DocumentHub } from './documents-hub';
import type { DB } from './db/types';
import type { TeamSettings } from './alerts/policy';
import type { Logger } from './log';
import type { IngestGate } from './ingest-gate';
import type { RateLimiter } from './ratelimit';

export interface ServerLimits {
  /** Largest request body in bytes (ingest batches included). */
  maxBodyBytes: number;
  /** Ingest requests per second per device, and the burst allowed. */
  ingestPerSecond: number;
  ingestBurst: number;
  /** Sign-in attempts per minute per address and email. */
  loginPerMinute: number;
  /** Pushed alerts per minute per lead before further ones arrive without a notification. */
  leadAlertsPerMinute: number;
  /** Bulk ingest batches (no alert-worthy items) written at once, and how many may wait (ingest-gate.ts). */
  bulkIngestConcurrency: number;
  bulkIngestQueue: number;
  /** How long a bulk batch may wait for its turn before it is sent back with 503 + Retry-After. */
  bulkIngestMaxWaitMs: number;
  /** An ingest body that stops arriving for this long is abandoned with 408. */
  bodyIdleMs: number;
}

export interface WebhookPolicy {
  maxAttempts: number;
  baseMs: number;
  capMs: number;
  timeoutMs: number;
}

export interface ServerContext {
  db: Kysely<DB>;
  /** For requests carrying alert-worthy findings (server/db/priority.ts). */
  urgentDb: Kysely<DB>;
  dbKind: DbKind;
  log: Logger;
  now: () => number;
  /** Base URL used in links (evidence links in webhooks). */
  publicUrl: () => string;
  limits: ServerLimits;
  webhooks: WebhookPolicy;
  cookieSecure: boolean;
  sessionTtlMs: number;
  ingestLimiter: RateLimiter;
  /** Admission of bulk ingest batches; urgent ones skip it. */
  ingestGate: IngestGate;
  loginLimiter: RateLimiter;
  /** Drop cached device principals (after revoke/rotate). */
  invalidateAuth(): void;
  /**
   * Team alert settings, cached for a few seconds: ingest reads them on every request. Changes
   * through this process take effect at once; other processes pick them up within the TTL.
   */
  settingsCache: Map<string, { settings: TeamSettings; at: number }>;
  /** Tells devices following `/v1/documents/changes` that a team document was published. */
  documentChanges: DocumentHub;
}
