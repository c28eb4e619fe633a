// PGlite on its own thread (server/db/pglite-thread.ts). Plain JavaScript so that it loads the
// same under tsx, vitest and node. Queries arrive one at a time from the main thread's driver,
// which already serialises connections and puts the urgent lane first; this thread only runs them.
//
// Opening happens in two steps. Everything that does not touch the data directory (loading PGlite,
// instantiating its WASM, unpacking its file bundle) runs at once and ends with 'warm'; PostgreSQL
// starts on the data directory only when the main thread sends 'open'. A thread warmed while the
// previous one still closes the same directory (an endpoint restart) then only pays the start.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

const port = parentPort;
let openNow = () => {};
const opened = new Promise((resolve) => {
  openNow = resolve;
});

/** The data directory, with PGlite held back before its first read of it until 'open' arrives. */
class GatedNodeFS extends NodeFS {
  async initialSyncFs() {
    const bytes = workerData.prefaultBytes;
    if (bytes) {
      // A thread kept ahead of its open (a spare) also takes the first touch of the memory that
      // PostgreSQL's shared memory (128 MB of shared_buffers) is about to claim: growing the WASM
      // memory and faulting its pages in was most of PostgreSQL's start (0.5 s of 0.7 s).
      const mod = this.pg.Module;
      const at = mod._malloc(bytes);
      if (at) {
        mod.HEAPU8.fill(0, at, at + bytes);
        mod._free(at);
      }
    }
    port.postMessage({ type: 'warm' });
    await opened;
  }
}

const errorOf = (err) => {
  const e = { message: String(err?.message ?? err) };
  for (const k of ['code', 'detail', 'hint', 'severity', 'constraint', 'table', 'column', 'schema']) {
    if (typeof err?.[k] === 'string') e[k] = err[k];
  }
  return e;
};

let client;
port.on('message', async (m) => {
  if (m.type === 'open') {
    openNow();
  } else if (m.type === 'query') {
    try {
      const res = await client.query(m.sql, m.params);
      port.postMessage({ type: 'result', id: m.id, rows: res.rows, affectedRows: res.affectedRows });
    } catch (err) {
      port.postMessage({ type: 'result', id: m.id, error: errorOf(err) });
    }
  } else if (m.type === 'close') {
    try {
      if (client && !client.closed) await client.close();
    } finally {
      // The data directory is free from here on: the next thread may start on it while this one
      // exits (releasing its WASM memory takes a moment of its own).
      port.postMessage({ type: 'closed' });
      process.exit(0);
    }
  }
});

try {
  // The module compiled once per process and the file-system bundle read once (pglite-thread.ts).
  const dir = workerData.dataDir;
  const options = {};
  if (!dir.includes('://') || dir.startsWith('file://')) {
    options.fs = new GatedNodeFS(dir.replace(/^file:\/\//, ''));
  } else {
    // memory:// and the like: nothing to wait for, nothing worth warming.
    options.dataDir = dir;
    port.postMessage({ type: 'warm' });
    await opened;
  }
  if (workerData.module) options.pgliteWasmModule = workerData.module;
  if (workerData.fsBundle) options.fsBundle = new Blob([workerData.fsBundle]);
  client = await PGlite.create(options);
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'failed', error: { message: String(err?.message ?? err) } });
  process.exit(1);
}
