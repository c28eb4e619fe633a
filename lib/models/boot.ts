import type * as Ort from 'onnxruntime-web';
import { prepareNormaliser } from '../featurise';
import { ModelManifest } from './manifest';
import { type LoadedModel, loadModel, type OrtModule } from './runtime';

/**
 * Opens every model of a manifest as fast as a cold worker can (issue #5: cold start ≤ 300 ms).
 *
 * The cost of a cold start is almost all onnxruntime's 14 MB WASM: fetching, compiling and
 * instantiating it before the first session. So everything independent starts at once: the manifest
 * and (as soon as the manifest names them) every model file are fetched in parallel, the t2cn
 * converter is built while they are in flight, and the sessions are created concurrently, so the
 * second model's checks and parse overlap the first one's wait for the WASM. With `ortWasmUrl`, ORT's
 * .wasm is also fetched up front and handed over as bytes (`env.wasm.wasmBinary`); without it ORT
 * fetches it itself with a streaming compile, which V8 can serve from its code cache on the next
 * start and which started faster in bench:models' same-run comparison, so the analysis worker
 * leaves it out. Every model is still verified by `loadModel` (sha256, size, featuriser, I/O, probe
 * run) before it is used.
 */

export interface BootOptions {
  /** URL of models/manifest.json; model files are resolved relative to it. */
  manifestUrl: string;
  /** URL of ORT's .wasm; when given, its bytes are fetched in parallel with the models. */
  ortWasmUrl?: string;
  fetch?: typeof fetch;
  sessionOptions?: Ort.InferenceSession.SessionOptions;
}

/** The part of `ort.env` boot touches (the `wasm` settings). */
export interface OrtEnv {
  env: { wasm: { wasmBinary?: ArrayBufferLike | Uint8Array; wasmPaths?: unknown } };
}

export interface BootResult {
  models: Map<string, LoadedModel>;
  errors: string[];
  /** Milliseconds from the call to each step, for cold-start profiles. */
  timings: Record<string, number>;
}

export async function bootModels(ort: OrtModule & OrtEnv, options: BootOptions): Promise<BootResult> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const mark = (name: string) => {
    timings[name] = Math.round((performance.now() - t0) * 10) / 10;
  };
  const get = options.fetch ?? fetch;
  const errors: string[] = [];
  const models = new Map<string, LoadedModel>();

  const wasm = options.ortWasmUrl
    ? get(options.ortWasmUrl)
        .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then((b) => {
          mark('wasmFetched');
          return new Uint8Array(b);
        })
        // Without the prefetched bytes ORT falls back to fetching from wasmPaths itself.
        .catch(() => undefined)
    : Promise.resolve(undefined);

  const manifestResponse = get(options.manifestUrl);
  // Synchronous work that would otherwise delay the first answer, done while the fetches and the
  // WASM download are in flight.
  prepareNormaliser();
  mark('normaliserReady');

  let manifest: ModelManifest;
  try {
    const raw = await (await manifestResponse).json();
    const parsed = ModelManifest.safeParse(raw);
    if (!parsed.success) {
      errors.push(`model manifest invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
      return { models, errors, timings };
    }
    manifest = parsed.data;
  } catch (e) {
    errors.push(`model manifest unreadable: ${(e as Error).message}`);
    return { models, errors, timings };
  }
  mark('manifest');

  const files = manifest.models.map((entry) =>
    get(new URL(entry.file, options.manifestUrl).href)
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((b) => new Uint8Array(b)),
  );
  const wasmBytes = await wasm;
  if (wasmBytes) ort.env.wasm.wasmBinary = wasmBytes;

  await Promise.all(
    manifest.models.map(async (entry, i) => {
      try {
        const bytes = await files[i]!;
        mark(`${entry.name}Fetched`);
        models.set(
          entry.task,
          await loadModel(ort, bytes, entry, { sessionOptions: options.sessionOptions }),
        );
        mark(`${entry.name}Loaded`);
      } catch (e) {
        errors.push(e instanceof Error ? e.message : `model ${entry.name}: ${String(e)}`);
      }
    }),
  );
  return { models, errors, timings };
}
