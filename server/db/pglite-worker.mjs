// PGlite on its own thread (server/db/pglite-thread.ts). Plain JavaScript so that it loads the
// same under tsx, vitest and node. Queries arrive one at a time from the main thread's driver,
// which already serialises connections and puts the urgent lane first; this thread only runs them.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const port = parentPort;
let client;
try {
  // The module compiled once per process and the file-system bundle read once (pglite-thread.ts).
  const options = {};
  if (workerData.module) options.pgliteWasmModule = workerData.module;
  if (workerData.fsBundle) options.fsBundle = new Blob([workerData.fsBundle]);
  client = await PGlite.create(workerData.dataDir, options);
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'failed', error: { message: String(err?.message ?? err) } });
  process.exit(1);
}

const errorOf = (err) => {
  const e = { message: String(err?.message ?? err) };
  for (const k of ['code', 'detail', 'hint', 'severity', 'constraint', 'table', 'column', 'schema']) {
    if (typeof err?.[k] === 'string') e[k] = err[k];
  }
  return e;
};

port.on('message', async (m) => {
  if (m.type === 'query') {
    try {
      const res = await client.query(m.sql, m.params);
      port.postMessage({ type: 'result', id: m.id, rows: res.rows, affectedRows: res.affectedRows });
    } catch (err) {
      port.postMessage({ type: 'result', id: m.id, error: errorOf(err) });
    }
  } else if (m.type === 'close') {
    try {
      if (!client.closed) await client.close();
    } finally {
      port.postMessage({ type: 'closed' });
      process.exit(0);
    }
  }
});
