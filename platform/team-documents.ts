/**
 * The enrolled team's documents on the device (issue 9): rulebook, script library and model
 * manifest. Each is checked with `checkDocument` (If-None-Match, validated, one `storage.local`
 * write per version, so the previous version stays when a new one is invalid):
 * - rulebook: every rulebook must compile; a new version is swapped into the offscreen analysis
 *   worker, and the offscreen document asks for the stored set when it starts;
 * - scripts: must parse as a ScriptLibrary; the side panel merges it over the shipped library
 *   (`teamScriptLibrary`, `onTeamScriptsChanged`) and shows its hints at once;
 * - models: must parse as a ModelManifest naming only model files shipped with the extension.
 *
 * The endpoint pushes publications (`/v1/documents/changes`, followed by `follow()` while the
 * service worker lives); the `sotto-sync` alarm (every minute), enrolment and sync-now check too,
 * so a sleeping service worker catches up when it wakes.
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

  /** Checks every kind; the rulebook's result is returned (the one sync-now reports). */
  private async run(
    enrolment: Enrolment,
    kinds: readonly DocumentKind[] = DOCUMENT_KINDS,
    via: 'push' | 'check' = 'check',
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

  private async checkKind(
    enrolment: Enrolment,
    kind: DocumentKind,
    via: 'push' | 'check',
  ): Promise<CheckResult> {
    const before = await this.store.get(kind);
    // Stored for another team (the device was enrolled again): start over, do not use it.
    if (before && !enrolment.teamIds.includes(before.teamId)) await this.store.clear(kind);
    const r = await checkDocument({
      endpoint: enrolment.endpoint,
      fetch: (url, init) => fetch(url, init),
      token: enrolment.token,
      kind,
      store: this.store,
      validate: await this.validator(kind),
    });
    const name = NAMES[kind];
    if (r.outcome === 'updated') {
      this.deps.log('info', `${name} updated`, { version: r.version, previous: r.previous ?? 0, via });
      if (kind === 'rulebook') await this.apply(await this.rulebooks(enrolment));
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
          onChanges: (changes) => this.onChanges(e, changes),
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

  private async onChanges(enrolment: Enrolment, changes: DocumentChange[]): Promise<void> {
    const stale: DocumentKind[] = [];
    for (const c of changes) {
      if (!enrolment.teamIds.includes(c.teamId) || stale.includes(c.kind)) continue;
      const stored = await this.store.get(c.kind);
      if (stored?.etag !== c.etag) stale.push(c.kind);
    }
    if (stale.length === 0) return;
    // Behind a check already running (the alarm's), then the kinds that changed.
    await this.running?.catch(() => undefined);
    this.running = this.run(enrolment, stale, 'push').finally(() => {
      this.running = undefined;
    });
    await this.running.catch((e: unknown) => this.deps.log('warn', `document check failed: ${String(e)}`));
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
