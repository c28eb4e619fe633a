/** Finds a Chromium to drive; no test tool may download its own browser here. */
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

export function findChromium(): string | undefined {
  const env = process.env.CHROMIUM_PATH;
  if (env && existsSync(env)) return env;
  return CANDIDATES.find((p) => existsSync(p));
}

export const INSTALL_HINT =
  'Chromium not found: install it with `sudo apt-get update && sudo apt-get install -y chromium` (or set CHROMIUM_PATH).';
