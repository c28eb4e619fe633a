/**
 * SyncClient: drains the outbox to the QA endpoint. It owns no timers of its own in `flush()`
 * because an MV3 service worker can be killed at any moment: the host calls `flush()` when woken
 * (alarm, new findings, coming online) and schedules the next wake from `retryInMs`. Long-lived
 * hosts (Node, the benchmark, an offscreen page) can use `run(signal)` instead.
 */
import { newId } from '../ids';
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay, urgentBackoff } from './backoff';
import { type Outcome, classifyNetworkError, classifyResponse } from './classify';
import {
  type BatchLimits,
  DEFAULT_BATCH_LIMITS,
  type OutboxEntry,
  type OutboxPayload,
  type OutboxStore,
  type SyncMeta,
  buildRequest,
  takeBatch,
} from './outbox';
import {
  type ConversationMeta,
  DeviceCredentials,
  type EnrolRequest,
  type FindingItem,
  type ItemKind,
  type ResolutionEvent,
  URGENT_LANE_HEADER,
  URGENT_LANE_VALUE,
} from './protocol';

/** The subset of `fetch` the client uses, so any implementation (or a test server) can be injected. */
export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<FetchResponseLike>;

export interface SyncClientOptions {
  /** Base URL of the QA endpoint, e.g. `https://qa.example.com`. */
  endpoint: string;
  fetch: FetchLike;
  store: OutboxStore;
  /** The device token from enrolment; undefined means not enrolled. */
  getToken: () => string | undefined | Promise<string | undefined>;
  batch?: Partial<BatchLimits>;
  backoff?: BackoffPolicy;
  /** The urgent lane's backoff; by default `backoff` capped at 100 ms base and 1 s (backoff.ts). */
  urgentBackoff?: BackoffPolicy;
  /** Abort a request that hangs (a half-open connection) after this long. */
  requestTimeoutMs?: number;
  now?: () => number;
  random?: () => number;
  newKey?: () => string;
}

export type FlushOutcome = 'idle' | 'retry' | 'reenrol' | 'waiting';

export interface FlushReport {
  outcome: FlushOutcome;
  /** Requests made in this flush. */
  requests: number;
  /** Outbox entries confirmed stored (including duplicates the server already had). */
  accepted: number;
  duplicates: number;
  /** Entries dropped with a recorded reason. */
  rejected: number;
  /** When to call `flush()` again (outcome `retry` or `waiting`). */
  retryInMs?: number;
  lastError?: string;
}

export interface SyncStatus extends SyncMeta {
  queued: number;
}

const INITIAL_META: SyncMeta = { failures: 0, rejectedTotal: 0 };
const URGENT_BATCH = 50;

/** Entries a lead may be waiting for: warnings and worse, and resolutions that cancel them. */
export function isUrgent(p: OutboxPayload): boolean {
  if (p.kind === 'event') return true;
  if (p.kind === 'conversation') return false;
  const s = p.item.finding.severity;
  return s === 'warning' || s === 'critical' || s === 'auto-fail';
}

/** Urgent entries this client remembers for its urgent lane; older ones wait for the bulk flush. */
const URGENT_INDEX_MAX = 1_000;

export class SyncClient {
  private readonly opts: Required<Omit<SyncClientOptions, 'batch' | 'urgentBackoff'>> & {
    batch: BatchLimits;
    urgentBackoff: BackoffPolicy;
  };
  private inFlight: Promise<FlushReport> | undefined;
  private wake: ((urgent: boolean) => void) | undefined;
  private urgentQueued = false;
  /**
   * The urgent lane: urgent entries enqueued by this instance (memory only; after a restart the
   * bulk flush still sends them first), sent in their own request even while a bulk batch is in
   * flight or backing off, with a backoff of their own.
   */
  private readonly urgentIndex = new Map<string, OutboxEntry>();
  private readonly urgentSending = new Set<string>();
  private urgentInFlight: Promise<void> | undefined;
  private urgentFailures = 0;
  private urgentNextAt = 0;

  constructor(options: SyncClientOptions) {
    this.opts = {
      requestTimeoutMs: 30_000,
      backoff: DEFAULT_BACKOFF,
      now: Date.now,
      random: Math.random,
      newKey: () => newId(),
      ...options,
      endpoint: options.endpoint.replace(/\/+$/, ''),
      batch: { ...DEFAULT_BATCH_LIMITS, ...options.batch },
      urgentBackoff: options.urgentBackoff ?? urgentBackoff(options.backoff ?? DEFAULT_BACKOFF),
    };
  }

  /** Queue items for sync. Resolves once they are in the store (durable for a persistent store). */
  async enqueue(items: {
    conversations?: ConversationMeta[];
    findings?: FindingItem[];
    events?: ResolutionEvent[];
  }): Promise<number> {
    const now = this.opts.now();
    const payloads: OutboxPayload[] = [
      ...(items.conversations ?? []).map((item) => ({ kind: 'conversation' as const, item })),
      ...(items.findings ?? []).map((item) => ({ kind: 'finding' as const, item })),
      ...(items.events ?? []).map((item) => ({ kind: 'event' as const, item })),
    ];
    const entries: OutboxEntry[] = payloads.map((payload) => ({
      key: this.opts.newKey(),
      payload,
      bytes: JSON.stringify(payload.item).length * 3, // UTF-8 worst case for CJK text
      enqueuedAt: now,
    }));
    if (entries.length > 0) await this.opts.store.add(entries);
    for (const e of entries) if (isUrgent(e.payload)) this.urgentIndex.set(e.key, e);
    while (this.urgentIndex.size > URGENT_INDEX_MAX) {
      this.urgentIndex.delete(this.urgentIndex.keys().next().value as string);
    }
    const urgent = payloads.some(isUrgent);
    if (urgent) this.urgentQueued = true;
    // While a bulk batch is in flight, urgent entries go in a request of their own.
    if (urgent && this.inFlight) void this.flushUrgent();
    if (entries.length > 0) this.wake?.(urgent);
    return entries.length;
  }

  async status(): Promise<SyncStatus> {
    const meta = (await this.opts.store.getMeta()) ?? INITIAL_META;
    return { ...meta, queued: await this.opts.store.count() };
  }

  /** Call after a new device token is stored: clears the "enrol again" state and the backoff. */
  async enrolled(): Promise<void> {
    const meta = (await this.opts.store.getMeta()) ?? INITIAL_META;
    await this.opts.store.setMeta({ ...meta, needsEnrolment: false, failures: 0, nextAttemptAt: undefined });
    this.wake?.(true);
  }

  /**
   * Send queued entries until the outbox is empty or a failure says to stop. Concurrent calls
   * share one flush, so an alarm and a new finding never send the same batch twice.
   */
  flush(options: { force?: boolean } = {}): Promise<FlushReport> {
    if (this.inFlight) {
      // A bulk batch is on its way: urgent entries do not wait for it.
      void this.flushUrgent();
      return this.inFlight;
    }
    this.inFlight = this.doFlush(options.force ?? false)
      .then((report) => {
        // The bulk lane is backing off (the endpoint may only be shedding bulk load): urgent
        // entries try on their own.
        if (report.outcome === 'waiting' || report.outcome === 'retry') void this.flushUrgent();
        return report;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /**
   * Keep flushing until `signal` aborts (for long-lived hosts). New entries are sent after
   * `lingerMs` so they travel in batches, except urgent ones (warnings and worse, resolution
   * events), which go at once: the lead's alert should not wait for a batch to fill.
   */
  async run(signal: AbortSignal, options: { lingerMs?: number } = {}): Promise<void> {
    const linger = options.lingerMs ?? 0;
    while (!signal.aborted) {
      this.urgentQueued = false;
      const report = await this.flush();
      if (signal.aborted) break;
      let waitMs = report.retryInMs ?? 60_000;
      if (report.outcome === 'idle') {
        const more = (await this.opts.store.count()) > 0;
        waitMs = more ? (this.urgentQueued ? 0 : linger) : 60_000;
        if (waitMs === 0) continue;
      }
      await new Promise<void>((resolve) => {
        let lingerTimer: ReturnType<typeof setTimeout> | undefined;
        const t = setTimeout(done, waitMs);
        function done() {
          clearTimeout(t);
          if (lingerTimer) clearTimeout(lingerTimer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        // Only an idle client wakes on enqueue; a backing-off one waits out its delay, but
        // urgent entries still go at once through the urgent lane.
        this.wake =
          report.outcome === 'idle'
            ? (urgent: boolean) => {
                if (urgent || linger === 0) done();
                else lingerTimer ??= setTimeout(done, linger);
              }
            : (urgent: boolean) => {
                if (urgent) void this.flushUrgent();
              };
        signal.addEventListener('abort', done);
      });
      this.wake = undefined;
    }
  }

  private async doFlush(force: boolean): Promise<FlushReport> {
    const { store, now } = this.opts;
    let meta: SyncMeta = { ...((await store.getMeta()) ?? INITIAL_META) };
    const report: FlushReport = { outcome: 'idle', requests: 0, accepted: 0, duplicates: 0, rejected: 0 };
    if (meta.needsEnrolment && !force) return { ...report, outcome: 'reenrol', lastError: meta.lastError };
    if (!force && meta.nextAttemptAt !== undefined && meta.nextAttemptAt > now()) {
      return { ...report, outcome: 'waiting', retryInMs: meta.nextAttemptAt - now() };
    }
    const token = await this.opts.getToken();
    if (!token) {
      meta = { ...meta, needsEnrolment: true, lastError: 'not enrolled', lastErrorAt: now() };
      await store.setMeta(meta);
      return { ...report, outcome: 'reenrol', lastError: meta.lastError };
    }
    let maxItems = this.opts.batch.maxItems;
    for (;;) {
      // Entries the urgent lane is sending right now are left to it.
      const peeked = (await store.peek(maxItems)).filter((e) => !this.urgentSending.has(e.key));
      // Warnings and resolutions go ahead in a small batch of their own, so a lead's alert does
      // not wait for hundreds of metrics to be validated and written first.
      const urgent = peeked.filter((e) => isUrgent(e.payload));
      // Urgent entries further back than this window (a backlog after an outage) must not wait
      // for the bulk batches ahead of them: the urgent lane sends them alongside.
      if (urgent.length === 0 && this.urgentIndex.size > 0) void this.flushUrgent();
      const source =
        urgent.length > 0 && urgent.length < peeked.length ? urgent.slice(0, URGENT_BATCH) : peeked;
      const batch = takeBatch(source, { ...this.opts.batch, maxItems });
      if (batch.length === 0) break;
      report.requests++;
      const outcome = await this.send(batch, token);
      if (outcome.kind === 'accepted') {
        const { response } = outcome;
        const { keyAt } = buildRequest(batch);
        const rejected: { key: string; reason: string }[] = [];
        const rejectedKeys = new Set<string>();
        for (const r of response.rejected) {
          const key = keyAt[r.kind][r.index];
          if (key !== undefined && !rejectedKeys.has(key)) {
            rejectedKeys.add(key);
            rejected.push({ key, reason: r.reason });
          }
        }
        const acceptedIds: Record<ItemKind, Set<string>> = {
          conversation: new Set(response.accepted.conversations),
          finding: new Set(response.accepted.findings),
          event: new Set(response.accepted.events),
        };
        const done: string[] = [];
        for (const e of batch) {
          if (rejectedKeys.has(e.key)) continue;
          const id = e.payload.kind === 'finding' ? e.payload.item.finding.id : e.payload.item.id;
          if (acceptedIds[e.payload.kind].has(id)) done.push(e.key);
        }
        if (rejected.length > 0) await store.reject(rejected, now());
        await store.remove(done);
        // The endpoint is back after failures: urgent entries still waiting out their backoff
        // go now, ahead of the bulk backlog that follows.
        if (meta.failures > 0 || this.urgentFailures > 0) {
          this.urgentFailures = 0;
          this.urgentNextAt = 0;
          void this.flushUrgent();
        }
        for (const e of batch) this.urgentIndex.delete(e.key);
        report.accepted += done.length;
        report.duplicates += response.duplicates;
        report.rejected += rejected.length;
        meta = {
          ...meta,
          failures: 0,
          nextAttemptAt: undefined,
          needsEnrolment: false,
          lastSuccessAt: now(),
          rejectedTotal: meta.rejectedTotal + rejected.length,
        };
        if (rejected.length > 0) meta = { ...meta, lastError: rejected[0]!.reason, lastErrorAt: now() };
        await store.setMeta(meta);
        // Nothing moved means the server confirmed none of it: stop rather than spin.
        if (done.length + rejected.length === 0) {
          return this.fail(meta, report, { kind: 'retry', reason: 'server confirmed no items' });
        }
        maxItems = this.opts.batch.maxItems;
        continue;
      }
      if (outcome.kind === 'split') {
        if (batch.length === 1) {
          await store.reject([{ key: batch[0]!.key, reason: outcome.reason }], now());
          report.rejected++;
          meta = {
            ...meta,
            rejectedTotal: meta.rejectedTotal + 1,
            lastError: outcome.reason,
            lastErrorAt: now(),
          };
          await store.setMeta(meta);
          maxItems = this.opts.batch.maxItems;
        } else {
          maxItems = Math.ceil(batch.length / 2);
        }
        continue;
      }
      return this.fail(meta, report, outcome);
    }
    report.outcome = 'idle';
    return report;
  }

  /**
   * Send the urgent entries this instance knows about, alongside whatever the bulk flush is
   * doing. Only confirmed entries are removed here; anything else (a rejection, a request refused
   * as a whole, re-enrolment) is left in the outbox for the bulk flush, which keeps the books.
   */
  private flushUrgent(): Promise<void> {
    if (this.urgentInFlight || this.urgentIndex.size === 0) return this.urgentInFlight ?? Promise.resolve();
    this.urgentInFlight = this.doFlushUrgent().finally(() => {
      this.urgentInFlight = undefined;
    });
    return this.urgentInFlight;
  }

  private async doFlushUrgent(): Promise<void> {
    const { store, now } = this.opts;
    while (this.urgentIndex.size > 0 && now() >= this.urgentNextAt) {
      // Claimed before any await, so a bulk flush peeking meanwhile leaves these entries alone.
      const batch = takeBatch(
        [...this.urgentIndex.values()].filter((e) => !this.urgentSending.has(e.key)).slice(0, URGENT_BATCH),
        this.opts.batch,
      );
      if (batch.length === 0) return;
      for (const e of batch) this.urgentSending.add(e.key);
      try {
        const meta = await store.getMeta();
        if (meta?.needsEnrolment) return;
        const token = await this.opts.getToken();
        if (!token) return;
        const outcome = await this.send(batch, token);
        if (outcome.kind === 'retry') {
          // A Retry-After is meant for load (bulk); the urgent lane waits at most its own cap.
          const policy = this.opts.urgentBackoff;
          const delay =
            outcome.retryAfterMs !== undefined
              ? Math.ceil(Math.min(outcome.retryAfterMs, policy.capMs) * (0.5 + this.opts.random() / 2))
              : backoffDelay(this.urgentFailures, policy, this.opts.random);
          this.urgentFailures++;
          this.urgentNextAt = now() + delay;
          // Try again when the delay is over (long-lived hosts); a woken service worker retries
          // on its next flush anyway.
          setTimeout(() => void this.flushUrgent(), delay).unref?.();
          return;
        }
        this.urgentFailures = 0;
        if (outcome.kind !== 'accepted') {
          for (const e of batch) this.urgentIndex.delete(e.key);
          return;
        }
        const { response } = outcome;
        const refused = new Set<string>();
        const { keyAt } = buildRequest(batch);
        for (const r of response.rejected) {
          const key = keyAt[r.kind][r.index];
          if (key !== undefined) refused.add(key);
        }
        const acceptedIds: Record<ItemKind, Set<string>> = {
          conversation: new Set(response.accepted.conversations),
          finding: new Set(response.accepted.findings),
          event: new Set(response.accepted.events),
        };
        const done = batch
          .filter((e) => {
            if (refused.has(e.key)) return false;
            const id = e.payload.kind === 'finding' ? e.payload.item.finding.id : e.payload.item.id;
            return acceptedIds[e.payload.kind].has(id);
          })
          .map((e) => e.key);
        await store.remove(done);
        for (const e of batch) this.urgentIndex.delete(e.key);
      } finally {
        for (const e of batch) this.urgentSending.delete(e.key);
      }
    }
  }

  private async fail(
    meta: SyncMeta,
    report: FlushReport,
    outcome: Exclude<Outcome, { kind: 'accepted' | 'split' }>,
  ) {
    const { now, store } = this.opts;
    if (outcome.kind === 'reenrol') {
      await store.setMeta({ ...meta, needsEnrolment: true, lastError: outcome.reason, lastErrorAt: now() });
      return { ...report, outcome: 'reenrol' as const, lastError: outcome.reason };
    }
    const delay = outcome.retryAfterMs ?? backoffDelay(meta.failures, this.opts.backoff, this.opts.random);
    await store.setMeta({
      ...meta,
      failures: meta.failures + 1,
      nextAttemptAt: now() + delay,
      lastError: outcome.reason,
      lastErrorAt: now(),
    });
    return { ...report, outcome: 'retry' as const, retryInMs: delay, lastError: outcome.reason };
  }

  private async send(batch: OutboxEntry[], token: string): Promise<Outcome> {
    const { body } = buildRequest(batch);
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Error('request timed out')), this.opts.requestTimeoutMs);
    try {
      const res = await this.opts.fetch(`${this.opts.endpoint}/v1/ingest`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          // Batches with warnings or resolutions skip the endpoint's bulk queue.
          ...(batch.some((e) => isUrgent(e.payload)) ? { [URGENT_LANE_HEADER]: URGENT_LANE_VALUE } : {}),
        },
        body: JSON.stringify(body),
        signal: ctl.signal,
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return classifyResponse({ status: res.status, headers: res.headers, body: json }, this.opts.now());
    } catch (err) {
      return classifyNetworkError(err);
    } finally {
      clearTimeout(timer);
    }
  }
}

export class EnrolmentError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function postJson(fetchFn: FetchLike, url: string, body: unknown, token?: string): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetchFn(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status < 200 || res.status >= 300) {
    const reason = (json as { reason?: string; error?: string } | undefined) ?? {};
    throw new EnrolmentError(res.status, reason.reason ?? reason.error ?? `HTTP ${res.status}`);
  }
  return json;
}

/** Exchange a one-time enrolment code for a device token (store it, then call `client.enrolled()`). */
export async function enrolDevice(
  fetchFn: FetchLike,
  endpoint: string,
  request: EnrolRequest,
): Promise<DeviceCredentials> {
  const json = await postJson(fetchFn, `${endpoint.replace(/\/+$/, '')}/v1/devices/enrol`, request);
  return DeviceCredentials.parse(json);
}

/** Swap the device token for a new one; the old one stops working immediately. */
export async function rotateDeviceToken(
  fetchFn: FetchLike,
  endpoint: string,
  token: string,
): Promise<DeviceCredentials> {
  const json = await postJson(fetchFn, `${endpoint.replace(/\/+$/, '')}/v1/devices/rotate`, {}, token);
  return DeviceCredentials.parse(json);
}
