import type * as Ort from 'onnxruntime-web';
import { prepareNormaliser } from '../featurise';
import { ModelManifest } from './manifest';
import { type LoadedModel, loadModel, type OrtModule, openModel } from './runtime';

/**
 * Opens every model of a manifest as fast as a cold worker can (issue #5: cold start ≤ 300 ms).
 *
 * onnxruntime-web's own start (fetching and compiling its 14 MB WASM, its static initialisers,
 * creating a session) takes 0.5–1.5 s on a cold two-core machine (bench:models). With `reference`,
 * models whose file holds the graph Sotto's trainer exports answer with the TypeScript reference
 * evaluator of the same verified bytes as soon as they are checked, and switch to onnxruntime-web
 * when its sessions are open (runtime.ts, `openModel`). Either way everything independent overlaps:
 * the manifest, then every model file, are fetched in parallel, the t2cn converter is built while
 * the model files are in flight, and the sessions are created concurrently. With `ortWasmUrl`,
 * ORT's .wasm is also fetched up front and handed over as bytes (`env.wasm.wasmBinary`); without it
 * ORT fetches it itself with a streaming compile, which V8 can serve from its code cache on the next
 * start, so the analysis worker leaves it out. Every model is verified (size, sha256, featuriser,
 * and ORT's I/O names and output width once its session is open) before it answers.
 */

export interface BootOptions {
  /** URL of models/manifest.json; model files are resolved relative to it. */
  manifestUrl: string;
  /**
   * The manifest's content, when the caller already holds it (the analysis worker bundles the
   * shipped one, which saves a round trip before the model files can be requested); otherwise it is
   * fetched from `manifestUrl`. It is validated the same way either way.
   */
  manifest?: unknown;
  /** URL of ORT's .wasm; when given, its bytes are fetched in parallel with the models. */
  ortWasmUrl?: string;
  fetch?: typeof fetch;
  sessionOptions?: Ort.InferenceSession.SessionOptions;
  /**
   * Answer with the TypeScript reference evaluator while onnxruntime-web starts (runtime.ts,
   * `openModel`): `bootModels` then resolves as soon as every model's bytes are verified, and
   * `ready` when every onnxruntime-web session is open.
   */
  reference?: boolean;
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
  /**
   * Settles when onnxruntime-web answers for every model that loaded, with the errors of those whose
   * session failed (they keep answering with the reference evaluator). Without `reference`, or when
   * no model has a reference evaluator, this is immediate and empty.
   */
  ready: Promise<{ errors: string[] }>;
}

/**
 * onnxruntime-web, or a function that imports it (`() => import('onnxruntime-web/wasm')`). With
 * `reference`, the function is called only once every model answers with the reference evaluator,
 * so ORT's JS is neither fetched nor evaluated before the first answers (its own chunk).
 */
export type OrtSource = (OrtModule & OrtEnv) | (() => Promise<OrtModule & OrtEnv>);

export async function bootModels(source: OrtSource, options: BootOptions): Promise<BootResult> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const mark = (name: string) => {
    timings[name] = Math.round((performance.now() - t0) * 10) / 10;
  };
  const get = options.fetch ?? fetch;
  const errors: string[] = [];
  const models = new Map<string, LoadedModel>();
  const handovers: Promise<string | undefined>[] = [];
  const done = () => ({
    models,
    errors,
    timings,
    ready: Promise.all(handovers).then((es) => ({ errors: es.filter((e): e is string => !!e) })),
  });

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

  let manifest: ModelManifest;
  try {
    const raw = options.manifest ?? (await (await get(options.manifestUrl)).json());
    const parsed = ModelManifest.safeParse(raw);
    if (!parsed.success) {
      errors.push(`model manifest invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
      return done();
    }
    manifest = parsed.data;
  } catch (e) {
    errors.push(`model manifest unreadable: ${(e as Error).message}`);
    return done();
  }
  mark('manifest');

  const files = manifest.models.map((entry) =>
    get(new URL(entry.file, options.manifestUrl).href)
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((b) => new Uint8Array(b)),
  );
  // Synchronous work that would otherwise delay the first answer, done while the model files are
  // in flight (after the manifest: its fetch is short, theirs is what this overlaps).
  prepareNormaliser();
  mark('normaliserReady');
  // Loaded once, when first needed; the prefetched .wasm bytes (if any) go to it then.
  let loading: Promise<OrtModule & OrtEnv> | undefined;
  const ort = () =>
    (loading ??= (async () => {
      const loaded = typeof source === 'function' ? await source() : source;
      const wasmBytes = await wasm;
      if (wasmBytes) loaded.env.wasm.wasmBinary = wasmBytes;
      mark('ortLoaded');
      return loaded;
    })());

  // ORT's start (instantiating its WASM, its static initialisers) holds this thread for a while: it
  // waits until every model answers with the reference evaluator and the caller's first answers
  // (queued right after this function returns) have gone out.
  let release!: () => void;
  const allAnswering = new Promise<void>((resolve) => {
    release = resolve;
  });
  await Promise.all(
    manifest.models.map(async (entry, i) => {
      try {
        const bytes = await files[i]!;
        mark(`${entry.name}Fetched`);
        const sessionOptions = { sessionOptions: options.sessionOptions };
        if (!options.reference) {
          models.set(entry.task, await loadModel(await ort(), bytes, entry, sessionOptions));
          mark(`${entry.name}Loaded`);
          return;
        }
        const opened = await openModel(ort, bytes, entry, { ...sessionOptions, startSession: allAnswering });
        models.set(entry.task, opened.model);
        mark(`${entry.name}${opened.model.engine === 'reference' ? 'Reference' : 'Loaded'}`);
        handovers.push(
          opened.ready.then(
            () => {
              mark(`${entry.name}Loaded`);
              return undefined;
            },
            (e: unknown) => (e instanceof Error ? e.message : `model ${entry.name}: ${String(e)}`),
          ),
        );
      } catch (e) {
        errors.push(e instanceof Error ? e.message : `model ${entry.name}: ${String(e)}`);
      }
    }),
  );
  setTimeout(release, 0);
  return done();
}
