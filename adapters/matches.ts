/**
 * Content-script match patterns: the union of every built-in adapter's. Read from the JSON files'
 * `matches` alone, without validating them: the call tap runs in the page's own world before any
 * of its scripts, and validating every adapter there (zod) held up the page's first parse for tens
 * of milliseconds. Each file is validated by the registry test, and the console script attaches
 * only with an adapter that validates (`adapterFor`).
 */
const files = import.meta.glob<{ default: { matches?: unknown } }>('./*.json', { eager: true });

export const adapterMatches: string[] = [
  ...new Set(
    Object.values(files).flatMap((f) =>
      Array.isArray(f.default.matches) ? f.default.matches.filter((p) => typeof p === 'string') : [],
    ),
  ),
] as string[];
