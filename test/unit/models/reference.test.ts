import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { createFeaturiser, packBatch } from '../../../lib/featurise';
import { ModelManifest } from '../../../lib/models/manifest';
import { readOnnx } from '../../../lib/models/onnx-reader';
import { referenceFor } from '../../../lib/models/reference';
import { loadModel, openModel } from '../../../lib/models/runtime';
import { loadExamples } from '../../../models/data/check';
import { exportOnnx } from '../../../models/train/export-onnx';
import { initParams } from '../../../models/train/model';
import { quantise } from '../../../models/train/quantise';
import { splitOf } from '../../../models/train/split';

ort.env.wasm.numThreads = 1;

const MODELS = new URL('../../../models/', import.meta.url).pathname;
const manifest = ModelManifest.parse(JSON.parse(readFileSync(`${MODELS}manifest.json`, 'utf8')));
const fileOf = (name: string) => {
  const entry = manifest.models.find((m) => m.name === name)!;
  return { entry, bytes: new Uint8Array(readFileSync(MODELS + entry.file)) };
};
const io = (e: (typeof manifest.models)[number]) => ({
  ids: e.inputs.ids,
  weights: e.inputs.weights,
  probs: e.outputs.probs,
});

describe('reference evaluator', { timeout: 180_000 }, () => {
  for (const name of ['emotion', 'intent'] as const) {
    it(`${name}: answers like onnxruntime-web on every dev line`, async () => {
      const { entry, bytes } = fileOf(name);
      const reference = referenceFor(bytes, io(entry), entry.featuriser.params.buckets);
      expect(reference, 'the shipped graph is recognised').toBeDefined();
      const session = await loadModel(ort, bytes, entry);
      const featurise = createFeaturiser(
        entry.featuriser.id,
        entry.featuriser.version,
        entry.featuriser.params,
      );
      const lines = loadExamples(name).examples.filter((e) => splitOf(e.text) === 'dev');
      expect(lines.length).toBeGreaterThan(200);
      let maxDiff = 0;
      let sameLabel = 0;
      for (let i = 0; i < lines.length; i += 32) {
        const batch = lines.slice(i, i + 32).map((e) => ({ text: e.text, speaker: e.speaker }));
        const packed = packBatch(batch.map((b) => featurise(b)));
        const raw = reference!.run(packed.ids, packed.weights, batch.length, packed.width);
        const theirs = await session.classify(batch);
        theirs.forEach((t, b) => {
          // The speaker's label set, renormalised, as the runtime does for both engines.
          const allowed = entry.labelSets?.[batch[b]!.speaker] ?? entry.labels;
          const row = entry.labels.map((l, c) =>
            allowed.includes(l) ? raw[b * entry.labels.length + c]! : 0,
          );
          const sum = row.reduce((a, x) => a + x, 0);
          let best = 0;
          entry.labels.forEach((l, c) => {
            maxDiff = Math.max(maxDiff, Math.abs(t.probs[l]! - row[c]! / sum));
            if (row[c]! > row[best]!) best = c;
          });
          if (entry.labels[best] === t.label) sameLabel++;
        });
      }
      expect(maxDiff).toBeLessThan(1e-5);
      expect(sameLabel).toBe(lines.length);
      await session.release();
    });
  }

  it('answers at once, then hands over to onnxruntime-web with the same labels', async () => {
    const { entry, bytes } = fileOf('intent');
    const opened = await openModel(ort, bytes, entry);
    expect(opened.model.engine).toBe('reference');
    const batch = [
      { text: '我的信用卡账单什么时候出？', speaker: 'customer' as const },
      { text: '您好，请问有什么可以帮您', speaker: 'agent' as const },
    ];
    const before = await opened.model.classify(batch);
    await opened.ready;
    expect(opened.model.engine).toBe('onnxruntime');
    const after = await opened.model.classify(batch);
    expect(after.map((o) => o.label)).toEqual(before.map((o) => o.label));
    for (let b = 0; b < batch.length; b++)
      for (const l of entry.labels) expect(after[b]!.probs[l]).toBeCloseTo(before[b]!.probs[l]!, 5);
    // The agent line stays within the agent's label set on both engines.
    expect(entry.labelSets?.agent).toContain(before[1]!.label);
    await opened.model.release();
  });

  it('still refuses corrupt bytes and a wrong label count before answering', async () => {
    const { entry, bytes } = fileOf('emotion');
    const corrupt = bytes.slice();
    corrupt[corrupt.length >> 1]! ^= 0x01;
    await expect(openModel(ort, corrupt, entry)).rejects.toMatchObject({ code: 'sha256-mismatch' });
    await expect(openModel(ort, bytes, { ...entry, labels: ['a', 'b', 'c'] })).rejects.toMatchObject({
      code: 'output-mismatch',
    });
  });

  it('recognises only the exported graph: a changed node leaves the model to onnxruntime-web', () => {
    const shape = { buckets: 64, dim: 4, hidden: 3, classes: 4 };
    const good = exportOnnx(quantise(initParams(shape, 1)), {});
    const names = { ids: 'ids', weights: 'weights', probs: 'probs' };
    expect(referenceFor(good, names, 64)).toBeDefined();
    expect(referenceFor(good, names, 128), 'table smaller than the featuriser’s buckets').toBeUndefined();
    expect(referenceFor(good, { ...names, ids: 'input_ids' }, 64)).toBeUndefined();
    const flat = exportOnnx(quantise(initParams({ ...shape, hidden: 0 }, 1)), {});
    expect(referenceFor(flat, names, 64)?.classes).toBe(4);
    // Same bytes with the Relu swapped for a Sigmoid (same length op name): not our graph any more.
    const text = new TextDecoder('latin1').decode(good);
    const at = text.indexOf('Relu');
    expect(at).toBeGreaterThan(0);
    const changed = good.slice();
    changed.set(new TextEncoder().encode('Tanh'), at);
    expect(readOnnx(changed).nodes.some((n) => n.opType === 'Tanh')).toBe(true);
    expect(referenceFor(changed, names, 64)).toBeUndefined();
    expect(referenceFor(new Uint8Array([1, 2, 3]), names, 64)).toBeUndefined();
  });

  it('computes the exported graph exactly as onnxruntime-web does, hidden layer or not', async () => {
    for (const hidden of [0, 5]) {
      const shape = { buckets: 97, dim: 6, hidden, classes: 3 };
      const params = initParams(shape, 11);
      // Non-zero embeddings (initParams leaves them zero) so the pooling path is exercised.
      for (let i = 0; i < params.emb.length; i++) params.emb[i] = Math.sin(i * 1.7) * 0.5;
      const bytes = exportOnnx(quantise(params), {});
      const reference = referenceFor(bytes, { ids: 'ids', weights: 'weights', probs: 'probs' }, 97)!;
      const session = await ort.InferenceSession.create(bytes);
      const ids = Int32Array.from({ length: 2 * 5 }, (_, i) => (i * 37) % 97);
      const weights = Float32Array.from({ length: 10 }, (_, i) => (i % 5 === 4 ? 0 : 0.25));
      const out = await session.run({
        ids: new ort.Tensor('int32', ids, [2, 5]),
        weights: new ort.Tensor('float32', weights, [2, 5]),
      });
      const theirs = out.probs!.data as Float32Array;
      const mine = reference.run(ids, weights, 2, 5);
      for (let k = 0; k < theirs.length; k++) expect(mine[k]).toBeCloseTo(theirs[k]!, 6);
      await session.release();
    }
  });
});
