/**
 * Every route the endpoint registers is in /openapi.json (the console's plain Hono routes
 * included), every documented console route exists, and the console's request schemas are in it.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app';
import type { AppDeps } from '../../../server/http';
import { DEFAULT_LIMITS } from '../../../server/index';
import { jsonLogger } from '../../../server/log';

// Registering routes touches no database: the app is built without one and never serves data.
const app = createApp({
  ctx: { limits: DEFAULT_LIMITS, log: jsonLogger('silent'), db: {} },
} as unknown as AppDeps);
/** Not API operations: the health probe, the console's static files and the document itself. */
const NOT_API = new Set(['GET /healthz', 'GET /console', 'GET /console/*', 'GET /openapi.json']);

describe('OpenAPI document', async () => {
  const res = await app.request('/openapi.json');
  const doc = (await res.json()) as {
    paths: Record<
      string,
      Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown }>
    >;
  };
  const documented = new Set(
    Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)),
  );
  const registered = [
    ...new Set(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    ),
  ];

  it('documents every registered route', () => {
    expect(res.status).toBe(200);
    expect(registered.filter((r) => r.includes('/v1/qa/')).length).toBeGreaterThan(35);
    expect(registered.filter((r) => !NOT_API.has(r) && !documented.has(r))).toEqual([]);
  });

  it('documents no console route that does not exist', () => {
    const real = new Set(registered);
    expect([...documented].filter((d) => d.includes('/v1/qa/') && !real.has(d))).toEqual([]);
  });

  it('carries the console request schemas: list filters, path ids and bodies', () => {
    const list = doc.paths['/v1/qa/conversations']!.get!;
    expect(list.parameters?.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
      expect.arrayContaining(['team', 'emotion', 'rule', 'severity', 'scoreMin', 'appealed', 'page']),
    );
    const decide = doc.paths['/v1/qa/appeals/{id}/decide']!.post!;
    expect(decide.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
    const schema = JSON.stringify(decide.requestBody);
    expect(schema).toContain('"accept"');
    expect(schema).toContain('"reject"');
    const xlsx = JSON.stringify(doc.paths['/v1/qa/analytics.xlsx']);
    expect(xlsx).toContain('spreadsheetml');
    expect(xlsx).toContain('"conversations"');
  });
});
