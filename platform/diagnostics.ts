/**
 * Structured log lines kept in `storage.session` (a ring buffer), so the options page, tests and
 * support can read why something was rejected even after the service worker restarted.
 */
import { browser } from 'wxt/browser';

const KEY = 'sotto:log';
const MAX = 200;
let queue: Promise<void> = Promise.resolve();

export interface LogLine {
  ts: number;
  level: 'info' | 'warn';
  msg: string;
  data?: Record<string, unknown>;
}

export function recordLog(level: LogLine['level'], msg: string, data?: Record<string, unknown>): void {
  (level === 'warn' ? console.warn : console.info)(`[sotto] ${msg}`, data ?? '');
  const line: LogLine = data ? { ts: Date.now(), level, msg, data } : { ts: Date.now(), level, msg };
  queue = queue
    .then(async () => {
      const area = browser.storage.session ?? browser.storage.local;
      const got = await area.get(KEY);
      const lines = ((got[KEY] as LogLine[] | undefined) ?? []).concat(line).slice(-MAX);
      await area.set({ [KEY]: lines });
    })
    .catch(() => {});
}

export async function readLog(): Promise<LogLine[]> {
  const area = browser.storage.session ?? browser.storage.local;
  return ((await area.get(KEY))[KEY] as LogLine[] | undefined) ?? [];
}
