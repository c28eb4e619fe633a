/**
 * Team documents on the device: the team's rulebook, script library and model manifest, served
 * per team by the endpoint with ETags (`GET /v1/documents/{kind}`). `checkDocument` asks with
 * If-None-Match, validates a new version with the caller's validator, and swaps it in with one
 * store write (atomic), so the previous version stays in use when the new one is invalid or the
 * request fails. Pure: fetch and storage are injected (IndexedDB in the extension, memory in tests).
 */
import { ModelManifest } from '../models/manifest';
import { ScriptLibrary } from '../scripts/schema';
import type { FetchLike } from './client';
import { type DocumentKind, TeamDocument } from './protocol';

export interface StoredDocument {
  kind: DocumentKind;
  teamId: string;
  version: number;
  etag: string;
  body: unknown;
  fetchedAt: number;
}

export interface DocumentStore {
  get(kind: DocumentKind): Promise<StoredDocument | undefined>;
  /** Replace the stored version in one write. */
  put(doc: StoredDocument): Promise<void>;
}

export class MemoryDocumentStore implements DocumentStore {
  readonly docs = new Map<DocumentKind, StoredDocument>();
  async get(kind: DocumentKind) {
    return this.docs.get(kind);
  }
  async put(doc: StoredDocument) {
    this.docs.set(doc.kind, structuredClone(doc));
  }
}

/** Accepts a document body or says why not (e.g. the rulebook schema and compiler). */
export type DocumentValidator = (body: unknown) => { ok: true } | { ok: false; reason: string };

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = error.issues[0];
  return i ? `${i.path.map(String).join('.') || '(document)'}: ${i.message}` : 'invalid';
}

/** A team script library is accepted only when it parses as a `ScriptLibrary` (ids unique, texts localised). */
export const validateScriptsDocument: DocumentValidator = (body) => {
  const r = ScriptLibrary.safeParse(body);
  return r.success ? { ok: true } : { ok: false, reason: `script library: ${firstIssue(r.error)}` };
};

/**
 * A team model manifest is accepted only when it parses as a `ModelManifest` and, given the
 * manifest shipped with the extension, names only model files the extension has, byte for byte
 * (same file and sha256): the endpoint serves no model binaries, so a team can choose among the
 * shipped models and narrow their label sets, but never point the worker at a file it cannot verify.
 */
export function modelsValidator(shipped?: ModelManifest): DocumentValidator {
  return (body) => {
    const r = ModelManifest.safeParse(body);
    if (!r.success) return { ok: false, reason: `model manifest: ${firstIssue(r.error)}` };
    if (!shipped) return { ok: true };
    for (const m of r.data.models) {
      const known = shipped.models.find((s) => s.file === m.file && s.sha256 === m.sha256);
      if (!known)
        return {
          ok: false,
          reason: `model manifest: ${m.name}: ${m.file} is not shipped with this extension`,
        };
      if (known.task !== m.task)
        return { ok: false, reason: `model manifest: ${m.name}: ${m.file} is a ${known.task} model` };
    }
    return { ok: true };
  };
}

export type CheckResult =
  | { outcome: 'unchanged'; version?: number }
  | { outcome: 'updated'; version: number; previous?: number }
  /** The endpoint has no such document for this team; whatever is stored stays. */
  | { outcome: 'none' }
  /** The new version failed validation; the previous one stays in use. */
  | { outcome: 'invalid'; version: number; reason: string; kept?: number }
  /** Network or HTTP failure; the previous version stays in use. */
  | { outcome: 'failed'; reason: string; kept?: number };

export async function checkDocument(opts: {
  endpoint: string;
  fetch: FetchLike;
  token: string;
  kind: DocumentKind;
  store: DocumentStore;
  validate: DocumentValidator;
  now?: () => number;
}): Promise<CheckResult> {
  const { kind, store } = opts;
  const current = await store.get(kind);
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token}` };
  if (current) headers['if-none-match'] = current.etag;
  let status: number;
  let text: string;
  let etag: string | null;
  try {
    const res = await opts.fetch(`${opts.endpoint.replace(/\/+$/, '')}/v1/documents/${kind}`, {
      method: 'GET',
      headers,
    });
    status = res.status;
    etag = res.headers.get('etag');
    text = await res.text();
  } catch (err) {
    return {
      outcome: 'failed',
      reason: err instanceof Error ? err.message : String(err),
      kept: current?.version,
    };
  }
  if (status === 304) return { outcome: 'unchanged', version: current?.version };
  if (status === 404) return { outcome: 'none' };
  if (status !== 200) return { outcome: 'failed', reason: `HTTP ${status}`, kept: current?.version };
  let parsed: ReturnType<typeof TeamDocument.safeParse>;
  try {
    parsed = TeamDocument.safeParse(JSON.parse(text));
  } catch {
    return { outcome: 'failed', reason: 'response is not JSON', kept: current?.version };
  }
  if (!parsed.success || parsed.data.kind !== kind || !etag) {
    return { outcome: 'failed', reason: 'unreadable document response', kept: current?.version };
  }
  const doc = parsed.data;
  const verdict = opts.validate(doc.body);
  if (!verdict.ok) {
    return { outcome: 'invalid', version: doc.version, reason: verdict.reason, kept: current?.version };
  }
  await store.put({
    kind,
    teamId: doc.teamId,
    version: doc.version,
    etag,
    body: doc.body,
    fetchedAt: (opts.now ?? Date.now)(),
  });
  return { outcome: 'updated', version: doc.version, previous: current?.version };
}
