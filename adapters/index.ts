/**
 * Every built-in console adapter: the JSON files beside this one, validated at load. A file that
 * does not validate is left out with its errors, so one bad adapter never breaks the others.
 */
import { type AdapterSpec, adapterMatchesUrl, parseAdapter } from '@/lib/adapters/spec';

const files = import.meta.glob<{ default: unknown }>('./*.json', { eager: true });

export const adapterErrors: Record<string, string[]> = {};
export const adapters: AdapterSpec[] = Object.entries(files).flatMap(([path, mod]) => {
  const r = parseAdapter(mod.default);
  if (r.ok) return [r.spec];
  adapterErrors[path] = r.errors;
  return [];
});

export function adapterFor(url: string): AdapterSpec | undefined {
  return adapters.find((a) => adapterMatchesUrl(a, url));
}

/** Content-script match patterns: the union of every adapter's. */
export const adapterMatches: string[] = [...new Set(adapters.flatMap((a) => a.matches))];
