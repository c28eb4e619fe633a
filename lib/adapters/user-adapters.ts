/**
 * Adapters the agent made on an unknown console (detector proposal or element picker) or imported
 * as JSON. They are the same data as the built-in `adapters/*.json`, validated by the same zod
 * schema and read by the same reader and tracker; only where they are kept differs (extension
 * storage, under `USER_ADAPTERS_KEY`). Also the small message contract between the side panel and
 * the content script of a console tab for attaching (sent straight to the tab, not via the router).
 */
import { z } from 'zod';
import { type AdapterSpec, adapterMatchesUrl, parseAdapter } from './spec';

export const USER_ADAPTERS_KEY = 'sotto:user-adapters';
export const MAX_USER_ADAPTERS = 100;
const MAX_IMPORT_CHARS = 200_000;

export interface UserAdapters {
  specs: AdapterSpec[];
  /** Stored entries that no longer validate (an older schema), with their problems. */
  invalid: { index: number; errors: string[] }[];
}

/** Reads what storage holds; never throws, so one bad entry never hides the others. */
export function readUserAdapters(raw: unknown): UserAdapters {
  const list = Array.isArray(raw) ? raw : [];
  const out: UserAdapters = { specs: [], invalid: [] };
  list.forEach((entry, index) => {
    const r = parseAdapter(entry);
    if (r.ok) out.specs.push(r.spec);
    else out.invalid.push({ index, errors: r.errors });
  });
  return out;
}

/** Adds or replaces (same id) an adapter; the newest comes first so it wins on a shared origin. */
export function upsertAdapter(list: readonly AdapterSpec[], spec: AdapterSpec): AdapterSpec[] {
  return [spec, ...list.filter((s) => s.id !== spec.id)].slice(0, MAX_USER_ADAPTERS);
}

export function removeAdapter(list: readonly AdapterSpec[], id: string): AdapterSpec[] {
  return list.filter((s) => s.id !== id);
}

/** The user adapter for a page: the first (newest) whose match patterns cover the URL. */
export function userAdapterFor(list: readonly AdapterSpec[], url: string): AdapterSpec | undefined {
  return list.find((s) => {
    try {
      return adapterMatchesUrl(s, url);
    } catch {
      return false;
    }
  });
}

/** The JSON a user exports: the spec as it would be written in `adapters/<id>.json`. */
export function exportAdapter(spec: AdapterSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

export type ImportResult = { ok: true; specs: AdapterSpec[] } | { ok: false; error: string };

/**
 * Parses pasted or uploaded JSON: one adapter or an array of them. The error says what is wrong
 * and where (JSON syntax, or the schema path), so the user can fix the file.
 */
export function parseImport(text: string, builtInIds: readonly string[] = []): ImportResult {
  if (text.length > MAX_IMPORT_CHARS)
    return { ok: false, error: `the file is too large (over ${MAX_IMPORT_CHARS} characters)` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
  }
  const entries = Array.isArray(raw) ? raw : [raw];
  if (entries.length === 0) return { ok: false, error: 'the file holds no adapter' };
  const specs: AdapterSpec[] = [];
  for (const [i, entry] of entries.entries()) {
    const r = parseAdapter(entry);
    const where = entries.length > 1 ? `adapter ${i + 1}: ` : '';
    if (!r.ok) return { ok: false, error: `${where}${r.errors.slice(0, 3).join('; ')}` };
    if (builtInIds.includes(r.spec.id))
      return {
        ok: false,
        error: `${where}id "${r.spec.id}" belongs to a built-in adapter; choose another id`,
      };
    specs.push(r.spec);
  }
  return { ok: true, specs };
}

/**
 * Side panel → content script of one console tab (browser.tabs.sendMessage). Built on its first
 * parse, as the console script's other schemas (see lib/finding.ts).
 */
export const AttachControl = z.lazy(() =>
  z.discriminatedUnion('type', [
    /** Run the generic detector on the page and answer with its proposal. */
    z.object({ type: z.literal('attach-propose') }),
    /** Start the element picker in the page; it saves the adapter itself when the agent finishes. */
    z.object({ type: z.literal('attach-pick') }),
  ]),
);
export type AttachControl = z.infer<typeof AttachControl>;

export const ProposalReply = z.lazy(() =>
  z.object({
    ok: z.boolean(),
    reason: z.string().max(500).optional(),
    proposal: z
      .object({
        spec: z.unknown(),
        items: z.number().int().nonnegative(),
        withSpeaker: z.number().int().nonnegative(),
        confidence: z.number().min(0).max(1),
        reasons: z.array(z.string().max(200)).max(20),
      })
      .optional(),
  }),
);
export type ProposalReply = z.infer<typeof ProposalReply>;

/** The attach state a content script reports on a page no adapter covers. */
export const NO_ADAPTER_ID = 'none';
