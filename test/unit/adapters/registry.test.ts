/**
 * The adapter registry (adapters/*.json): ids are unique, every adapter has a fixture console
 * that exists and that the adapter's match patterns accept, and the e2e suite runs them all.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adapterFor, builtInAdapterErrors, builtInAdapters } from '../../../adapters';
import { adapterMatches } from '../../../adapters/matches';
import { adapterMatchesUrl, parseAdapter } from '../../../lib/adapters/spec';
import { FIXTURE_FOR_ADAPTER } from '../../fixtures/consoles/registry';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const specs = readdirSync(join(root, 'adapters'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const r = parseAdapter(JSON.parse(readFileSync(join(root, 'adapters', f), 'utf8')));
    if (!r.ok) throw new Error(`${f}: ${r.errors.join('; ')}`);
    return r.spec;
  });

describe('adapter registry', () => {
  it('has at least seven consoles with unique ids', () => {
    const ids = specs.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(7);
  });

  it.each(specs.map((s) => [s.id, s] as const))('%s has a fixture console it matches', (id, spec) => {
    const fixture = FIXTURE_FOR_ADAPTER[id];
    expect(fixture, `add ${id} to test/fixtures/consoles/registry.ts`).toBeDefined();
    const dir = join(root, 'test/fixtures/consoles', fixture!.dir);
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
    if (fixture!.built) expect(existsSync(join(dir, 'src/main.jsx'))).toBe(true);
    // A console with its own e2e file must be exercised there by its adapter id or fixture path.
    if (fixture!.e2e) {
      const e2e = readFileSync(join(root, fixture!.e2e), 'utf8');
      expect(e2e.includes(id) || e2e.includes(fixture!.dir)).toBe(true);
    }
    for (const host of ['127.0.0.1:41234', 'localhost:5178'])
      expect(adapterMatchesUrl(spec, `http://${host}/${fixture!.path}`)).toBe(true);
    // No other adapter claims the same fixture: the first match would win silently.
    const claimants = specs.filter((s) => adapterMatchesUrl(s, `http://127.0.0.1:1/${fixture!.path}`));
    expect(claimants.map((s) => s.id)).toEqual([id]);
  });

  it('gives the console scripts what the files say: every pattern, and each page its adapter', () => {
    // The content scripts' match patterns are read without validating the files (adapters/matches.ts).
    expect(new Set(adapterMatches)).toEqual(new Set(specs.flatMap((s) => s.matches)));
    expect(adapterMatches).toHaveLength(new Set(adapterMatches).size);
    expect(
      builtInAdapters()
        .map((s) => s.id)
        .sort(),
    ).toEqual(specs.map((s) => s.id).sort());
    for (const [id, f] of Object.entries(FIXTURE_FOR_ADAPTER))
      expect(adapterFor(`http://127.0.0.1:41234/${f.path}?c=1`)?.id).toBe(id);
    expect(adapterFor('https://example.com/desk/')).toBeUndefined();
    expect(builtInAdapterErrors()).toEqual({});
  });

  it('the e2e suite walks adapters/ rather than a hand-kept list', () => {
    const e2e = readFileSync(join(root, 'test/e2e/adapters.e2e.test.ts'), 'utf8');
    expect(e2e).toMatch(/readdirSync\([^)]*adapters/);
    expect(e2e).toMatch(/it\.each\(adapterIds\)/);
  });
});
