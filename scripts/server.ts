/**
 * `npm run server [-- --seed-demo] [--port N]`: the QA endpoint on PGlite (data in
 * $SOTTO_DATA_DIR, default ./data) or on PostgreSQL when DATABASE_URL is set.
 */
import { openDatabase } from '../server/db/connect';
import { createServer } from '../server/index';
import { seedQaDemo } from '../server/qa/demo';
import { seedDemo } from '../server/seed';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const database = await openDatabase({
  url: process.env.DATABASE_URL,
  dataDir: process.env.SOTTO_DATA_DIR ?? './data',
});
const port = Number(arg('--port') ?? process.env.PORT ?? 8787);
const server = await createServer({
  db: database,
  port,
  host: process.env.HOST ?? '127.0.0.1',
  publicUrl: process.env.SOTTO_PUBLIC_URL,
  cookieSecure: process.env.SOTTO_COOKIE_SECURE === '1',
});

if (process.argv.includes('--seed-demo')) {
  const demo = await seedDemo(database.db, { password: process.env.SOTTO_DEMO_PASSWORD });
  // Two weeks of scored history, so the QA console has something to show on a fresh machine.
  await seedQaDemo(database.db, demo, { conversations: 120 });
  const lines = [
    '',
    `Sotto QA endpoint: ${server.url}  (database: ${database.kind})`,
    `OpenAPI: ${server.url}/openapi.json`,
    `Teams: ${demo.teams.map((t) => t.name).join(', ')}`,
    ...Object.values(demo.users).map((u) => `  ${u.role.padEnd(6)} ${u.email}  password: ${u.password}`),
    `Enrolment code (agent extension): ${demo.enrolmentCodes.agent}`,
    `Enrolment code (lead extension):  ${demo.enrolmentCodes.lead}`,
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');
}

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await database.close();
    process.exit(0);
  });
}
