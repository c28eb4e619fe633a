/** User adapters: import errors say what is wrong, the same schema as built-ins, newest wins. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAdapter } from '../../../lib/adapters/spec';
import {
  exportAdapter,
  parseImport,
  readUserAdapters,
  removeAdapter,
  upsertAdapter,
  userAdapterFor,
} from '../../../lib/adapters/user-adapters';

const desk = JSON.parse(readFileSync(new URL('../../../adapters/demo-desk.json', import.meta.url), 'utf8'));
const mine = { ...desk, id: 'user-desk', matches: ['http://127.0.0.1/*'] };

describe('user adapters', () => {
  it('export then import gives the same spec', () => {
    const spec = (parseAdapter(mine) as { ok: true; spec: never }).spec;
    const r = parseImport(exportAdapter(spec));
    expect(r).toEqual({ ok: true, specs: [spec] });
  });

  it('bad JSON, a schema error and a built-in id are refused with a reason', () => {
    expect(parseImport('{"id": ')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not valid JSON/),
    });
    const noRoot = { ...mine, log: { item: 'li' } };
    expect(parseImport(JSON.stringify(noRoot))).toMatchObject({
      ok: false,
      error: expect.stringContaining('$.log.root'),
    });
    expect(parseImport(JSON.stringify(desk), ['demo-desk'])).toMatchObject({
      ok: false,
      error: expect.stringContaining('built-in'),
    });
    expect(parseImport('[]')).toMatchObject({ ok: false });
  });

  it('newest first, replaced by id, removed by id; the first match wins', () => {
    const a = (parseAdapter(mine) as { ok: true; spec: never }).spec as ReturnType<
      typeof readUserAdapters
    >['specs'][number];
    const b = { ...a, id: 'user-other', matches: ['https://desk.example.com/*'] };
    let list = upsertAdapter([], a);
    list = upsertAdapter(list, b);
    expect(list.map((s) => s.id)).toEqual(['user-other', 'user-desk']);
    list = upsertAdapter(list, { ...a, name: 'renamed' });
    expect(list.map((s) => [s.id, s.name])).toEqual([
      ['user-desk', 'renamed'],
      ['user-other', b.name],
    ]);
    expect(userAdapterFor(list, 'https://desk.example.com/inbox')?.id).toBe('user-other');
    expect(userAdapterFor(list, 'https://elsewhere.example.com/')).toBeUndefined();
    expect(removeAdapter(list, 'user-desk').map((s) => s.id)).toEqual(['user-other']);
  });

  it('stored entries that no longer validate are reported, the rest still load', () => {
    const r = readUserAdapters([mine, { id: 'broken' }]);
    expect(r.specs.map((s) => s.id)).toEqual(['user-desk']);
    expect(r.invalid[0]?.index).toBe(1);
  });
});
