/**
 * Every built-in console adapter: the JSON files beside this one, validated when first used. A
 * file that does not validate is left out with its errors, so one bad adapter never breaks the
 * others. The console script asks for the adapter of its page only, and validates just the files
 * whose match patterns cover it: validating them all (zod) ran in every console page's first task.
 */
import { type AdapterSpec, adapterMatchesUrl, matchPatternToRegExp, parseAdapter } from '@/lib/adapters/spec';

const files = import.meta.glob<{ default: unknown }>('./*.json', { eager: true });

const parsed = new Map<string, AdapterSpec | undefined>();
const errors = new Map<string, string[]>();

function load(path: string): AdapterSpec | undefined {
  if (parsed.has(path)) return parsed.get(path);
  const r = parseAdapter(files[path]!.default);
  if (!r.ok) {
    errors.set(path, r.errors);
    console.warn(`[sotto] built-in adapter ${path} left out: ${r.errors.join('; ')}`);
  }
  const spec = r.ok ? r.spec : undefined;
  parsed.set(path, spec);
  return spec;
}

/** The built-in adapters that validate, in file order. */
export function builtInAdapters(): AdapterSpec[] {
  return Object.keys(files).flatMap((path) => load(path) ?? []);
}

/** Every built-in file that does not validate, with its errors (each file validated once). */
export function builtInAdapterErrors(): Record<string, string[]> {
  builtInAdapters();
  return Object.fromEntries(errors);
}

/** A file's own match patterns, unvalidated: only to choose which files to validate. */
function patterns(path: string): string[] {
  const m = (files[path]!.default as { matches?: unknown } | null)?.matches;
  return Array.isArray(m) ? m.filter((p): p is string => typeof p === 'string') : [];
}

const covers = (p: string, url: string) => {
  try {
    return matchPatternToRegExp(p).test(url);
  } catch {
    return false; // not a pattern: the file fails validation anyway
  }
};

export function adapterFor(url: string): AdapterSpec | undefined {
  for (const path of Object.keys(files)) {
    if (!patterns(path).some((p) => covers(p, url))) continue;
    const spec = load(path);
    if (spec && adapterMatchesUrl(spec, url)) return spec;
  }
  return undefined;
}
