/**
 * CSV and XLSX exports: the XLSX writer read back by an independent reader (read-excel-file), and
 * the console's export routes over a real endpoint, checked against the JSON the console shows.
 */
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedQaDemo } from '../../../server/qa/demo';
import { columnName, sheetName, toXlsx, xmlText } from '../../../server/qa/xlsx';
import { BACKENDS, startEnv, type TestEnv } from '../server/harness';

describe('XLSX writer', () => {
  it('names columns past Z and cleans sheet names', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual([
      'A',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
    expect(sheetName('a/b:c*d?e[f]g\\h')).toBe('a b c d e f g h');
    expect(sheetName('x'.repeat(40))).toHaveLength(31);
    expect(xmlText('a<b & "c"\u0001')).toBe('a&lt;b &amp; &quot;c&quot;');
  });

  it('round-trips Chinese text, numbers, booleans, blanks, markup and formula-looking text', async () => {
    const header = ['会话', '得分', '已复核', '备注', ...Array.from({ length: 26 }, (_, i) => `c${i}`)];
    const rows = [
      ['conv-1', 87.5, true, '客户很生气：退款 <到账> & "保证"', ...Array.from({ length: 26 }, (_, i) => i)],
      ['conv-2', 0, false, null, ...Array.from({ length: 26 }, () => '')],
      [
        'conv-3',
        -3,
        false,
        '=HYPERLINK("http://x","y")',
        ...Array.from({ length: 26 }, (_, i) => `繁體${i}`),
      ],
    ];
    const file = toXlsx('会话 sheet', header, rows);
    expect(file.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const back = await readSheet(file);
    expect(back[0]).toEqual(header);
    expect(back[1]?.slice(0, 5)).toEqual(['conv-1', 87.5, true, '客户很生气：退款 <到账> & "保证"', 0]);
    expect(back[1]?.[29]).toBe(25);
    expect(back[2]?.slice(0, 4)).toEqual(['conv-2', 0, false, null]);
    // Written as an inline string, so it reads back as text and never runs as a formula.
    expect(back[3]?.slice(0, 4)).toEqual(['conv-3', -3, false, '=HYPERLINK("http://x","y")']);
    expect(back[3]?.[29]).toBe('繁體25');
    // The same input gives the same bytes (fixed timestamps), so exports can be cached and compared.
    expect(toXlsx('会话 sheet', header, rows).equals(file)).toBe(true);
  });

  it('writes an empty table as a header row only', async () => {
    const back = await readSheet(toXlsx('empty', ['a', 'b'], []));
    expect(back).toEqual([['a', 'b']]);
  });
});

describe.each(BACKENDS)('console exports on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend);
    await seedQaDemo(env.database.db, env.demo, { conversations: 30 });
  });
  afterAll(() => env?.close());

  const get = (path: string, cookie = env.cookies.qa) =>
    fetch(`${env.url}${path}`, { headers: cookie ? { cookie } : {} });
  const xlsx = async (path: string, cookie?: string) => {
    const res = await get(path, cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="sotto-\w+\.xlsx"/);
    return readSheet(Buffer.from(await res.arrayBuffer()));
  };

  it('exports the filtered conversation list, every page, as XLSX and CSV with the same cells', async () => {
    const list = await env.call('GET', '/v1/qa/conversations?emotion=angry&pageSize=200', {
      cookie: env.cookies.qa,
    });
    expect(list.json.total).toBeGreaterThan(0);
    const sheet = await xlsx('/v1/qa/conversations.xlsx?emotion=angry&pageSize=1&page=3&lang=zh_CN');
    expect(sheet[0]?.slice(0, 3)).toEqual(['会话', '团队', '坐席']);
    // Paging is ignored: the file holds every matching conversation, in the list's order.
    expect(sheet.slice(1).map((r) => r[0])).toEqual(list.json.rows.map((r: { id: string }) => r.id));
    const emotion = sheet[0]!.indexOf('情绪');
    expect(sheet.slice(1).every((r) => r[emotion] === 'angry')).toBe(true);
    const score = sheet[0]!.indexOf('得分');
    expect(sheet.slice(1).map((r) => r[score])).toEqual(
      list.json.rows.map((r: { score: number }) => r.score),
    );

    const csv = await get('/v1/qa/conversations.csv?emotion=angry&lang=zh_TW');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    // UTF-8 byte order mark, so Excel opens Chinese headings and names correctly.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.subarray(3)).trim().split('\r\n');
    expect(lines[0]!.startsWith('會話,團隊,坐席')).toBe(true);
    expect(lines).toHaveLength(sheet.length);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(sheet.slice(1).map((r) => r[0]));
  });

  it('exports analytics tables as XLSX with the numbers the analytics page shows', async () => {
    const a = (await env.call('GET', '/v1/qa/analytics', { cookie: env.cookies.qa })).json;
    const rules = await xlsx('/v1/qa/analytics.xlsx?kind=rules');
    expect(rules[0]).toEqual(['rule', 'hits', 'conversations', 'wrong', 'precision']);
    expect(rules.slice(1).map((r) => [r[0], r[1]])).toEqual(
      a.rules.map((r: { ruleId: string; hits: number }) => [r.ruleId, r.hits]),
    );
    const daily = await xlsx('/v1/qa/analytics.xlsx?kind=daily&lang=en');
    expect(daily.slice(1).map((r) => r[1])).toEqual(a.daily.map((d: { n: number }) => d.n));
    const convs = await xlsx('/v1/qa/analytics.xlsx?kind=conversations&team=team_chicago_b');
    expect(convs.length).toBeGreaterThan(1);
    expect(convs.slice(1).every((r) => r[1] === 'Chicago B')).toBe(true);
  });

  it('keeps role and team scope in exports', async () => {
    expect((await get('/v1/qa/conversations.xlsx', '')).status).toBe(401);
    expect((await get('/v1/qa/analytics.csv?kind=rules', env.cookies.agent)).status).toBe(403);
    expect(
      (await get('/v1/qa/analytics.xlsx?kind=conversations&team=team_chicago_b', env.cookies.lead)).status,
    ).toBe(404);
    const mine = await xlsx('/v1/qa/conversations.xlsx', env.cookies.agent);
    const all = await xlsx('/v1/qa/conversations.xlsx');
    expect(mine.length).toBeGreaterThan(1);
    expect(mine.length).toBeLessThan(all.length);
    const agentName = (await env.call('GET', '/v1/qa/meta', { cookie: env.cookies.agent })).json.me.name;
    expect(mine.slice(1).every((r) => r[2] === agentName)).toBe(true);
  });
});
