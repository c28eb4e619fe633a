/**
 * `npm run bench:qa`: seeds 1,000,000 findings over 100,000 conversations (PostgreSQL when
 * DATABASE_URL or SOTTO_TEST_PG_URL is set, else PGlite), scores them through the console's own
 * refresh, then times the conversation list and the analytics overview through the HTTP API.
 * Last line: {"bench":"qa","list_p95_ms":…,"analytics_p95_ms":…,"db":…}. Bounded to ~5 minutes:
 * QA_CONVERSATIONS / QA_FINDINGS shrink the data set.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../server/db/connect';
import { createServer } from '../server/index';
import { jsonLogger } from '../server/log';
import { refreshScores } from '../server/qa/scores';
import { seedDemo } from '../server/seed';

const CONVS = Number(process.env.QA_CONVERSATIONS ?? 100_000);
const FINDINGS = Number(process.env.QA_FINDINGS ?? 1_000_000);
const ROUNDS = Number(process.env.QA_ROUNDS ?? 40);
const deadline = Date.now() + 5 * 60_000;
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

let url = process.env.DATABASE_URL ?? process.env.SOTTO_TEST_PG_URL;
let dropDb: (() => Promise<void>) | undefined;
if (url) {
  // A fresh database per run so numbers do not depend on leftovers.
  const name = `sotto_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const adminUrl = url;
  url = u.toString();
  dropDb = async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
}
const database = await openDatabase(url ? { url } : { dataDir: 'memory://' });
const db = database.db;
const now = Date.now();
const demo = await seedDemo(db, { password: 'bench password', now });
const DAY = 86_400_000;

log(`seeding ${CONVS} conversations and ${FINDINGS} findings into ${database.kind}`);
// 200 agents over the two demo teams; conversations over the last 60 days.
await sql`insert into users (id, org_id, email, display_name, role, created_at)
  select 'bench_agent_' || g, ${demo.orgId}, 'a' || g || '@bench.local', 'Agent ' || g, 'agent', ${now}
  from generate_series(1, 200) g`.execute(db);
await sql`insert into team_members (team_id, user_id)
  select case when g % 2 = 0 then 'team_shanghai_a' else 'team_chicago_b' end, 'bench_agent_' || g
  from generate_series(1, 200) g`.execute(db);
const emotions = `array['angry','frustrated','neutral','neutral','positive']`;
await sql`insert into conversations (org_id, id, team_id, agent_user_id, agent_ref, channel, started_at, ended_at, customer_hash, emotion, received_at)
  select ${demo.orgId}, 'bc' || g, case when (g % 200 + 1) % 2 = 0 then 'team_shanghai_a' else 'team_chicago_b' end,
    'bench_agent_' || (g % 200 + 1), null, case when g % 3 = 0 then 'voice' else 'chat' end,
    ${now} - (g::float8 / ${CONVS}::int) * 60 * ${DAY}, null, null,
    jsonb_build_object('counts', '{}'::jsonb, 'worst', (${sql.raw(emotions)})[g % 5 + 1]), ${now}
  from generate_series(1, ${CONVS}::int) g`.execute(db);
const rules = `array['general.agent-rude','general.forbidden-promise','general.customer-threat','general.greeting','general.closing','general.apology-after-complaint','general.repeat-contact','general.long-silence','general.empathy-hint','general.customer-angry-twice']`;
const sevs = `array['warning','critical','critical','warning','hint','warning','warning','hint','hint','critical']`;
const phrases = `array['我也没办法','保证到账','12315','没有问候','没有结束语','太过分','第三次打','静音','退款','投诉']`;
for (let start = 0; start < FINDINGS; start += 100_000) {
  const end = Math.min(FINDINGS, start + 100_000);
  await sql`insert into findings (id, org_id, team_id, conversation_id, rule_key, kind, severity, title, body, ts, agent_user_id, device_id, escalate_after_ms, received_at)
    select id, ${demo.orgId}, team, conv, rule, 'warning', sev, rule,
      jsonb_build_object('id', id, 'conversationId', conv, 'ruleId', rule, 'kind', 'warning', 'severity', sev, 'title', rule,
        'evidence', jsonb_build_array(jsonb_build_object('seq', g % 7, 'start', 0, 'end', 4, 'text', phrase)), 'scores', '{}'::jsonb, 'ts', ts),
      ts, agent, 'bench', null, ${now}
    from (
      select g, lpad(to_hex(g), 26, '0') as id, 'bc' || c as conv,
        case when (c % 200 + 1) % 2 = 0 then 'team_shanghai_a' else 'team_chicago_b' end as team,
        'bench_agent_' || (c % 200 + 1) as agent,
        (${sql.raw(rules)})[(g * 7 + c) % 10 + 1] as rule,
        (${sql.raw(sevs)})[(g * 7 + c) % 10 + 1] as sev,
        (${sql.raw(phrases)})[(g * 7 + c) % 10 + 1] as phrase,
        ${now} - (c::float8 / ${CONVS}::int) * 60 * ${DAY} + g % 600000 as ts
      from (select g, (g % ${CONVS}::int) + 1 as c from generate_series(${start + 1}::int, ${end}::int) g) s
    ) t`.execute(db);
  log(`findings ${end}`);
  if (Date.now() > deadline) throw new Error('seeding ran over the time budget');
}
await sql`analyze`.execute(db);
log('scoring every conversation');
const t0 = performance.now();
const scored = await refreshScores({ db, now: () => now }, 0);
await sql`analyze`.execute(db);
log(`scored ${scored} conversations in ${Math.round(performance.now() - t0)} ms`);

const server = await createServer({ db: database, log: jsonLogger('silent') });
const login = await fetch(`${server.url}/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: demo.users.qa.email, password: 'bench password' }),
});
const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
const LISTS = [
  '/v1/qa/conversations',
  '/v1/qa/conversations?emotion=angry',
  '/v1/qa/conversations?team=team_shanghai_a&severity=critical',
  '/v1/qa/conversations?rule=general.forbidden-promise&scoreMax=60',
  '/v1/qa/conversations?agent=bench_agent_7&page=3',
  '/v1/qa/conversations?channel=voice&sort=score',
];
const ANALYTICS = ['/v1/qa/analytics', '/v1/qa/analytics?team=team_chicago_b'];
async function time(path: string): Promise<number> {
  const s = performance.now();
  const r = await fetch(server.url + path, { headers: { cookie } });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  return performance.now() - s;
}
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * 0.95) - 1)]!;
const list: number[] = [];
const analytics: number[] = [];
for (const p of [...LISTS, ...ANALYTICS]) await time(p); // warm-up
for (let i = 0; i < ROUNDS && Date.now() < deadline; i++) {
  list.push(await time(LISTS[i % LISTS.length]!));
  if (i % 2 === 0) analytics.push(await time(ANALYTICS[(i / 2) % ANALYTICS.length]!));
}
await server.close();
await database.close();
await dropDb?.();
console.log(
  JSON.stringify({
    bench: 'qa',
    conversations: CONVS,
    findings: FINDINGS,
    list_p50_ms: Math.round(list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!),
    list_p95_ms: Math.round(p95(list)),
    analytics_p95_ms: Math.round(p95(analytics)),
    score_all_ms: Math.round(performance.now() - t0),
    db: database.kind,
  }),
);
