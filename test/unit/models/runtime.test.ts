import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { HASHGRAM_ID, HASHGRAM_VERSION, featurise } from '../../../lib/featurise';
import { EMOTIONS } from '../../../lib/labels';
import type { ModelEntry } from '../../../lib/models/manifest';
import { loadModel, ModelLoadError, ModelSlot } from '../../../lib/models/runtime';
import { loadExamples } from '../../../models/data/check';
import { exportOnnx, OPSET, readQuantised } from '../../../models/train/export-onnx';
import { forward, initParams, train } from '../../../models/train/model';
import { toTrainExamples } from '../../../models/train/pipeline';
import { dequantise, quantise } from '../../../models/train/quantise';
import { TASK_SPECS } from '../../../models/train/task';

ort.env.wasm.numThreads = 1;

const SEED_ROOT = new URL('../../../models/data/dev-seed/', import.meta.url).pathname;
const FP = { buckets: 4096, contextWeight: 0 };
const SHAPE = { buckets: FP.buckets, dim: 16, hidden: 8, classes: EMOTIONS.length };

/** A small emotion model trained on the development seed set, end to end through the real trainer. */
let bytes: Uint8Array;
let entry: ModelEntry;
let seedExamples: ReturnType<typeof loadExamples>['examples'];

function entryFor(b: Uint8Array): ModelEntry {
  return {
    name: 'emotion-seed',
    task: 'emotion',
    file: 'emotion-seed.onnx',
    labels: [...EMOTIONS],
    featuriser: { id: HASHGRAM_ID, version: HASHGRAM_VERSION, params: FP },
    inputs: { ids: 'ids', weights: 'weights' },
    outputs: { probs: 'probs' },
    sha256: createHash('sha256').update(b).digest('hex'),
    bytes: b.byteLength,
    opset: OPSET,
    quantisation: 'int8',
  };
}

beforeAll(() => {
  seedExamples = loadExamples('emotion', SEED_ROOT).examples;
  const data = toTrainExamples(seedExamples, TASK_SPECS.emotion, FP);
  const cfg = {
    epochs: 30,
    batch: 8,
    lr: 0.02,
    embLr: 0.1,
    weightDecay: 0,
    featureDropout: 0.1,
    hiddenDropout: 0,
    labelSmoothing: 0,
    seed: 7,
  };
  const params = train(initParams(SHAPE, 7), data, cfg);
  bytes = exportOnnx(quantise(params), { name: 'emotion-seed' });
  entry = entryFor(bytes);
});

describe('training and export', () => {
  it('learns the seed set', () => {
    const shipped = dequantise(readQuantised(bytes, SHAPE));
    const data = toTrainExamples(seedExamples, TASK_SPECS.emotion, FP);
    const correct = data.filter((x) => {
      const p = forward(shipped, x.features);
      return p.indexOf(Math.max(...p)) === x.label;
    }).length;
    expect(correct / data.length).toBeGreaterThan(0.9);
  });

  it('is deterministic for a seed', () => {
    const data = toTrainExamples(seedExamples, TASK_SPECS.emotion, FP);
    const cfg = {
      epochs: 3,
      batch: 8,
      lr: 0.02,
      embLr: 0.1,
      weightDecay: 0,
      featureDropout: 0.3,
      hiddenDropout: 0.1,
      labelSmoothing: 0.1,
      seed: 3,
    };
    const a = exportOnnx(quantise(train(initParams(SHAPE, 3), data, cfg)), {});
    const b = exportOnnx(quantise(train(initParams(SHAPE, 3), data, cfg)), {});
    expect(createHash('sha256').update(a).digest('hex')).toBe(createHash('sha256').update(b).digest('hex'));
  });
});

// Generous timeout: compiling ORT's WASM on a busy 2-core machine can take seconds.
describe('runtime', { timeout: 120_000 }, () => {
  it('runs the ONNX file in onnxruntime-web and matches the TypeScript forward pass', async () => {
    const model = await loadModel(ort, bytes, entry);
    const shipped = dequantise(readQuantised(bytes, SHAPE));
    const batch = [
      { text: '再不退款我就打12315投诉你们', speaker: 'customer' as const },
      { text: 'Thank you so much!', speaker: 'customer' as const },
      { text: '', speaker: 'agent' as const },
      { text: '好的，我幫您查一下', speaker: 'agent' as const, context: '我的订单呢' },
    ];
    const out = await model.classify(batch);
    expect(out).toHaveLength(batch.length);
    batch.forEach((item, i) => {
      const ref = forward(shipped, featurise(item, FP));
      EMOTIONS.forEach((l, c) => {
        expect(out[i]!.probs[l]).toBeCloseTo(ref[c]!, 5);
      });
      expect(out[i]!.label).toBe(EMOTIONS[ref.indexOf(Math.max(...ref))]);
    });
    // A batch and single calls agree: padding rows must not leak into the pooled vector.
    const single = await model.classify([batch[1]!]);
    for (const l of EMOTIONS) expect(single[0]!.probs[l]).toBeCloseTo(out[1]!.probs[l]!, 6);
    expect(await model.classify([])).toEqual([]);
    await model.release();
  });

  it('masks labels to the speaker’s set and renormalises', async () => {
    const masked: ModelEntry = {
      ...entry,
      labelSets: { agent: ['neutral', 'positive'], customer: ['angry', 'frustrated', 'neutral', 'positive'] },
    };
    const model = await loadModel(ort, bytes, masked);
    const [agent, none] = await model.classify([
      { text: '你们这是诈骗，我要去工信部投诉', speaker: 'agent' },
      { text: '你们这是诈骗，我要去工信部投诉' },
    ]);
    expect(agent!.probs.angry).toBe(0);
    expect(agent!.probs.frustrated).toBe(0);
    expect(['neutral', 'positive']).toContain(agent!.label);
    expect(agent!.probs.neutral! + agent!.probs.positive!).toBeCloseTo(1, 5);
    expect(none!.probs.angry).toBeGreaterThan(0);
    await model.release();
  });

  it('refuses a corrupt file', async () => {
    const corrupt = bytes.slice();
    corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff;
    await expect(loadModel(ort, corrupt, entry)).rejects.toMatchObject({ code: 'sha256-mismatch' });
    // Even when the manifest was written for the broken bytes, ORT's parse failure is reported cleanly.
    const truncated = bytes.slice(0, 200);
    await expect(loadModel(ort, truncated, entryFor(truncated))).rejects.toMatchObject({
      code: 'invalid-onnx',
    });
  });

  it('refuses a wrong sha256, a wrong size and an unsupported featuriser', async () => {
    const wrongSha = { ...entry, sha256: 'a'.repeat(64) };
    const err = await loadModel(ort, bytes, wrongSha).catch((e) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect(err.code).toBe('sha256-mismatch');
    expect(err.message).toMatch(/does not match the manifest/);
    await expect(loadModel(ort, bytes, { ...entry, bytes: entry.bytes + 1 })).rejects.toMatchObject({
      code: 'size-mismatch',
    });
    await expect(
      loadModel(ort, bytes, { ...entry, featuriser: { ...entry.featuriser, version: 99 } }),
    ).rejects.toMatchObject({ code: 'featuriser-unsupported' });
    await expect(loadModel(ort, bytes, { ...entry, sha256: 'nope' })).rejects.toMatchObject({
      code: 'manifest-invalid',
    });
  });

  it('refuses a model whose outputs do not match the manifest', async () => {
    await expect(loadModel(ort, bytes, { ...entry, labels: ['a', 'b', 'c'] })).rejects.toMatchObject({
      code: 'output-mismatch',
    });
    await expect(
      loadModel(ort, bytes, { ...entry, inputs: { ids: 'input_ids', weights: 'weights' } }),
    ).rejects.toMatchObject({
      code: 'io-mismatch',
    });
  });

  it('keeps the previous model when a replacement is refused', async () => {
    const slot = new ModelSlot();
    expect((await slot.replace(ort, bytes, entry)).ok).toBe(true);
    const before = slot.current;
    const corrupt = bytes.slice();
    corrupt[100]! ^= 1;
    const r = await slot.replace(ort, corrupt, entry);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('sha256-mismatch');
    expect(slot.current).toBe(before);
    const [out] = await slot.current!.classify([{ text: 'Thank you so much!', speaker: 'customer' }]);
    expect(EMOTIONS).toContain(out!.label);
    await slot.current!.release();
  });
});
