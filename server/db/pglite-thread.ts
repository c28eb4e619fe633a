/**
 * PGlite on a worker thread. PGlite runs PostgreSQL compiled to WASM, synchronously, on whatever
 * thread owns it: on the endpoint's main thread every bulk INSERT blocked the event loop, so a
 * request carrying a lead's alert waited to be read, parsed and answered behind the database work
 * of everyone else (bench:sync: PGlite was half of the main thread's time). Here the database
 * works on its own thread and the main thread stays free for HTTP, validation and the SSE fan-out;
 * the driver (pglite-dialect.ts) still hands out the one connection, urgent lane first.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** What every PGlite thread of this process starts from, prepared once. */
interface PGliteArtifacts {
  /** PostgreSQL compiled to WASM: a `WebAssembly.Module` posted to a worker is not compiled again. */
  module: WebAssembly.Module;
  /** PGlite's file-system bundle (share/, lib/), read from disk once. */
  fsBundle: Uint8Array;
}

let artifacts: Promise<PGliteArtifacts> | undefined;

/**
 * Compile PGlite's WASM once per process. Each new thread used to compile the 9 MB module again
 * and then run cold (unoptimised) code until V8 tiered it up, all while an endpoint that had just
 * restarted took the backlog of every device; a module handed over keeps the code compiled so far.
 */
export function pgliteArtifacts(): Promise<PGliteArtifacts> {
  artifacts ??= (async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const [wasm, fsBundle] = await Promise.all([
      readFile(join(dist, 'pglite.wasm')),
      readFile(join(dist, 'pglite.data')),
    ]);
    return { module: await WebAssembly.compile(wasm), fsBundle: new Uint8Array(fsBundle) };
  })();
  artifacts.catch(() => {
    artifacts = undefined;
  });
  return artifacts;
}

export interface QueryLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  close(): Promise<void>;
  readonly closed: boolean;
}

interface Pending {
  resolve(v: { rows: unknown[]; affectedRows?: number }): void;
  reject(e: Error): void;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; error: { message: string } }
  | { type: 'closed' }
  | {
      type: 'result';
      id: number;
      rows?: unknown[];
      affectedRows?: number;
      error?: { message: string; code?: string };
    };

export class PGliteThread implements QueryLike {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private isClosed = false;
  private closing: Promise<void> | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if (m.type !== 'result') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), m.error));
      else
        p.resolve({
          rows: m.rows ?? [],
          ...(m.affectedRows !== undefined ? { affectedRows: m.affectedRows } : {}),
        });
    });
    worker.on('exit', () => this.fail('PGlite thread closed'));
    worker.on('error', (e) => this.fail(`PGlite thread failed: ${e.message}`));
  }

  /** Starts the thread and opens the data directory; rejects if PGlite cannot open it. */
  static async open(dataDir: string): Promise<PGliteThread> {
    // Without the artifacts (an unusual install) the thread loads them itself, as PGlite does.
    const ready = await pgliteArtifacts().catch(() => undefined);
    const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
      workerData: { dataDir, module: ready?.module, fsBundle: ready?.fsBundle },
    });
    let onMessage: (m: FromWorker) => void = () => {};
    let onExit: (code: number) => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        onMessage = (m: FromWorker) => {
          if (m.type === 'ready') resolve();
          if (m.type === 'failed') reject(new Error(`PGlite could not open ${dataDir}: ${m.error.message}`));
        };
        onExit = (code: number) => reject(new Error(`PGlite thread exited (${code}) while opening`));
        worker.on('message', onMessage);
        worker.on('error', reject);
        worker.on('exit', onExit);
      });
    } finally {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    }
    return new PGliteThread(worker);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  query<R>(sql: string, params: unknown[] = []): Promise<{ rows: R[]; affectedRows?: number }> {
    // Same wording as a closed PGlite, so the endpoint answers 503 (isDatabaseUnavailable).
    if (this.isClosed) return Promise.reject(new Error('PGlite is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      this.worker.postMessage({ type: 'query', id, sql, params });
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ type: 'close' });
    }).then(() => {
      this.isClosed = true;
    });
    return this.closing;
  }

  private fail(reason: string): void {
    this.isClosed = true;
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }
}
