/**
 * `npm run demo`: the whole product on this machine with its embedded defaults. Builds the
 * extension, serves the demo consoles, starts Chromium with Sotto loaded (a window where there is
 * a display, headless where there is none), plays scenarios in three languages, prints what
 * happened and saves screenshots.
 *
 * Options: --no-build (reuse .output/chrome-mv3), --speed N (default 3), --keep-open.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startFixtureServer } from '../test/fixtures/serve';
import { INSTALL_HINT, findChromium } from '../test/e2e/chromium';
import { launch } from '../test/e2e/harness';
import { Desk } from '../test/e2e/pages/desk';
import { SidePanel } from '../test/e2e/pages/sidepanel';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const speed = Number(args[args.indexOf('--speed') + 1]) || 3;
const SCENARIOS = ['angry-zh-hans', 'refund-zh-hant', 'billing-en', 'finance-zh-hans'];

async function main(): Promise<void> {
  if (!findChromium()) {
    console.error(INSTALL_HINT);
    process.exit(1);
  }
  if (!flag('--no-build')) {
    console.log('▶ building the extension (production build)…');
    const r = spawnSync('npx', ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('the extension build failed');
  }
  const outDir = resolve('artifacts/demo', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(outDir, { recursive: true });

  const server = await startFixtureServer({ port: 0 });
  console.log(`▶ demo consoles at ${new URL('desk/', server.url).href}`);
  const headless = !process.env.DISPLAY;
  const l = await launch({ headless });
  console.log(`▶ Chromium ${headless ? '(headless)' : ''} with Sotto ${l.extensionId}`);
  const panel = await SidePanel.open(l);
  const desk = await Desk.open(l.context, server.url);

  for (const id of SCENARIOS) {
    const { conversationId } = await desk.play(id, speed, undefined, 'posted');
    const expected = (await desk.messages(conversationId)).filter((m) => m.text.trim()).length;
    await panel.select(conversationId);
    await panel.waitForTurns(expected, { emotions: true, timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 300)); // let the last findings arrive
    console.log(`\n■ ${id} (${conversationId})`);
    for (const t of await panel.readTurns()) {
      console.log(
        `  ${String(t.seq).padStart(2)} ${t.speaker.padEnd(8)} [${t.emotion.padEnd(10)}] ${t.text}`,
      );
    }
    const findings = await panel.readFindings();
    if (findings.length === 0) console.log('  findings: none');
    for (const f of findings)
      console.log(`  ⚑ ${f.severity.toUpperCase()} ${f.rule}: «${f.evidence.join('» «')}»`);
    await panel.screenshot(join(outDir, `panel-${id}.png`));
    await desk.page.screenshot({ path: join(outDir, `desk-${id}.png`) });
  }

  console.log(`\n▶ screenshots saved in ${outDir}`);
  if (!headless && flag('--keep-open')) {
    console.log('The browser stays open; press Ctrl-C to stop.');
    await new Promise<void>((r) => process.once('SIGINT', () => r()));
  }
  await l.close();
  await server.close();
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
