import type * as Ort from 'onnxruntime-web';
import { createFeaturiser, type Featuriser, isSupportedFeaturiser, packBatch } from '../featurise';
import { ModelEntry } from './manifest';
import { type ReferenceModel, referenceFor } from './reference';

/**
 * Runs a manifest-described model with an injected onnxruntime-web module, so this file stays free
 * of browser globals and bundler specifics: the analysis worker passes `onnxruntime-web/wasm`,
 * Node tests and the CLI pass `onnxruntime-web`.
 */

/** The slice of onnxruntime-web the runtime needs. */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

export type ModelLoadErrorCode =
  | 'manifest-invalid'
  | 'size-mismatch'
  | 'sha256-mismatch'
  | 'featuriser-unsupported'
  | 'invalid-onnx'
  | 'io-mismatch'
  | 'output-mismatch';

export class ModelLoadError extends Error {
  constructor(
    readonly code: ModelLoadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

export interface ClassifyInput {
  text: string;
  speaker?: 'agent' | 'customer' | 'system';
  /** The previous turn, used by models whose featuriser declares a context weight. */
  context?: string;
}

export interface ClassifyOutput {
  label: string;
  probs: Record<string, number>;
}

export interface LoadedModel {
  readonly entry: ModelEntry;
  /**
   * What answers right now: onnxruntime-web, or the TypeScript reference evaluator that answers
   * while onnxruntime-web is still starting (see `openModel`).
   */
  readonly engine?: 'onnxruntime' | 'reference';
  classify(batch: readonly ClassifyInput[]): Promise<ClassifyOutput[]>;
  release(): Promise<void>;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // WebCrypto exists in Node ≥ 19 and in workers; no polyfill needed.
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface LoadOptions {
  sessionOptions?: Ort.InferenceSession.SessionOptions;
}

/** Entry, size, sha256 and featuriser checks, before any engine sees the bytes. */
async function verify(
  bytes: Uint8Array,
  rawEntry: unknown,
): Promise<{ entry: ModelEntry; featurise: Featuriser }> {
  const parsed = ModelEntry.safeParse(rawEntry);
  if (!parsed.success)
    throw new ModelLoadError(
      'manifest-invalid',
      `model manifest entry is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const entry = parsed.data;
  if (bytes.byteLength !== entry.bytes)
    throw new ModelLoadError(
      'size-mismatch',
      `model ${entry.name}: file has ${bytes.byteLength} bytes, manifest says ${entry.bytes}`,
    );
  const sha = await sha256Hex(bytes);
  if (sha !== entry.sha256)
    throw new ModelLoadError(
      'sha256-mismatch',
      `model ${entry.name}: sha256 ${sha} does not match the manifest (${entry.sha256}); the file is corrupt or not this model`,
    );
  const { id, version, params } = entry.featuriser;
  if (!isSupportedFeaturiser(id, version))
    throw new ModelLoadError(
      'featuriser-unsupported',
      `model ${entry.name}: featuriser ${id}@${version} is not supported`,
    );
  return { entry, featurise: createFeaturiser(id, version, params) };
}

/** Opens the ORT session and checks its inputs, outputs and output width against the entry. */
async function openSession(
  ort: OrtModule,
  bytes: Uint8Array,
  entry: ModelEntry,
  featurise: Featuriser,
  options: LoadOptions,
): Promise<SessionModel> {
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['wasm'],
      // 'basic' still folds the constant dequantisation of the weights; the 'all' level's fusions
      // have nothing to fuse in this graph and only lengthen session creation (cold start).
      graphOptimizationLevel: 'basic',
      ...options.sessionOptions,
    });
  } catch (e) {
    throw new ModelLoadError(
      'invalid-onnx',
      `model ${entry.name}: onnxruntime could not load it: ${(e as Error).message}`,
    );
  }
  const model = new SessionModel(ort, session, entry, featurise);
  try {
    if (!session.inputNames.includes(entry.inputs.ids) || !session.inputNames.includes(entry.inputs.weights))
      throw new ModelLoadError(
        'io-mismatch',
        `model ${entry.name}: inputs [${session.inputNames.join(', ')}] lack ${entry.inputs.ids}/${entry.inputs.weights}`,
      );
    if (!session.outputNames.includes(entry.outputs.probs))
      throw new ModelLoadError(
        'io-mismatch',
        `model ${entry.name}: outputs [${session.outputNames.join(', ')}] lack ${entry.outputs.probs}`,
      );
    // One probe run: a model whose output width is not the label count would mislabel silently.
    const width = await model.outputWidth();
    if (width !== entry.labels.length)
      throw new ModelLoadError(
        'output-mismatch',
        `model ${entry.name}: outputs ${width} scores, manifest lists ${entry.labels.length} labels`,
      );
  } catch (e) {
    await session.release().catch(() => {});
    if (e instanceof ModelLoadError) throw e;
    throw new ModelLoadError(
      'invalid-onnx',
      `model ${entry.name}: probe run failed: ${(e as Error).message}`,
    );
  }
  return model;
}

/**
 * Verifies and opens a model. Throws ModelLoadError (never a half-loaded model) when the entry is
 * invalid, the bytes are not the ones the entry hashes, the featuriser is unknown, ORT cannot parse
 * the file, or its inputs/outputs do not match the entry.
 */
export async function loadModel(
  ort: OrtModule,
  bytes: Uint8Array,
  rawEntry: unknown,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const { entry, featurise } = await verify(bytes, rawEntry);
  return openSession(ort, bytes, entry, featurise, options);
}

export interface OpenedModel {
  model: LoadedModel;
  /**
   * Settles once onnxruntime-web answers for the model: fulfilled when its session passed the
   * checks, rejected with the ModelLoadError when it did not (the model then keeps answering with
   * the reference evaluator, which read the same verified bytes, and the error is the caller's to
   * report). Already fulfilled when there was no reference evaluator to start with.
   */
  ready: Promise<void>;
}

/**
 * Like `loadModel`, but does not wait for onnxruntime-web when the file holds the graph Sotto's
 * trainer exports: after the same entry, size, sha256 and featuriser checks, and a check that the
 * graph's output width is the label count, the model answers at once with the TypeScript reference
 * evaluator (reference.ts) and switches to onnxruntime-web when its session is open. Any other
 * graph (a customer's own export) is opened exactly as `loadModel` opens it.
 */
export async function openModel(
  /**
   * onnxruntime-web, or a function that loads it: called only once `startSession` settled, so a
   * worker can leave ORT's JS out of the script it evaluates before the first answer.
   */
  ort: OrtModule | (() => Promise<OrtModule>),
  bytes: Uint8Array,
  rawEntry: unknown,
  options: LoadOptions & {
    /**
     * onnxruntime-web's session is created once this settles (default: at once). Its start keeps
     * the thread busy for a while, so a caller opening several models lets them all answer first.
     */
    startSession?: Promise<unknown>;
  } = {},
): Promise<OpenedModel> {
  const { entry, featurise } = await verify(bytes, rawEntry);
  const reference = referenceFor(
    bytes,
    { ids: entry.inputs.ids, weights: entry.inputs.weights, probs: entry.outputs.probs },
    entry.featuriser.params.buckets,
  );
  const ortNow = () => (typeof ort === 'function' ? ort() : Promise.resolve(ort));
  if (!reference)
    return {
      model: await openSession(await ortNow(), bytes, entry, featurise, options),
      ready: Promise.resolve(),
    };
  if (reference.classes !== entry.labels.length)
    throw new ModelLoadError(
      'output-mismatch',
      `model ${entry.name}: outputs ${reference.classes} scores, manifest lists ${entry.labels.length} labels`,
    );
  const model = new HandoverModel(entry, featurise, reference);
  const ready = Promise.resolve(options.startSession)
    .then(ortNow)
    .then((loaded) => openSession(loaded, bytes, entry, featurise, options))
    .then((session) => model.handOver(session));
  // The caller may look at `ready` late (or never): no unhandled rejection meanwhile.
  ready.catch(() => {});
  return { model, ready };
}

/** Speaker label masks: labels outside a speaker's set get probability 0. */
function speakerMasks(entry: ModelEntry): Partial<Record<'agent' | 'customer' | 'system', Uint8Array>> {
  const masks: Partial<Record<'agent' | 'customer' | 'system', Uint8Array>> = {};
  for (const [speaker, set] of Object.entries(entry.labelSets ?? {})) {
    const m = new Uint8Array(entry.labels.length);
    for (const l of set) m[entry.labels.indexOf(l)] = 1;
    masks[speaker as 'agent' | 'customer' | 'system'] = m;
  }
  return masks;
}

function featuresOf(
  featurise: Featuriser,
  batch: readonly ClassifyInput[],
): { ids: Int32Array; weights: Float32Array; width: number } {
  // One utterance (the common case) goes straight in: no padding copy.
  if (batch.length === 1) {
    const { ids, weights } = featurise(batch[0]!);
    return { ids, weights, width: ids.length };
  }
  return packBatch(batch.map((b) => featurise(b)));
}

function labelled(
  labels: readonly string[],
  masks: Partial<Record<'agent' | 'customer' | 'system', Uint8Array>>,
  batch: readonly ClassifyInput[],
  data: Float32Array,
  width: number,
): ClassifyOutput[] {
  return batch.map((item, b) => {
    // Without a speaker every label stays possible (e.g. a transcript line of unknown origin).
    const mask = item.speaker ? masks[item.speaker] : undefined;
    const row = data.subarray(b * width, (b + 1) * width);
    let sum = 0;
    for (let c = 0; c < width; c++) if (!mask || mask[c]) sum += row[c]!;
    const probs: Record<string, number> = {};
    let best = -1;
    for (let c = 0; c < width; c++) {
      // Renormalising over the allowed labels equals a softmax masked to the speaker's label set.
      const p = !mask || mask[c] ? (sum > 0 ? row[c]! / sum : 0) : 0;
      probs[labels[c]!] = p;
      if ((!mask || mask[c]) && (best < 0 || p > probs[labels[best]!]!)) best = c;
    }
    return { label: labels[best]!, probs };
  });
}

class SessionModel implements LoadedModel {
  readonly engine = 'onnxruntime' as const;
  /** ORT sessions must not run concurrently; calls queue here. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly masks: Partial<Record<'agent' | 'customer' | 'system', Uint8Array>>;

  constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly entry: ModelEntry,
    private readonly featurise: Featuriser,
  ) {
    this.masks = speakerMasks(entry);
  }

  private async run(batch: readonly ClassifyInput[]): Promise<{ data: Float32Array; width: number }> {
    const packed = featuresOf(this.featurise, batch);
    const dims = [batch.length, packed.width];
    const feeds = {
      [this.entry.inputs.ids]: new this.ort.Tensor('int32', packed.ids, dims),
      [this.entry.inputs.weights]: new this.ort.Tensor('float32', packed.weights, dims),
    };
    const task = this.queue.then(() => this.session.run(feeds));
    this.queue = task.catch(() => {});
    const out = await task;
    const probs = out[this.entry.outputs.probs];
    if (!probs) throw new Error(`output ${this.entry.outputs.probs} missing`);
    const data = probs.data as Float32Array;
    return { data, width: data.length / batch.length };
  }

  async outputWidth(): Promise<number> {
    return (await this.run([{ text: '' }])).width;
  }

  async classify(batch: readonly ClassifyInput[]): Promise<ClassifyOutput[]> {
    if (batch.length === 0) return [];
    const { data, width } = await this.run(batch);
    return labelled(this.entry.labels, this.masks, batch, data, width);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Answers with the reference evaluator until onnxruntime-web's session takes over. */
class HandoverModel implements LoadedModel {
  private session: SessionModel | undefined;
  private released = false;
  private readonly masks: Partial<Record<'agent' | 'customer' | 'system', Uint8Array>>;

  constructor(
    readonly entry: ModelEntry,
    private readonly featurise: Featuriser,
    private reference: ReferenceModel | undefined,
  ) {
    this.masks = speakerMasks(entry);
  }

  get engine(): 'onnxruntime' | 'reference' {
    return this.session ? 'onnxruntime' : 'reference';
  }

  async handOver(session: SessionModel): Promise<void> {
    if (this.released) await session.release().catch(() => {});
    else {
      this.session = session;
      // Its views keep the model file's bytes alive; ORT holds its own copy.
      this.reference = undefined;
    }
  }

  async classify(batch: readonly ClassifyInput[]): Promise<ClassifyOutput[]> {
    if (this.session) return this.session.classify(batch);
    const reference = this.reference;
    if (!reference) throw new Error(`model ${this.entry.name} was released`);
    if (batch.length === 0) return [];
    const packed = featuresOf(this.featurise, batch);
    const data = reference.run(packed.ids, packed.weights, batch.length, packed.width);
    return labelled(this.entry.labels, this.masks, batch, data, reference.classes);
  }

  async release(): Promise<void> {
    this.released = true;
    this.reference = undefined;
    await this.session?.release();
    this.session = undefined;
  }
}

/**
 * Holds the model currently in use for one task. `replace` swaps only after the new model loaded and
 * passed every check; on failure the previous model keeps running and the error is returned.
 */
export class ModelSlot {
  current: LoadedModel | undefined;

  async replace(
    ort: OrtModule,
    bytes: Uint8Array,
    entry: unknown,
    options?: LoadOptions,
  ): Promise<{ ok: true } | { ok: false; error: ModelLoadError }> {
    let next: LoadedModel;
    try {
      next = await loadModel(ort, bytes, entry, options);
    } catch (e) {
      const error = e instanceof ModelLoadError ? e : new ModelLoadError('invalid-onnx', String(e));
      return { ok: false, error };
    }
    const prev = this.current;
    this.current = next;
    await prev?.release().catch(() => {});
    return { ok: true };
  }
}
