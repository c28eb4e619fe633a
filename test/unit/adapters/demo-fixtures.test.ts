/**
 * The demo desk's fixtures: every scenario file is valid and listed, and the fixture server serves the
 * desk, the plain page and the scenarios with the right types, and nothing outside them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../../fixtures/serve';
import { readScenario, ScenarioIndex, scenarioIds } from '../../fixtures/scenarios/scenario';

describe('scenarios', () => {
  const ids = scenarioIds();

  it.each(ids)('%s is valid, 8–16 turns, with customer and agent turns', (id) => {
    const s = readScenario(id);
    expect(s.id).toBe(id);
    expect(s.turns.length).toBeGreaterThanOrEqual(8);
    expect(s.turns.length).toBeLessThanOrEqual(16);
    expect(s.turns.some((t) => t.speaker === 'customer')).toBe(true);
    expect(s.turns.some((t) => t.speaker === 'agent')).toBe(true);
  });

  it('each one has its own conversation id, and the three languages are covered', () => {
    const all = ids.map(readScenario);
    expect(new Set(all.map((s) => s.conversationId)).size).toBe(all.length);
    expect(new Set(all.map((s) => s.lang))).toEqual(new Set(['zh-Hans', 'zh-Hant', 'en']));
  });
});

describe('fixture server', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(() => server.close());

  const get = (path: string) => fetch(new URL(path, server.url), { redirect: 'manual' });

  it('serves the desk and its assets as UTF-8 with the right types', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const [path, type] of [
      ['desk/', 'text/html; charset=utf-8'],
      ['desk/desk.css', 'text/css; charset=utf-8'],
      ['desk/desk.js', 'text/javascript; charset=utf-8'],
      ['plain/', 'text/html; charset=utf-8'],
      ['scenarios/index.json', 'application/json; charset=utf-8'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      await res.arrayBuffer();
    }
  });

  it('lists every scenario file in scenarios/index.json and serves each', async () => {
    const index = ScenarioIndex.parse(await (await get('scenarios/index.json')).json());
    expect(index.scenarios.map((s) => s.id).sort()).toEqual(scenarioIds());
    for (const entry of index.scenarios) {
      const res = await get(`scenarios/${entry.file}`);
      expect(res.status).toBe(200);
      const s = (await res.json()) as { id: string; lang: string };
      expect([s.id, s.lang]).toEqual([entry.id, entry.lang]);
    }
  });

  it('redirects a directory without its slash, so relative URLs in the page resolve', async () => {
    const res = await get('desk?scenario=calm-en');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/desk/?scenario=calm-en');
  });

  it('answers 404 for missing files and for paths that climb out of the fixtures', async () => {
    for (const path of [
      'nope.html',
      'desk/missing.js',
      'scenarios/missing.json',
      '%2e%2e/serve.ts',
      '..%2f..%2fpackage.json',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      await res.arrayBuffer();
    }
  });
});
