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

/** The Chromium to drive, or an error that says how to install one. */
export function requireChromium(): string {
  const path = findChromium();
  if (!path) throw new Error(INSTALL_HINT);
  return path;
}

/**
 * Flags for a Chromium without the extension (the QA console, benches): no sandbox (it runs in a
 * container), no GPU, and no background traffic of its own to disturb what is measured.
 */
export const PLAIN_CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
