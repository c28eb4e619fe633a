/**
 * Runs sync in the service worker: settings (local, overridden by enterprise policy), enrolment,
 * the IndexedDB outbox and the SyncClient from lib/sync. The service worker may die at any time,
 * so nothing waits on timers alone: an alarm wakes the flush again.
 */
import { browser } from 'wxt/browser';
import type { Analysis } from '@/lib/analysis/types';
import { Cached } from '@/lib/background/cached';
import { conversationMeta, syncItems } from '@/lib/background/sync-items';
import { newId } from '@/lib/ids';
import type { Message, MessageOf } from '@/lib/messages';
import {
  type StoredDevice,
  StoredDevice as StoredDeviceSchema,
  type SyncSettings,
  mergeSettings,
} from '@/lib/sync/config';
import { SyncClient } from '@/lib/sync/client';
import { flushFeedback } from '@/lib/sync/feedback';
import { DeviceCredentials } from '@/lib/sync/protocol';
import { sendsTranscripts, transcriptUpload, uploadTranscript } from '@/lib/sync/transcripts';
import { IdbFeedbackOutbox, IdbOutboxStore } from './outbox-store';
import type { IdbSessionStore } from './session-store';

const SETTINGS_KEY = 'sotto:sync-settings';
const DEVICE_KEY = 'sotto:device';
/** Conversations whose redacted transcript still has to be uploaded (sync mode transcripts-redacted). */
const TRANSCRIPTS_KEY = 'sotto:transcripts-pending';
export const SYNC_ALARM = 'sotto-sync';

type SyncState = MessageOf<'sync-state'>['state'];

export interface SyncServiceDeps {
  session: IdbSessionStore;
  broadcast(msg: Message): void;
  log(level: 'info' | 'warn', msg: string, data?: Record<string, unknown>): void;
  /** Checks the team's documents (rulebook) once enrolled; `force` skips the interval (sync-now, enrolment). */
  checkDocuments?(enrolment: StoredDevice, force: boolean): Promise<unknown>;
}

async function managed(): Promise<unknown> {
  // storage.managed throws where no policy schema or policy exists; that simply means no policy.
  try {
    return await browser.storage.managed.get(null);
  } catch {
    return {};
  }
}

export class SyncService {
  private readonly outbox = new IdbOutboxStore();
  /** Appeals and "this is wrong", queued by the side panel in the same database. */
  private readonly feedback = new IdbFeedbackOutbox();
  private feedbackError: string | undefined;
  private client: SyncClient | undefined;
  private clientEndpoint: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Settings and the stored device, kept until storage says they changed (the options page, a
   * policy update, enrolment): every analysed batch reads them, and each read is a round trip to
   * the browser process.
   */
  private readonly settingsRead = new Cached(async () =>
    mergeSettings((await browser.storage.local.get(SETTINGS_KEY))[SETTINGS_KEY], await managed()),
  );
  private readonly deviceRead = new Cached(
    async () => (await browser.storage.local.get(DEVICE_KEY))[DEVICE_KEY] as unknown,
  );

  constructor(private readonly deps: SyncServiceDeps) {
    browser.storage.onChanged.addListener((changes, area) => {
      if (area === 'managed' || (area === 'local' && SETTINGS_KEY in changes)) this.settingsRead.invalidate();
      if (area === 'local' && DEVICE_KEY in changes) this.deviceRead.invalidate();
    });
  }

  async settings(): Promise<SyncSettings> {
    return { ...(await this.settingsRead.get()) };
  }

  /** The device's enrolment with the configured endpoint, if any. */
  async enrolment(): Promise<StoredDevice | undefined> {
    const endpoint = (await this.settings()).endpoint;
    return endpoint ? this.device(endpoint) : undefined;
  }

  private async device(endpoint: string): Promise<StoredDevice | undefined> {
    const r = StoredDeviceSchema.safeParse(await this.deviceRead.get());
    return r.success && r.data.endpoint === endpoint ? r.data : undefined;
  }

  private async ensureClient(): Promise<{ client: SyncClient; settings: SyncSettings } | undefined> {
    const settings = await this.settings();
    if (!settings.endpoint) return undefined;
    const endpoint = settings.endpoint;
    if (!this.client || this.clientEndpoint !== endpoint) {
      this.clientEndpoint = endpoint;
      this.client = new SyncClient({
        endpoint,
        store: this.outbox,
        fetch: (url, init) => fetch(url, init),
        getToken: async () => (await this.device(endpoint))?.token,
      });
    }
    return { client: this.client, settings };
  }

  /** Exchanges a one-time enrolment code for a device token when there is none for this endpoint. */
  private async enrolIfNeeded(client: SyncClient, settings: SyncSettings): Promise<boolean> {
    if (!settings.endpoint || !settings.enrolmentCode) return false;
    if (await this.device(settings.endpoint)) return false;
    const res = await fetch(`${settings.endpoint.replace(/\/+$/, '')}/v1/devices/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: settings.enrolmentCode, deviceName: settings.deviceName }),
    });
    if (!res.ok) {
      this.deps.log('warn', `enrolment refused: HTTP ${res.status}`, {
        body: (await res.text()).slice(0, 200),
      });
      return false;
    }
    const creds = DeviceCredentials.parse(await res.json());
    await browser.storage.local.set({ [DEVICE_KEY]: { ...creds, endpoint: settings.endpoint } });
    this.deviceRead.invalidate();
    // The code is single-use: keep no copy of it.
    const local = (await browser.storage.local.get(SETTINGS_KEY))[SETTINGS_KEY] as
      | Record<string, unknown>
      | undefined;
    if (local) {
      const { enrolmentCode: _, ...rest } = local;
      await browser.storage.local.set({ [SETTINGS_KEY]: rest });
      this.settingsRead.invalidate();
    }
    await client.enrolled();
    this.deps.log('info', 'device enrolled', { userId: creds.userId, role: creds.role });
    return true;
  }

  /** Queues what may leave the device for the analyses just stored, then flushes. */
  async queue(batch: { analysis: Analysis; previous?: Analysis }[]): Promise<void> {
    const c = await this.ensureClient();
    if (!c) return;
    if (sendsTranscripts(c.settings)) await this.markTranscripts(batch.map((b) => b.analysis.conversationId));
    const device = await this.device(c.settings.endpoint!);
    const { findings, events } = await syncItems({
      analyses: batch,
      utterance: (conv, seq) => this.deps.session.utterance(conv, seq),
      newId,
      now: Date.now(),
      ...(device ? { agentId: device.userId } : {}),
    });
    if (findings.length === 0 && events.length === 0) return;
    const convIds = [...new Set(findings.map((f) => f.finding.conversationId))];
    const conversations = await Promise.all(
      convIds.map(async (id) => {
        const { utterances, analyses } = await this.deps.session.conversation(id);
        return conversationMeta(id, utterances, analyses, device?.userId);
      }),
    );
    await c.client.enqueue({ conversations, findings, events });
    void this.flush();
  }

  /** `force` skips the backoff wait (the user or a test asked for it). */
  async flush(force = false): Promise<void> {
    const c = await this.ensureClient();
    if (c) {
      try {
        const enrolled = await this.enrolIfNeeded(c.client, c.settings);
        const device = await this.device(c.settings.endpoint!);
        // The team's rulebook: checked by ETag, swapped in by the analysis worker when it changed.
        // Not in the way of the findings, unless asked for now (sync-now) or just enrolled.
        const check = device
          ? this.deps
              .checkDocuments?.(device, force || enrolled)
              .catch((e: unknown) => this.deps.log('warn', `document check failed: ${String(e)}`))
          : undefined;
        if (force || enrolled) await check;
        const report = await c.client.flush({ force });
        if (report.retryInMs !== undefined) this.retryIn(report.retryInMs);
        // After the findings, so an appeal never reaches the endpoint before what it appeals.
        if (report.outcome === 'idle') await this.flushFeedback(c.settings.endpoint!);
        if (report.outcome === 'idle' && sendsTranscripts(c.settings))
          await this.flushTranscripts(c.settings.endpoint!);
      } catch (e) {
        this.deps.log('warn', `sync failed: ${String(e)}`);
      }
    }
    await this.publish();
  }

  private async flushFeedback(endpoint: string): Promise<void> {
    const token = (await this.device(endpoint))?.token;
    if (!token) return;
    const r = await flushFeedback({
      store: this.feedback,
      endpoint,
      token,
      fetch: (url, init) => fetch(url, init),
    });
    this.feedbackError = r.error;
    if (r.error) {
      this.deps.log('warn', `feedback sync failed: ${r.error}`);
      this.retryIn(30_000);
    }
  }

  /** Read-modify-write of the pending list, one at a time, so a mark is never lost. */
  private pendingChain: Promise<unknown> = Promise.resolve();
  private editPending(edit: (ids: Set<string>) => void): Promise<void> {
    const next = this.pendingChain.then(async () => {
      const got = (await browser.storage.local.get(TRANSCRIPTS_KEY))[TRANSCRIPTS_KEY] as string[] | undefined;
      const ids = new Set(got ?? []);
      edit(ids);
      await browser.storage.local.set({ [TRANSCRIPTS_KEY]: [...ids] });
    });
    this.pendingChain = next.catch(() => {});
    return next;
  }

  private markTranscripts(ids: readonly string[]): Promise<void> {
    return ids.length === 0
      ? Promise.resolve()
      : this.editPending((s) => {
          for (const id of ids) s.add(id);
        });
  }

  /**
   * Uploads each pending conversation's redacted transcript as it is now. An id leaves the list
   * before its upload, so turns analysed meanwhile mark it again; a failed upload puts it back.
   */
  private async flushTranscripts(endpoint: string): Promise<void> {
    const token = (await this.device(endpoint))?.token;
    if (!token) return;
    let ids: string[] = [];
    await this.editPending((s) => {
      ids = [...s];
      s.clear();
    });
    for (const [i, id] of ids.entries()) {
      try {
        const { utterances, analyses } = await this.deps.session.conversation(id);
        if (utterances.length > 0)
          await uploadTranscript(endpoint, token, transcriptUpload(id, utterances, analyses), (u, init) =>
            fetch(u, init),
          );
      } catch (e) {
        this.deps.log('warn', `transcript sync failed: ${String(e)}`);
        await this.markTranscripts(ids.slice(i));
        this.retryIn(30_000);
        return;
      }
    }
  }

  private retryIn(ms: number): void {
    // A timer for short waits while the worker lives; the alarm in case it does not.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
    browser.alarms.create(`${SYNC_ALARM}-retry`, { when: Date.now() + Math.max(ms, 30_000) });
  }

  async state(): Promise<SyncState> {
    const c = await this.ensureClient();
    if (!c) return { configured: false, queued: 0 };
    const s = await c.client.status();
    const queued = s.queued + (await this.feedback.countQueued().catch(() => 0));
    const state: SyncState = { configured: true, queued };
    if (s.lastSuccessAt !== undefined) state.lastSuccessAt = s.lastSuccessAt;
    // The outbox keeps its last error after a success: show it only while it is the latest news.
    const current = s.lastError !== undefined && (s.lastErrorAt ?? 0) >= (s.lastSuccessAt ?? 0);
    const lastError = (current ? s.lastError : undefined) ?? this.feedbackError;
    if (lastError !== undefined) state.lastError = lastError;
    if (s.needsEnrolment) state.needsEnrolment = true;
    return state;
  }

  async publish(): Promise<void> {
    this.deps.broadcast({ type: 'sync-state', state: await this.state() });
  }
}
