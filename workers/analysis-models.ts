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

/** onnxruntime-web, imported when first needed (its own chunk), set up for this worker. */
function ortLoader(ortWasmUrl: string) {
  return async () => {
    const ort = await import('onnxruntime-web/wasm');
    // Two threads were slower than one on two cores (TOOLCHAIN.md); no proxy worker inside a worker.
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = { wasm: ortWasmUrl };
    return ort;
  };
}

function reportLate(result: Promise<BootResult>): void {
  // Late failures: the model keeps answering with the reference evaluator; say so where the other
  // worker errors are read (the offscreen document's console).
  void result
    .then((booted) => booted.ready)
    .then(({ errors: late }) => {
      for (const e of late) console.error('[sotto] analysis setup (onnxruntime-web):', e);
    });
}

/**
 * Starts opening the models, once: the worker calls it as its script runs (the offscreen page asks
 * the background for the team's rulebooks before it calls init, and the models need none of that),
 * and `createAnalysisPipeline` reuses that start when its config names the same files.
 */
export function startModels(manifestUrl: string, ortWasmUrl: string): Promise<BootResult> {
  if (booting?.manifestUrl === manifestUrl && booting.ortWasmUrl === ortWasmUrl) return booting.result;
  // reference: answer with the TypeScript evaluator of the same verified files from the start and
  // switch to onnxruntime-web when its sessions are open (lib/models/reference.ts): ORT's own
  // start takes most of a second on a cold two-core machine (bench:models). ORT fetches its .wasm
  // itself (streaming compile, which V8 can serve from its code cache on the next start).
  const result = bootModels(ortLoader(ortWasmUrl), {
    manifestUrl,
    manifest: shippedManifest,
    reference: true,
  });
  reportLate(result);
  booting = { manifestUrl, ortWasmUrl, result };
  return result;
}

/**
 * Opens a fresh set of models from a manifest: the enrolled team's (validated by the background
 * against the shipped one; its files are the shipped files, resolved against `manifestUrl` and
 * checked again here, size and sha256), or the shipped one again when none is given. Always a new
 * set, never the one `startModels` shares: the caller swaps it in and releases the one it replaces.
 */
export function bootManifest(
  manifest: unknown | undefined,
  manifestUrl: string,
  ortWasmUrl: string,
): Promise<BootResult> {
  const result = bootModels(ortLoader(ortWasmUrl), {
    manifestUrl,
    manifest: manifest ?? shippedManifest,
    reference: true,
  });
  reportLate(result);
  return result;
}
