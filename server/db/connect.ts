/**
 * Open the database: PGlite with a data directory on disk by default (no install for the demo),
 * PostgreSQL when a `postgres://` URL is given. Both run the same migrations.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type Logger, errorFields } from '../log';
import { migrate } from './migrations';
import { PGliteDialect } from './pglite-dialect';
import { PGliteThread, type QueryLike } from './pglite-thread';
import { keepSpare, releaseSpare, takeSpare } from './spares';
import type { DB } from './types';

export type DbKind = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  /** Connections for the urgent lane (see priority.ts); the same as `db` on PGlite. */
  urgentDb: Kysely<DB>;
  kind: DbKind;
  close(): Promise<void>;
  /**
   * PGlite on a data directory: make sure a thread for the next open of this directory is kept
   * warm (a restart begins). Absent otherwise.
   */
  warmSpare?(): void;
}

export interface OpenOptions {
  /** `postgres://…` to use PostgreSQL; otherwise PGlite. */
  url?: string;
  /** PGlite data directory; `memory://` keeps it in memory. */
  dataDir?: string;
  poolSize?: number;
  /** An already created PGlite client (tests start from a pre-built data directory). */
  pglite?: PGlite;
  /**
   * Run PGlite on a worker thread (default), so database work never blocks the event loop that
   * answers devices and pushes alerts; false runs it on the calling thread.
   */
  pgliteThread?: boolean;
  /**
   * PGlite on a data directory: keep a warm thread ready for the next open of the same directory
   * (an in-process restart), taken instead of starting one then. Costs an idle thread and its
   * memory while the database is open.
   */
  spare?: boolean;
  /** Where a spare thread that failed (and the open without it) is reported. */
  log?: Logger;
}

/** A thread for `dataDir`: the warm spare kept for it if there is one, else a new one. */
async function openThread(dataDir: string, log: Logger | undefined): Promise<PGliteThread> {
  const spare = takeSpare(dataDir);
  if (spare) {
    try {
      return await (await spare).open();
    } catch (err) {
      log?.log('warn', 'database spare thread failed; opening the data directory without it', {
        dataDir,
        ...errorFields(err),
      });
    }
  }
  return PGliteThread.open(dataDir);
}

export async function openDatabase(opts: OpenOptions = {}): Promise<Database> {
  let db: Kysely<DB>;
  let urgentDb: Kysely<DB> | undefined;
  let kind: DbKind;
  let spareDir: string | undefined;
  if (opts.url && /^postgres(ql)?:\/\//.test(opts.url)) {
    kind = 'postgres';
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on('error', () => {});
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const urgentPool = new pg.Pool({ connectionString: opts.url, max: 4 });
    urgentPool.on('error', () => {});
    urgentDb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: urgentPool }) });
  } else {
    kind = 'pglite';
    let client: QueryLike | undefined = opts.pglite;
    if (!client) {
      const dataDir = opts.dataDir ?? './data';
      if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
      if (opts.pgliteThread === false) client = await PGlite.create(dataDir);
      else {
        client = await openThread(dataDir, opts.log);
        if (!dataDir.includes('://') || dataDir.startsWith('file://')) spareDir = dataDir;
      }
    }
    db = new Kysely<DB>({ dialect: new PGliteDialect(client) });
  }
  await migrate(db as unknown as Kysely<unknown>);
  // Warmed once this open is done, not during it: both would compete for the same cores.
  if (spareDir && opts.spare) keepSpare(spareDir);
  let closed = false;
  return {
    db,
    urgentDb: urgentDb ?? db,
    kind,
    ...(spareDir ? { warmSpare: () => keepSpare(spareDir) } : {}),
    async close() {
      if (closed) return;
      closed = true;
      if (spareDir) releaseSpare(spareDir);
      if (urgentDb) await urgentDb.destroy();
      await db.destroy();
    },
  };
}

/** Cheap liveness check used by /healthz. */
export async function pingDatabase(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}
