/**
 * The background's routing logic, free of browser APIs so it is tested in Node. The service
 * worker can be stopped at any moment: every utterance and analysis is written to the store
 * before it is forwarded, and nothing is kept only in memory.
 */
import type { DraftHit } from '../adapters/presend';
import { memoryOverrideStore, type OverrideStore, StoredSentAnyway } from '../adapters/presend-override';
import type { CallControl } from '../audio/call-control';
import { callFindingAnalysis } from '../audio/call-findings';
import type { Analysis } from '../analysis/types';
import {
  MAX_BATCH,
  type Message,
  type MessageOf,
  type SenderInfo,
  isAllowed,
  parseMessage,
  senderKind,
} from '../messages';
import type { Utterance } from '../utterance';

export type AttachRecord = MessageOf<'attach-changed'>['state'];

export interface SessionStore {
  /**
   * Stores new and edited turns: every turn of the batch at the seq it is stored under (a keyed
   * turn keeps the seq its message key first got, see `Utterance.key`), and those new or changed.
   */
  putUtterances(
    us: readonly Utterance[],
    /** Told where the turns go as soon as that is known, before they are written (optional for a store). */
    placed?: (r: { stored: Utterance[]; fresh: Utterance[] }) => void,
  ): Promise<{ stored: Utterance[]; fresh: Utterance[] }>;
  /** Stores analyses; returns, per analysis, the one it replaced (an edited turn), if any. */
  putAnalyses(as: readonly Analysis[]): Promise<(Analysis | undefined)[]>;
  snapshot(): Promise<{ utterances: Utterance[]; analyses: Analysis[] }>;
  putAttach(rec: AttachRecord): Promise<void>;
  attachStates(): Promise<AttachRecord[]>;
  /** Utterances stored but not analysed yet (the worker was busy when the service worker died). */
  unanalysed(): Promise<Utterance[]>;
}

export interface RouterDeps {
  store: SessionStore;
  /** Sends utterances to the offscreen document, creating it if needed. */
  analyse(us: readonly Utterance[]): Promise<void>;
  /** Pushes a message to every connected side panel. */
  broadcast(msg: Message): void;
  log(level: 'info' | 'warn', msg: string, data?: Record<string, unknown>): void;
  extensionId: string;
  extensionOrigin: string;
  /** Forwards a message to the content script of a tab and returns its answer (hint insertion). */
  sendToTab?(tabId: number, msg: Message): Promise<unknown>;
  /** Keeps what the analysis side runs, so a side panel opened later still shows it. */
  rememberPipeline?(status: MessageOf<'pipeline-status'>): Promise<void>;
  /** Runs the pre-send check on a draft in the analysis worker. */
  checkDraft?(text: string, conversationId: string | undefined): Promise<DraftHit[]>;
  /** Starts and stops monitoring a call's audio (softphone consoles). */
  calls?: CallControl;
  /** Queues what may leave the device (redacted findings, resolutions) for the QA endpoint. */
  sync?(batch: { analysis: Analysis; previous?: Analysis }[]): Promise<void>;
  /** Flushes the sync outbox now and reports the sync state. */
  syncNow?(): Promise<void>;
  /** Keeps "send anyway" overrides waiting for their turn across service-worker restarts. */
  overrides?: OverrideStore;
  /** The enrolled team's published rulebooks, if any (the offscreen document asks when it starts). */
  teamRulebooks?(): Promise<unknown[] | undefined>;
  /** The enrolled team's model manifest, if any (the offscreen document asks when it starts). */
  teamModels?(): Promise<unknown | undefined>;
  /**
   * The document push as the offscreen document follows it: what to follow it with, and the
   * changes it forwards (their message is what wakes a stopped service worker).
   */
  documentPush?: {
    config(): Promise<{ endpoint: string; token: string } | undefined>;
    changed(changes: MessageOf<'documents-changed'>['changes']): Promise<void>;
  };
}

export type RouteResult = { ok: true; reply?: unknown } | { ok: false; reason: string };

export class Router {
  /** Sent-anyway findings waiting for the agent turn their draft becomes (then synced). */
  private readonly sentAnyway: StoredSentAnyway;

  constructor(private readonly deps: RouterDeps) {
    this.sentAnyway = new StoredSentAnyway(deps.overrides ?? memoryOverrideStore());
  }

  /** Entry point for every runtime message. Validates, checks the sender, then routes. */
  async handle(raw: unknown, sender: SenderInfo): Promise<RouteResult> {
    const parsed = parseMessage(raw);
    if (!parsed.ok) return this.reject(`malformed message: ${parsed.reason}`, sender);
    const msg = parsed.message;
    const kind = senderKind(sender, this.deps.extensionId, this.deps.extensionOrigin);
    if (!isAllowed(kind, msg.type))
      return this.reject(`message '${msg.type}' not allowed from ${kind} sender`, sender);
    switch (msg.type) {
      case 'utterances':
        return this.onUtterances(msg.utterances);
      case 'attach-state': {
        if (sender.tabId === undefined) return this.reject('attach-state without a tab', sender);
        const state = { ...msg.state, tabId: sender.tabId };
        await this.deps.store.putAttach(state);
        this.deps.broadcast({ type: 'attach-changed', state });
        return { ok: true };
      }
      case 'analyses': {
        const previous = await this.deps.store.putAnalyses(msg.analyses);
        for (const analysis of msg.analyses) this.deps.broadcast({ type: 'analysis-added', analysis });
        // Sync trouble must never cost the panel its analyses: it is logged and retried later.
        await this.deps
          .sync?.(
            msg.analyses.map((analysis, i) => ({
              analysis,
              ...(previous[i] ? { previous: previous[i] } : {}),
            })),
          )
          .catch((e: unknown) => this.deps.log('warn', `sync queue failed: ${String(e)}`));
        return { ok: true };
      }
      case 'offscreen-ready':
        this.deps.log('info', 'analysis ready', { coldStartMs: msg.coldStartMs, models: msg.models });
        for (const e of msg.errors ?? []) this.deps.log('warn', `analysis setup: ${e}`);
        {
          const status: MessageOf<'pipeline-status'> = {
            type: 'pipeline-status',
            models: msg.models,
            rulebooks: msg.rulebooks ?? [],
            coldStartMs: msg.coldStartMs,
          };
          await this.deps.rememberPipeline?.(status);
          this.deps.broadcast(status);
        }
        await this.resume();
        return { ok: true };
      case 'insert-hint': {
        if (!this.deps.sendToTab) return this.reject('hint insertion is not available here', sender);
        try {
          const reply = await this.deps.sendToTab(msg.tabId, msg);
          return { ok: true, reply };
        } catch (e) {
          // The tab was closed or has no content script (not a console page): the panel copies instead.
          return { ok: false, reason: `the console tab did not answer: ${String(e)}` };
        }
      }
      case 'draft-check': {
        // No worker (yet): an empty answer, so typing is never held up by the check.
        if (!this.deps.checkDraft) return { ok: true, reply: { hits: [] } };
        const hits = await this.deps.checkDraft(msg.text, msg.conversationId);
        return { ok: true, reply: { hits } };
      }
      case 'presend-override':
        // A send despite a warning is a finding in its own right: kept in the log and shown live.
        this.deps.log('warn', 'sent despite a pre-send warning', {
          conversationId: msg.finding.conversationId,
          rules: msg.hits.map((h) => h.ruleId),
          tabId: sender.tabId ?? -1,
        });
        this.deps.broadcast({ type: 'presend-finding', finding: msg.finding });
        // To the QA endpoint once the sent turn is stored (its evidence is redacted from it).
        await this.sentAnyway.add(msg.finding, msg.draft ?? '', Date.now());
        await this.syncSentAnyway([]);
        return { ok: true };
      case 'call-start': {
        // A reason code (lib/audio/call-reasons) the side panel translates.
        if (!this.deps.calls) return this.reject('notAvailable', sender);
        // Audio and captions of one call share the console's conversation id when it has one.
        const attach = (await this.deps.store.attachStates()).find((a) => a.tabId === msg.tabId);
        const r = await this.deps.calls.start(msg.tabId, attach?.activeConversationId, msg.mic);
        return r.ok ? { ok: true, reply: r } : { ok: false, reason: r.reason };
      }
      case 'call-stop':
        await this.deps.calls?.stop(msg.tabId);
        return { ok: true };
      case 'call-state':
      case 'call-event':
        this.deps.broadcast(msg);
        return { ok: true };
      case 'call-finding': {
        this.deps.log('info', 'call finding', {
          conversationId: msg.finding.conversationId,
          rule: msg.finding.ruleId ?? '',
        });
        // Not tied to a turn: the panel keeps it beside the turn findings, as it does pre-send ones.
        this.deps.broadcast({ type: 'presend-finding', finding: msg.finding });
        // Kept with its conversation (a slot of its own, see call-findings) and synced like the
        // chat findings: metrics only, no audio and no words.
        const analysis = callFindingAnalysis(msg.finding);
        const [previous] = await this.deps.store.putAnalyses([analysis]);
        await this.deps
          .sync?.([{ analysis, ...(previous ? { previous } : {}) }])
          .catch((e: unknown) => this.deps.log('warn', `sync queue failed: ${String(e)}`));
        return { ok: true };
      }
      case 'asr-utterances':
        return this.onUtterances(msg.utterances);
      case 'sync-now':
        await this.deps.syncNow?.();
        return { ok: true };
      case 'team-rulebooks': {
        const rulebooks = await this.deps.teamRulebooks?.().catch((e: unknown) => {
          this.deps.log('warn', `team rulebooks unavailable: ${String(e)}`);
          return undefined;
        });
        return { ok: true, reply: rulebooks ? { rulebooks } : {} };
      }
      case 'team-models': {
        const manifest = await this.deps.teamModels?.().catch((e: unknown) => {
          this.deps.log('warn', `team model manifest unavailable: ${String(e)}`);
          return undefined;
        });
        return { ok: true, reply: manifest === undefined ? {} : { manifest } };
      }
      case 'document-push-config': {
        // The device token goes to the offscreen document only, not to any extension page.
        if (!this.fromOffscreen(sender))
          return this.reject('document-push-config is for the offscreen document', sender);
        return { ok: true, reply: (await this.deps.documentPush?.config()) ?? {} };
      }
      case 'documents-changed':
        if (!this.fromOffscreen(sender))
          return this.reject('documents-changed is for the offscreen document', sender);
        await this.deps.documentPush?.changed(msg.changes);
        return { ok: true };
      case 'ping':
        return { ok: true, reply: { type: 'pong' } };
      default:
        return this.reject(`message '${msg.type}' is not for the background`, sender);
    }
  }

  /** Re-sends whatever was stored but never analysed; called when the service worker starts. */
  async resume(): Promise<number> {
    const pending = await this.deps.store.unanalysed();
    // In batches the offscreen document accepts ('analyse' holds at most MAX_BATCH turns): one
    // message with every pending turn was refused whole, and those turns were never analysed.
    for (let i = 0; i < pending.length; i += MAX_BATCH)
      await this.deps.analyse(pending.slice(i, i + MAX_BATCH));
    return pending.length;
  }

  async snapshot(): Promise<MessageOf<'snapshot'>> {
    const [{ utterances, analyses }, attach] = await Promise.all([
      this.deps.store.snapshot(),
      this.deps.store.attachStates(),
    ]);
    return { type: 'snapshot', utterances, analyses, attach };
  }

  private async onUtterances(us: readonly Utterance[]): Promise<RouteResult> {
    // The store says where each turn is (a keyed turn keeps its first seq across page loads) and
    // which are new or changed, so a resent batch (after a restart) is not analysed twice. The
    // side panel keys turns by (conversationId, seq): it is shown the turns as stored.
    // Shown as soon as the store knows where they go, before the writes are committed: the panel
    // is the latency path (bench:latency), and a commit is a disk write.
    let shown = false;
    const show = (fresh: readonly Utterance[]) => {
      if (shown) return;
      shown = true;
      for (const utterance of fresh) this.deps.broadcast({ type: 'utterance-added', utterance });
    };
    const { stored, fresh } = await this.deps.store.putUtterances(us, (r) => show(r.fresh));
    show(fresh);
    await this.syncSentAnyway(stored);
    if (fresh.length > 0) await this.deps.analyse(fresh);
    return { ok: true, reply: { accepted: us.length, fresh: fresh.length } };
  }

  /** Queues the sent-anyway findings whose turn is among `us` (or that waited too long). */
  private async syncSentAnyway(us: readonly Utterance[]): Promise<void> {
    if (!this.deps.sync) return;
    const due = await this.sentAnyway.take(us, Date.now());
    if (due.length === 0) return;
    const batch = due.map((f) => ({
      analysis: {
        conversationId: f.conversationId,
        seq: f.evidence[0]?.seq ?? 0,
        findings: [f],
        workerMs: 0,
      },
    }));
    await this.deps
      .sync(batch)
      .catch((e: unknown) => this.deps.log('warn', `sync queue failed: ${String(e)}`));
  }

  private fromOffscreen(sender: SenderInfo): boolean {
    return (sender.url ?? '').split(/[?#]/)[0] === `${this.deps.extensionOrigin}/offscreen.html`;
  }

  private reject(reason: string, sender: SenderInfo): RouteResult {
    this.deps.log('warn', `rejected: ${reason}`, { from: sender.url ?? sender.id ?? 'unknown' });
    return { ok: false, reason };
  }
}
