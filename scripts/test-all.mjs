#!/usr/bin/env node
/**
 * `npm test`: every tier in order — typecheck, lint, unit + component (Vitest in Node), the
 * production build, then e2e (Playwright driving Debian's Chromium). Each tier runs even when
 * an earlier one failed, so one run shows everything; the last line is `N passed, N failed`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const ART = 'artifacts/test';
mkdirSync(ART, { recursive: true });
let passed = 0;
let failed = 0;
const summary = [];

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function step(name, ok) {
  if (ok) passed++;
  else failed++;
  summary.push(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
}

function vitest(name, projects, env = {}) {
  const out = `${ART}/${name}.json`;
  const args = [
    'vitest',
    'run',
    ...projects.flatMap((p) => ['--project', p]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${out}`,
  ];
  const ok = run('npx', args, env);
  if (!existsSync(out)) {
    step(`${name} (no report)`, false);
    return;
  }
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A suite that failed to load has no tests to count but must still fail the run.
  const broken = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  failed += broken;
  summary.push(
    `${ok ? 'ok  ' : 'FAIL'} ${name}: ${r.numPassedTests} passed, ${r.numFailedTests + broken} failed, ${r.numPendingTests} skipped`,
  );
  // Name what failed next to the counts, so the last lines of a long log say where to look.
  for (const f of r.testResults) {
    const file = f.name.replace(`${process.cwd()}/`, '');
    if (f.status === 'failed' && f.assertionResults.length === 0) {
      summary.push(`       ${file}: ${firstLine(f.message ?? 'failed to load')}`);
    }
    for (const a of f.assertionResults) {
      if (a.status !== 'failed') continue;
      summary.push(`       ${file} > ${a.fullName}: ${firstLine(a.failureMessages?.[0] ?? '')}`);
    }
  }
}

/** The first line of a failure message, short enough for a summary. */
const firstLine = (m) => String(m).split('\n')[0].slice(0, 200);

function chromiumPath() {
  for (const p of [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ]) {
    if (p && existsSync(p)) return p;
  }
  return undefined;
}

step('typecheck', run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']));
step('lint', run('npx', ['biome', 'check', '.']));
vitest('unit', ['unit', 'component']);
const built = run('npx', ['wxt', 'build']);
step('build', built);

if (process.env.SOTTO_SKIP_E2E === '1') {
  summary.push('skip e2e (SOTTO_SKIP_E2E=1)');
} else if (!chromiumPath()) {
  console.error(
    '\nChromium not found: install it with `sudo apt-get update && sudo apt-get install -y chromium` (or set CHROMIUM_PATH), then run `npm test` again.\n',
  );
  step('e2e (Chromium not installed)', false);
} else if (!built) {
  step('e2e (not run: the build failed)', false);
} else {
  vitest('e2e', ['e2e'], { SOTTO_SKIP_BUILD: '1' });
}

console.log(`\n${summary.join('\n')}\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
