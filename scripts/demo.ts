/**
 * `npm run demo`: the whole product on this machine with its embedded defaults. Builds the
 * extension, starts the QA endpoint on PGlite with a demo organisation, serves the demo consoles,
 * starts Chromium with Sotto loaded for an agent (enrolled with a one-time code) and for the
 * team lead (lead mode), plays scenarios in three languages, prints the transcripts, findings and
 * the lead's alerts, and saves screenshots of the console, both side panels and the QA console.
 * A window where there is a display, headless where there is none.
 *
 * Options: --no-build (reuse .output/chrome-mv3), --speed N (default 3), --keep-open.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { openDatabase } from '../server/db/connect';
import { createServer } from '../server/index';
import { jsonLogger } from '../server/log';
import { seedQaDemo } from '../server/qa/demo';
import { seedDomainTeams } from '../server/qa/demo-teams';
import { seedDemo } from '../server/seed';
import { INSTALL_HINT, findChromium } from '../test/e2e/chromium';
import { launch } from '../test/e2e/harness';
import { Desk } from '../test/e2e/pages/desk';
import { SidePanel } from '../test/e2e/pages/sidepanel';
import { startFixtureServer } from '../test/fixtures/serve';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const speed = Number(args[args.indexOf('--speed') + 1]) || 3;
const SCENARIOS = ['angry-zh-hans', 'refund-zh-hant', 'billing-en', 'finance-zh-hans'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const executablePath = findChromium();
  if (!executablePath) {
    console.error(INSTALL_HINT);
    process.exit(1);
  }
  if (!flag('--no-build')) {
    console.log('▶ building the extension (production build) and the QA console…');
    const r = spawnSync('npx', ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('the extension build failed');
    spawnSync('npm', ['run', '-s', 'build:console'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const outDir = resolve('artifacts/demo', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(outDir, { recursive: true });

  // The QA endpoint, embedded: PGlite keeps its data in the run's folder.
  const database = await openDatabase({ dataDir: join(outDir, 'db') });
  const demo = await seedDemo(database.db);
  // Two weeks of scored history, so the QA console has conversations, trends and appeals to show.
  await seedQaDemo(database.db, demo, { conversations: 120 });
  // Per-team rule sets: Shanghai A and Chicago B run `general`; a desk per domain runs its own.
  for (const t of await seedDomainTeams(database.db, demo))
    console.log(`▶ team ${t.name} (${t.teamId}): rulebook ${t.rulebook}, published v${t.version}`);
  // The endpoint's own log goes to a file so the demo's story stays readable.
  const logFile = createWriteStream(join(outDir, 'endpoint.log'));
  const endpoint = await createServer({
    db: database,
    port: 0,
    host: '127.0.0.1',
    log: jsonLogger('info', (line) => logFile.write(`${line}\n`)),
  });
  console.log(`▶ QA endpoint at ${endpoint.url} (PGlite); QA console at ${endpoint.url}/console/`);
  for (const u of Object.values(demo.users))
    console.log(`    ${u.role.padEnd(6)} ${u.email}  password: ${u.password}`);

  const server = await startFixtureServer({ port: 0 });
  console.log(`▶ demo consoles at ${new URL('desk/', server.url).href}`);
  const headless = !process.env.DISPLAY;

  // The agent: Sotto enrolled with the agent's one-time code.
  const agent = await launch({ headless });
  console.log(
    `▶ Chromium ${headless ? '(headless) ' : ''}with Sotto ${agent.extensionId} for ${demo.users.agent.email}`,
  );
  const panel = await SidePanel.open(agent);
  await panel.page.evaluate((s) => chrome.storage.local.set({ 'sotto:sync-settings': s }), {
    endpoint: endpoint.url,
    enrolmentCode: demo.enrolmentCodes.agent,
  });

  // The team lead: a second browser profile in lead mode, enrolled with the lead's code.
  const enrol = await fetch(`${endpoint.url}/v1/devices/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: demo.enrolmentCodes.lead, deviceName: 'lead laptop' }),
  });
  const leadDevice = (await enrol.json()) as { token: string };
  const lead = await launch({ headless });
  const leadPanel = await SidePanel.open(lead);
  await leadPanel.page.evaluate((s) => chrome.storage.local.set({ 'sotto:panel-settings': s }), {
    lang: 'zh_CN',
    quiet: true,
    mode: 'lead',
    endpoint: endpoint.url,
    token: leadDevice.token,
  });
  await leadPanel.page.reload();
  console.log(`▶ lead mode for ${demo.users.lead.email}`);

  const desk = await Desk.open(agent.context, server.url);
  for (const id of SCENARIOS) {
    const { conversationId } = await desk.play(id, speed, undefined, 'posted');
    const expected = (await desk.messages(conversationId)).filter((m) => m.text.trim()).length;
    await panel.select(conversationId);
    await panel.waitForTurns(expected, { emotions: true, timeout: 60_000 });
    await sleep(300); // let the last findings arrive
    console.log(`\n■ ${id} (${conversationId})`);
    for (const t of await panel.readTurns()) {
      console.log(
        `  ${String(t.seq).padStart(2)} ${t.speaker.padEnd(8)} [${(t.emotion || '—').padEnd(10)}] ${t.text}`,
      );
    }
    const findings = await panel.readFindings();
    if (findings.length === 0) console.log('  findings: none');
    for (const f of findings)
      console.log(`  ⚑ ${f.severity.toUpperCase()} ${f.rule}: «${f.evidence.join('» «')}»`);
    await panel.screenshot(join(outDir, `panel-${id}.png`));
    await desk.page.screenshot({ path: join(outDir, `desk-${id}.png`) });
  }

  // Alerts reach the lead once the agent's self-correct windows run out (up to 30 s).
  console.log('\n▶ waiting for the agent-first windows to close, then the lead alerts…');
  await panel.page.evaluate(() => chrome.runtime.sendMessage({ type: 'sync-now' }));
  let alerts: { severity: string; title: string; conversationId: string }[] = [];
  const login = await fetch(`${endpoint.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demo.users.lead.email, password: demo.users.lead.password }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  for (let i = 0; i < 45 && alerts.length < 3; i++) {
    await sleep(1000);
    const r = await fetch(`${endpoint.url}/v1/alerts`, { headers: { cookie } });
    if (r.ok) alerts = ((await r.json()) as { alerts: typeof alerts }).alerts ?? [];
  }
  console.log(`■ lead alerts (${alerts.length})`);
  for (const a of alerts) console.log(`  ⚠ ${a.severity.toUpperCase()} ${a.title} — ${a.conversationId}`);
  await sleep(1000);
  await leadPanel.screenshot(join(outDir, 'lead-panel.png'));

  // The QA console, signed in as the QA manager.
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const qa = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await qa.goto(`${endpoint.url}/console/`);
  const email = qa.locator('input[type="email"], input[name="email"]');
  if (await email.count()) {
    await email.first().fill(demo.users.qa.email);
    await qa.locator('input[type="password"]').first().fill(demo.users.qa.password);
    await qa.keyboard.press('Enter');
    await sleep(1500);
  }
  await qa.screenshot({ path: join(outDir, 'qa-console.png') });
  console.log('■ QA console screenshot taken');
  await browser.close();

  console.log(`\n▶ screenshots saved in ${outDir}`);
  if (!headless && flag('--keep-open')) {
    console.log('The browsers stay open; press Ctrl-C to stop.');
    await new Promise<void>((r) => process.once('SIGINT', () => r()));
  }
  await agent.close();
  await lead.close();
  await server.close();
  await endpoint.close();
  await database.close();
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
