/**
 * The batch run's model thread: loads the emotion and intent models once for the whole run and
 * answers chunk by chunk, with the bounded prediction cache of PrefetchingClassifier. One
 * onnxruntime-web instance instead of one per analysis worker saves ~115 MB each (issue 11:
 * memory bounded regardless of input size and of the number of cores).
 */
import { setFlagsFromString } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { Prediction } from '../../analysis/types';
import type { FromModels, ToModels } from './protocol';
import { type LoadedClassifiers, loadClassifiers } from './setup';

// Baseline (Liftoff) WebAssembly code only: TurboFan's optimised copy of onnxruntime's 14 MB of
// WASM costs ~150 MB of memory and, measured on this workload, more CPU to compile than it saves
// (~130 vs ~210 µs per turn for both models). V8 flags are process-wide, so this also applies to
// the rule engine's tiny scanner in the analysis workers started after it.
setFlagsFromString('--liftoff-only');

const port = parentPort;
if (!port) throw new Error('model-worker.ts runs as a worker thread');

let loaded: LoadedClassifiers | undefined;
const send = (m: FromModels) => port.postMessage(m);
// Messages are handled one at a time, in order: ORT runs one inference at a time anyway.
let queue: Promise<void> = Promise.resolve();

port.on('message', (msg: ToModels) => {
  queue = queue.then(() => handle(msg));
});

async function handle(msg: ToModels): Promise<void> {
  if (msg.type === 'init') {
    const errors: string[] = [];
    try {
      loaded = await loadClassifiers(msg.manifestPath, errors);
    } catch (e) {
      errors.push(`fatal: ${(e as Error).message}`);
    }
    send({
      type: 'ready',
      errors,
      models: {
        ...(loaded?.emotion ? { emotion: loaded.emotion.name } : {}),
        ...(loaded?.intent ? { intent: loaded.intent.name } : {}),
      },
      names: loaded?.models ?? [],
    });
    return;
  }
  const l = loaded;
  if (!l) return send({ type: 'failed', id: msg.id, error: 'model thread not initialised' });
  try {
    const run = async (c: LoadedClassifiers['emotion']): Promise<Prediction[] | undefined> => {
      if (!c) return undefined;
      await c.prefetch(msg.inputs);
      return c.classify(msg.inputs);
    };
    const [emotion, intent] = [await run(l.emotion), await run(l.intent)];
    send({
      type: 'predictions',
      id: msg.id,
      predictions: { ...(emotion ? { emotion } : {}), ...(intent ? { intent } : {}) },
      cache: {
        hits: (l.emotion?.hits ?? 0) + (l.intent?.hits ?? 0),
        misses: (l.emotion?.misses ?? 0) + (l.intent?.misses ?? 0),
      },
    });
  } catch (e) {
    send({ type: 'failed', id: msg.id, error: (e as Error).message });
  }
}
