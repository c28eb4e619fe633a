/**
 * Opens the analysis worker's models. Kept apart from the pipeline setup (analysis-setup.ts, rules
 * and their zod schemas) so the worker's first script holds only what the models' first answers
 * need: the featuriser, the manifest check (zod/mini) and the reference evaluator. onnxruntime-web's
 * JS is imported only once every model answers (its own chunk), like the pipeline setup.
 */
import { type BootResult, bootModels } from '@/lib/models/boot';
// The shipped manifest, bundled: the model files can be requested at once, and are still checked
// against it (size, sha256) before they answer.
import shippedManifest from '@/models/manifest.json';

let booting: { manifestUrl: string; ortWasmUrl: string; result: Promise<BootResult> } | undefined;

/**
 * Starts opening the models, once: the worker calls it as its script runs (the offscreen page asks
 * the background for the team's rulebooks before it calls init, and the models need none of that),
 * and `createAnalysisPipeline` reuses that start when its config names the same files.
 */
export function startModels(manifestUrl: string, ortWasmUrl: string): Promise<BootResult> {
  if (booting?.manifestUrl === manifestUrl && booting.ortWasmUrl === ortWasmUrl) return booting.result;
  const loadOrt = async () => {
    const ort = await import('onnxruntime-web/wasm');
    // Two threads were slower than one on two cores (TOOLCHAIN.md); no proxy worker inside a worker.
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = { wasm: ortWasmUrl };
    return ort;
  };
  // reference: answer with the TypeScript evaluator of the same verified files from the start and
  // switch to onnxruntime-web when its sessions are open (lib/models/reference.ts): ORT's own
  // start takes most of a second on a cold two-core machine (bench:models). ORT fetches its .wasm
  // itself (streaming compile, which V8 can serve from its code cache on the next start).
  const result = bootModels(loadOrt, { manifestUrl, manifest: shippedManifest, reference: true });
  // Late failures: the model keeps answering with the reference evaluator; say so where the other
  // worker errors are read (the offscreen document's console).
  void result
    .then((booted) => booted.ready)
    .then(({ errors: late }) => {
      for (const e of late) console.error('[sotto] analysis setup (onnxruntime-web):', e);
    });
  booting = { manifestUrl, ortWasmUrl, result };
  return result;
}
