/** Builds the production extension once before the e2e tier, unless the caller already did. */
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.SOTTO_SKIP_BUILD === '1') return;
  const r = spawnSync('npx', ['wxt', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the extension build failed; e2e tests need .output/chrome-mv3');
}
