import type * as Ort from 'onnxruntime-web';
import { createFeaturiser, type Featuriser, isSupportedFeaturiser, packBatch } from '../featurise';
import { ModelEntry } from './manifest';

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
  const featurise = createFeaturiser(id, version, params);

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

class SessionModel implements LoadedModel {
  /** ORT sessions must not run concurrently; calls queue here. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly masks: Partial<Record<'agent' | 'customer' | 'system', Uint8Array>> = {};

  constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly entry: ModelEntry,
    private readonly featurise: Featuriser,
  ) {
    for (const [speaker, set] of Object.entries(entry.labelSets ?? {})) {
      const m = new Uint8Array(entry.labels.length);
      for (const l of set) m[entry.labels.indexOf(l)] = 1;
      this.masks[speaker as 'agent' | 'customer' | 'system'] = m;
    }
  }

  private async run(batch: readonly ClassifyInput[]): Promise<{ data: Float32Array; width: number }> {
    // One utterance (the common case) goes straight in: no padding copy.
    const packed =
      batch.length === 1
        ? (({ ids, weights }) => ({ ids, weights, width: ids.length }))(this.featurise(batch[0]!))
        : packBatch(batch.map((b) => this.featurise(b)));
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
    const labels = this.entry.labels;
    return batch.map((item, b) => {
      // Without a speaker every label stays possible (e.g. a transcript line of unknown origin).
      const mask = item.speaker ? this.masks[item.speaker] : undefined;
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

  async release(): Promise<void> {
    await this.session.release();
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
