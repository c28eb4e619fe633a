/**
 * Database threads warmed ahead of an open, one per PGlite data directory. An endpoint that may
 * be restarted in-process keeps one ready while its database is open (server/index.ts), so a
 * restart's open only starts PostgreSQL on the directory instead of also starting a thread,
 * loading PGlite and instantiating its WASM. A spare nobody takes after its directory closed is
 * ended after a while.
 */
import { resolve } from 'node:path';
import { PGliteSpare } from './pglite-thread';

/** How long a spare waits to be taken, once its directory's database has closed. */
export const SPARE_IDLE_MS = 30_000;

interface Kept {
  spare: Promise<PGliteSpare>;
  expiry?: ReturnType<typeof setTimeout>;
}

const kept = new Map<string, Kept>();

/** Starts warming a thread for `dataDir`, unless one is already kept for it. */
export function keepSpare(dataDir: string): void {
  const key = resolve(dataDir);
  const had = kept.get(key);
  if (had) {
    clearTimeout(had.expiry);
    had.expiry = undefined;
    return;
  }
  const spare = PGliteSpare.warm(dataDir, { ahead: true });
  // Failing to warm is reported by whoever takes it (and then opens without it).
  spare.catch(() => {});
  kept.set(key, { spare });
}

/** The directory's database closed: end its spare unless it is taken within `idleMs`. */
export function releaseSpare(dataDir: string, idleMs = SPARE_IDLE_MS): void {
  const key = resolve(dataDir);
  const entry = kept.get(key);
  if (!entry || entry.expiry) return;
  entry.expiry = setTimeout(() => {
    if (kept.get(key) !== entry) return;
    kept.delete(key);
    void entry.spare.then((s) => s.discard()).catch(() => {});
  }, idleMs);
  entry.expiry.unref();
}

/** The spare kept for `dataDir`, now the caller's to open or discard. */
export function takeSpare(dataDir: string): Promise<PGliteSpare> | undefined {
  const key = resolve(dataDir);
  const entry = kept.get(key);
  if (!entry) return undefined;
  clearTimeout(entry.expiry);
  kept.delete(key);
  return entry.spare;
}

/** The spare kept for `dataDir`, left in place (for status and tests). */
export function keptSpare(dataDir: string): Promise<PGliteSpare> | undefined {
  return kept.get(resolve(dataDir))?.spare;
}
