/** What every route and background job of one running endpoint shares. */
import type { Kysely } from 'kysely';
import type { DbKind } from './db/connect';
import type { DB } from './db/types';
import type { TeamSettings } from './alerts/policy';
import type { Logger } from './log';
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
  loginLimiter: RateLimiter;
  /** Drop cached device principals (after revoke/rotate). */
  invalidateAuth(): void;
  /**
   * Team alert settings, cached for a few seconds: ingest reads them on every request. Changes
   * through this process take effect at once; other processes pick them up within the TTL.
   */
  settingsCache: Map<string, { settings: TeamSettings; at: number }>;
}
