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
  | { type: 'warm' }
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

/**
 * A database thread started ahead of time: PGlite loaded, its WASM instantiated and its file
 * bundle unpacked, PostgreSQL not yet started on the data directory (which another thread may
 * still hold). `open()` starts it there; `discard()` ends it unused.
 */
/** PostgreSQL's shared memory in PGlite: 128 MB of shared_buffers plus its other structures. */
const SHARED_MEMORY_BYTES = 160 * 1024 * 1024;

export class PGliteSpare {
  /** Resolves once the thread waits for `open()`; rejects if it could not get there. */
  readonly warmed: Promise<void>;
  private readonly worker: Worker;
  private state: 'warming' | 'warm' | 'opening' | 'done' = 'warming';
  private failure: Error | undefined;
  private readonly listeners: ((m: FromWorker) => void)[] = [];

  private constructor(
    readonly dataDir: string,
    ready: PGliteArtifacts | undefined,
    prefaultBytes: number,
  ) {
    this.worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
      workerData: { dataDir, module: ready?.module, fsBundle: ready?.fsBundle, prefaultBytes },
      // The worker is plain JavaScript importing only PGlite: without this it inherits the parent's
      // loader flags (tsx under `npm run server`, bench and tests), whose hooks made every thread
      // start and import PGlite several times slower (0.3 s + 1 s instead of 0.1 s + 0.25 s).
      execArgv: [],
    });
    // Waiting for `open()`, the thread must not keep the process alive.
    this.worker.unref();
    this.warmed = new Promise<void>((resolve, reject) => {
      this.listeners.push((m) => {
        if (m.type === 'warm' && this.state === 'warming') {
          this.state = 'warm';
          resolve();
        }
      });
      this.onEnd = reject;
    });
    // A spare nobody opens is not an unhandled rejection; open() reports the failure.
    this.warmed.catch(() => {});
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'failed') this.end(new Error(`PGlite could not open ${dataDir}: ${m.error.message}`));
      else for (const l of [...this.listeners]) l(m);
    });
    this.worker.on('error', (e) => this.end(new Error(`PGlite thread failed: ${e.message}`)));
    this.worker.on('exit', (code) => this.end(new Error(`PGlite thread exited (${code}) while opening`)));
  }

  private onEnd: (err: Error) => void = () => {};

  private end(err: Error): void {
    if (this.state === 'done' || this.failure) return;
    this.failure = err;
    this.onEnd(err);
    for (const l of [...this.listeners]) l({ type: 'failed', error: { message: err.message } });
  }

  /**
   * Starts a thread for `dataDir` and takes it as far as it goes without touching the directory.
   * `ahead`: the thread is kept for a later open, so it also faults in the memory PostgreSQL's
   * shared memory will use (on a thread opened at once that only moves the cost around).
   */
  static async warm(dataDir: string, opts: { ahead?: boolean } = {}): Promise<PGliteSpare> {
    // Without the artifacts (an unusual install) the thread loads them itself, as PGlite does.
    const ready = await pgliteArtifacts().catch(() => undefined);
    return new PGliteSpare(dataDir, ready, opts.ahead ? SHARED_MEMORY_BYTES : 0);
  }

  /** Starts PostgreSQL on the data directory; rejects if the thread failed or cannot open it. */
  async open(): Promise<PGliteThread> {
    if (this.state !== 'warming' && this.state !== 'warm') throw new Error('PGlite spare already used');
    await this.warmed;
    if (this.failure) throw this.failure;
    this.state = 'opening';
    await new Promise<void>((resolve, reject) => {
      const l = (m: FromWorker) => {
        if (m.type === 'ready') resolve();
        if (m.type === 'failed') reject(this.failure ?? new Error(m.error.message));
      };
      this.listeners.push(l);
      this.worker.postMessage({ type: 'open' });
    });
    this.state = 'done';
    this.listeners.length = 0;
    this.worker.ref();
    return new PGliteThread(this.worker);
  }

  /** Ends a thread that was never opened (a later `open()` rejects, as for a thread that died). */
  discard(): Promise<void> {
    if (this.state === 'opening' || this.state === 'done') return Promise.resolve();
    return this.worker.terminate().then(() => {});
  }
}

export class PGliteThread implements QueryLike {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private isClosed = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly worker: Worker) {
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
    return (await PGliteSpare.warm(dataDir)).open();
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

  /**
   * Resolves once PostgreSQL has shut down and the data directory is free, without waiting for
   * the thread to finish exiting (or as soon as it exited, if it failed first).
   */
  close(): Promise<void> {
    // A thread that already ended (it failed) has nothing left to close.
    if (!this.closing && this.isClosed) return Promise.resolve();
    this.closing ??= new Promise<void>((resolve) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'closed') resolve();
      };
      this.worker.on('message', onMessage);
      this.worker.once('exit', () => {
        this.worker.off('message', onMessage);
        resolve();
      });
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
