/**
 * The enrolled team's documents on the device (issue 9): the service worker's sync cycle checks
 * the team's rulebook with `checkDocument` (If-None-Match, validated by compiling every rulebook,
 * one `storage.local` write), and on a new version tells the offscreen analysis worker to swap
 * its rule set. The offscreen document asks for the stored set when it starts, so a worker
 * created later runs the team's rulebooks from its first turn.
 *
 * The endpoint offers no push for documents (its SSE stream carries lead alerts only), so the
 * check runs on the `sotto-sync` alarm (every minute), right after enrolment, and on sync-now.
 */
import { browser } from 'wxt/browser';
import { rulebooksOf, validateRulebookDocument } from '@/lib/analysis/ruleset';
import type { SwapResult } from '@/lib/analysis/ruleset';
import {
  type CheckResult,
  type DocumentStore,
  type StoredDocument,
  checkDocument,
} from '@/lib/sync/documents';
import type { DocumentKind } from '@/lib/sync/protocol';
import { lastPipeline, rememberPipeline } from './panel-bridge';
import { send } from './runtime';
import type { Message } from '@/lib/messages';

const KEY = 'sotto:team-document:';
/** Between two unforced checks; the alarm fires every minute. */
const MIN_INTERVAL_MS = 50_000;

/** One `storage.local` key per kind: a put replaces the whole version in one write. */
export class LocalDocumentStore implements DocumentStore {
  async get(kind: DocumentKind): Promise<StoredDocument | undefined> {
    return (await browser.storage.local.get(KEY + kind))[KEY + kind] as StoredDocument | undefined;
  }
  async put(doc: StoredDocument): Promise<void> {
    await browser.storage.local.set({ [KEY + doc.kind]: doc });
  }
  async clear(kind: DocumentKind): Promise<void> {
    await browser.storage.local.remove(KEY + kind);
  }
}

export interface TeamDocumentsDeps {
  broadcast(msg: Message): void;
  log(level: 'info' | 'warn', msg: string, data?: Record<string, unknown>): void;
}

export interface Enrolment {
  endpoint: string;
  token: string;
  teamIds: readonly string[];
}

export class TeamDocuments {
  private readonly store = new LocalDocumentStore();
  private lastCheck = 0;
  private running: Promise<CheckResult | undefined> | undefined;

  constructor(private readonly deps: TeamDocumentsDeps) {}

  /**
   * The stored team rulebooks for this enrolment, or undefined (not enrolled, nothing published,
   * or stored for another team): the worker then runs the shipped rulebooks.
   */
  async rulebooks(enrolment: Enrolment | undefined): Promise<unknown[] | undefined> {
    if (!enrolment) return undefined;
    const doc = await this.store.get('rulebook');
    if (!doc || !enrolment.teamIds.includes(doc.teamId)) return undefined;
    return rulebooksOf(doc.body);
  }

  /** Checks the team's rulebook (at most once per interval unless forced) and swaps on a new version. */
  async check(enrolment: Enrolment | undefined, force = false): Promise<CheckResult | undefined> {
    if (!enrolment) return undefined;
    if (!force && Date.now() - this.lastCheck < MIN_INTERVAL_MS) return undefined;
    // One check at a time: the alarm and sync-now can meet.
    this.running ??= this.run(enrolment).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(enrolment: Enrolment): Promise<CheckResult> {
    this.lastCheck = Date.now();
    const before = await this.store.get('rulebook');
    // Stored for another team (the device was enrolled again): start over, do not run it.
    if (before && !enrolment.teamIds.includes(before.teamId)) await this.store.clear('rulebook');
    const r = await checkDocument({
      endpoint: enrolment.endpoint,
      fetch: (url, init) => fetch(url, init),
      token: enrolment.token,
      kind: 'rulebook',
      store: this.store,
      validate: validateRulebookDocument,
    });
    if (r.outcome === 'updated') {
      this.deps.log('info', 'team rulebook updated', { version: r.version, previous: r.previous ?? 0 });
      await this.apply(await this.rulebooks(enrolment));
    } else if (r.outcome === 'invalid') {
      this.deps.log('warn', `team rulebook v${r.version} rejected, previous kept: ${r.reason}`, {
        kept: r.kept ?? 0,
      });
    } else if (r.outcome === 'failed') {
      this.deps.log('warn', `team rulebook check failed: ${r.reason}`);
    }
    return r;
  }

  /**
   * Tells a running offscreen analysis worker to swap (undefined: back to the shipped rulebooks),
   * then updates the status line. With no offscreen document there is nothing to swap: it asks
   * for the stored set when it starts.
   */
  async apply(rulebooks: unknown[] | undefined): Promise<SwapResult | undefined> {
    if (!(await offscreenOpen())) return undefined;
    const reply = await send<({ ok: true } & SwapResult) | { ok: false; reason: string } | undefined>({
      type: 'rulebooks-update',
      target: 'offscreen',
      ...(rulebooks ? { rulebooks } : {}),
    }).catch((e: unknown) => ({ ok: false as const, reason: String(e) }));
    if (!reply?.ok) {
      this.deps.log('warn', `rule swap not delivered: ${reply?.reason ?? 'no answer'}`);
      return undefined;
    }
    for (const e of reply.errors) this.deps.log('warn', `rulebook kept at its previous version: ${e}`);
    const previous = await lastPipeline().catch(() => undefined);
    const status = {
      type: 'pipeline-status' as const,
      models: previous?.models ?? [],
      rulebooks: reply.versions,
      coldStartMs: previous?.coldStartMs ?? 0,
    };
    await rememberPipeline(status);
    this.deps.broadcast(status);
    return reply;
  }
}

async function offscreenOpen(): Promise<boolean> {
  if (!browser.offscreen) return false;
  const contexts = await browser.runtime.getContexts({
    contextTypes: [browser.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [browser.runtime.getURL('/offscreen.html')],
  });
  return contexts.length > 0;
}
