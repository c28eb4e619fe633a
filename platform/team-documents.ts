/**
 * The enrolled team's documents on the device (issue 9): rulebook, script library and model
 * manifest. Each is checked with `checkDocument` (If-None-Match, validated, one `storage.local`
 * write per version, so the previous version stays when a new one is invalid):
 * - rulebook: every rulebook must compile; a new version is swapped into the offscreen analysis
 *   worker, and the offscreen document asks for the stored set when it starts;
 * - scripts: must parse as a ScriptLibrary; the side panel merges it over the shipped library
 *   (`teamScriptLibrary`, `onTeamScriptsChanged`) and shows its hints at once;
 * - models: must parse as a ModelManifest naming only model files shipped with the extension; a
 *   new version is swapped into the offscreen analysis worker (which re-boots its models from it
 *   and keeps the previous ones if that fails), and the offscreen document asks for it when it starts.
 *
 * The endpoint pushes publications (`/v1/documents/changes`). The service worker follows it while
 * it lives (`follow()`), and hands the device token to the offscreen document, which follows it
 * too and forwards each event as a `documents-changed` message: that message wakes a stopped
 * service worker, which then checks what changed (`pushed()`). Both feeds go through one queue and
 * compare ETags with what is stored, so an event seen twice is checked once. The `sotto-sync`
 * alarm (every minute), enrolment and sync-now check too, as a catch-up.
 */
import { browser } from 'wxt/browser';
import { rulebooksOf, validateRulebookDocument } from '@/lib/analysis/ruleset';
import type { SwapResult } from '@/lib/analysis/ruleset';
import { ModelManifest } from '@/lib/models/manifest';
import { ScriptLibrary } from '@/lib/scripts/schema';
import { followDocumentChanges } from '@/lib/sync/document-changes';
import {
  type CheckResult,
  type DocumentStore,
  type DocumentValidator,
  type StoredDocument,
  checkDocument,
  modelsValidator,
  validateScriptsDocument,
} from '@/lib/sync/documents';
import { DOCUMENT_KINDS, type DocumentChange, type DocumentKind } from '@/lib/sync/protocol';
import { lastPipeline, rememberPipeline } from './panel-bridge';
import { extensionUrl, send } from './runtime';
import { OFFSCREEN_PATH } from './offscreen';
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

const NAMES: Record<DocumentKind, string> = {
  rulebook: 'team rulebook',
  scripts: 'team script library',
  models: 'team model manifest',
};

/** The shipped model manifest, which a team manifest may only choose from. */
async function shippedModels(): Promise<ModelManifest | undefined> {
  try {
    const res = await fetch(extensionUrl('/models/manifest.json'));
    const r = ModelManifest.safeParse(await res.json());
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** The team's script library the side panel merges over the shipped one, if one is stored. */
export async function teamScriptLibrary(): Promise<ScriptLibrary | undefined> {
  const doc = (await browser.storage.local.get(KEY + 'scripts'))[KEY + 'scripts'] as
    | StoredDocument
    | undefined;
  if (!doc) return undefined;
  // Stored only after validation; parsed again for the defaults the schema fills in.
  const r = ScriptLibrary.safeParse(doc.body);
  return r.success ? r.data : undefined;
}

/** Calls `fn` whenever the stored team script library is replaced or removed. */
export function onTeamScriptsChanged(fn: () => void): () => void {
  const listener = (changes: Record<string, unknown>, area: string) => {
    if (area === 'local' && KEY + 'scripts' in changes) fn();
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}

export class TeamDocuments {
  private readonly store = new LocalDocumentStore();
  private lastCheck = 0;
  private running: Promise<CheckResult | undefined> | undefined;
  private following: AbortController | undefined;
  private pushConnected = false;
  /** Pushed changes, one batch at a time, so the same event from both feeds is checked once. */
  private changes: Promise<void> = Promise.resolve();
  /** The enrolment last handed to the offscreen document by this service-worker instance. */
  private handedOver: string | undefined;

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

  /**
   * The stored team model manifest for this enrolment, or undefined: the worker then runs the
   * shipped manifest. Stored only after `modelsValidator` accepted it.
   */
  async models(enrolment: Enrolment | undefined): Promise<unknown | undefined> {
    if (!enrolment) return undefined;
    const doc = await this.store.get('models');
    if (!doc || !enrolment.teamIds.includes(doc.teamId)) return undefined;
    return doc.body;
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

  /** Checks every kind; the rulebook's result is returned (the one sync-now reports). */
  private async run(
    enrolment: Enrolment,
    kinds: readonly DocumentKind[] = DOCUMENT_KINDS,
    via = 'check',
  ): Promise<CheckResult> {
    this.lastCheck = Date.now();
    let rulebook: CheckResult = { outcome: 'unchanged' };
    for (const kind of kinds) {
      const r = await this.checkKind(enrolment, kind, via);
      if (kind === 'rulebook') rulebook = r;
    }
    return rulebook;
  }

  private async validator(kind: DocumentKind): Promise<DocumentValidator> {
    if (kind === 'rulebook') return validateRulebookDocument;
    if (kind === 'scripts') return validateScriptsDocument;
    return modelsValidator(await shippedModels());
  }

  private async checkKind(enrolment: Enrolment, kind: DocumentKind, via: string): Promise<CheckResult> {
    const before = await this.store.get(kind);
    // Stored for another team (the device was enrolled again): start over, do not use it.
    const cleared = !!before && !enrolment.teamIds.includes(before.teamId);
    if (cleared) await this.store.clear(kind);
    const r = await checkDocument({
      endpoint: enrolment.endpoint,
      fetch: (url, init) => fetch(url, init),
      token: enrolment.token,
      kind,
      store: this.store,
      validate: await this.validator(kind),
    });
    const name = NAMES[kind];
    // The other team's version may still run: back to the shipped one unless this team has its own.
    if (cleared && r.outcome !== 'updated') {
      if (kind === 'rulebook') await this.apply(undefined);
      if (kind === 'models') await this.applyModels(undefined);
    }
    if (r.outcome === 'updated') {
      this.deps.log('info', `${name} updated`, { version: r.version, previous: r.previous ?? 0, via });
      if (kind === 'rulebook') await this.apply(await this.rulebooks(enrolment));
      if (kind === 'models') await this.applyModels(await this.models(enrolment), r.version);
    } else if (r.outcome === 'invalid') {
      this.deps.log('warn', `${name} v${r.version} rejected, previous kept: ${r.reason}`, {
        kept: r.kept ?? 0,
      });
    } else if (r.outcome === 'failed') {
      this.deps.log('warn', `${name} check failed: ${r.reason}`);
    }
    return r;
  }

  /**
   * Follows the endpoint's document push while the service worker lives: a publication is
   * fetched and applied within moments. Reconnects with backoff; re-reads the enrolment on each
   * (re)connect and stops when `enrolment()` has none or the endpoint refuses the token.
   */
  follow(enrolment: () => Promise<Enrolment | undefined>): void {
    void enrolment()
      .then((e) => this.handOver(e))
      .catch(() => {});
    if (this.following) return;
    const ac = new AbortController();
    this.following = ac;
    void (async () => {
      try {
        const e = await enrolment();
        if (!e) return;
        await followDocumentChanges({
          endpoint: e.endpoint,
          fetch: (url, init) => fetch(url, init),
          getToken: async () => (await enrolment())?.token,
          signal: ac.signal,
          onChanges: (changes) => this.onChanges(e, changes, 'push'),
          onStatus: (st) => {
            if (st.connected !== this.pushConnected)
              this.deps.log(
                st.connected ? 'info' : 'warn',
                st.connected ? 'document push connected' : `document push lost: ${st.error ?? ''}`,
              );
            this.pushConnected = st.connected;
          },
        });
      } catch (err) {
        this.deps.log('warn', `document push stopped: ${String(err)}`);
      } finally {
        if (this.following === ac) this.following = undefined;
      }
    })();
  }

  /** Stops following (the enrolment or endpoint changed; `follow` starts again). */
  unfollow(): void {
    this.following?.abort();
    this.following = undefined;
  }

  /**
   * A change the offscreen document's follow of the push forwarded (`documents-changed`): the
   * message woke this service worker if it was stopped. Checked like the service worker's own feed.
   */
  async pushed(enrolment: Enrolment | undefined, changes: DocumentChange[]): Promise<void> {
    if (!enrolment) return;
    this.deps.log('info', 'document change pushed by the offscreen document', {
      kinds: changes.map((c) => c.kind).join(','),
    });
    await this.onChanges(enrolment, changes, 'push via offscreen');
  }

  /** The endpoint and device token the offscreen document follows the push with, if enrolled. */
  pushConfig(enrolment: Enrolment | undefined): { endpoint: string; token: string } | undefined {
    return enrolment ? { endpoint: enrolment.endpoint, token: enrolment.token } : undefined;
  }

  /**
   * Hands the enrolment to a running offscreen document (it asks for it itself when it starts);
   * once per service-worker instance and enrolment: the document ignores an unchanged one.
   */
  private async handOver(enrolment: Enrolment | undefined): Promise<void> {
    const config = this.pushConfig(enrolment);
    const key = JSON.stringify(config ?? null);
    if (key === this.handedOver || !(await offscreenOpen())) return;
    this.handedOver = key;
    await send({ type: 'document-push', target: 'offscreen-push', ...(config ?? {}) }).catch(() => {
      this.handedOver = undefined;
    });
  }

  private onChanges(enrolment: Enrolment, changes: DocumentChange[], via: string): Promise<void> {
    const next = this.changes.then(() => this.checkChanged(enrolment, changes, via));
    this.changes = next.catch(() => undefined);
    return next.catch((e: unknown) => this.deps.log('warn', `document check failed: ${String(e)}`));
  }

  private async checkChanged(enrolment: Enrolment, changes: DocumentChange[], via: string): Promise<void> {
    // Behind a check already running (the alarm's), then only what is still not stored.
    await this.running?.catch(() => undefined);
    const stale: DocumentKind[] = [];
    for (const c of changes) {
      if (!enrolment.teamIds.includes(c.teamId) || stale.includes(c.kind)) continue;
      const stored = await this.store.get(c.kind);
      if (stored?.etag !== c.etag) stale.push(c.kind);
    }
    if (stale.length === 0) return;
    this.running = this.run(enrolment, stale, via).finally(() => {
      this.running = undefined;
    });
    await this.running;
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

  /**
   * Tells a running offscreen analysis worker to re-boot its models from the team's manifest
   * (undefined: the shipped one). It answers once the new models run, or with why the previous
   * ones were kept; both are logged and the status line shows what runs.
   */
  async applyModels(manifest: unknown | undefined, version?: number): Promise<void> {
    if (!(await offscreenOpen())) return;
    const reply = await send<
      | { ok: true; applied: boolean; models: string[]; errors: string[] }
      | { ok: false; reason: string }
      | undefined
    >({
      type: 'models-update',
      target: 'offscreen-models',
      ...(manifest === undefined ? {} : { manifest }),
    }).catch((e: unknown) => ({ ok: false as const, reason: String(e) }));
    if (!reply?.ok) {
      this.deps.log('warn', `model swap not delivered: ${reply?.reason ?? 'no answer'}`);
      return;
    }
    if (!reply.applied) {
      this.deps.log(
        'warn',
        `team model manifest v${version ?? 0} not applied, previous models kept: ${reply.errors.join('; ')}`,
      );
      return;
    }
    this.deps.log('info', 'models swapped', { models: reply.models.join(','), version: version ?? 0 });
    const previous = await lastPipeline().catch(() => undefined);
    const status = {
      type: 'pipeline-status' as const,
      models: reply.models,
      rulebooks: previous?.rulebooks ?? [],
      coldStartMs: previous?.coldStartMs ?? 0,
    };
    await rememberPipeline(status);
    this.deps.broadcast(status);
  }
}

async function offscreenOpen(): Promise<boolean> {
  if (!browser.offscreen) return false;
  const contexts = await browser.runtime.getContexts({
    contextTypes: [browser.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [browser.runtime.getURL(OFFSCREEN_PATH)],
  });
  return contexts.length > 0;
}
