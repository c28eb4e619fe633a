import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { featurise } from '../../../lib/featurise';
import { EMOTIONS, INTENTS, intentsFor } from '../../../lib/labels';
import { ModelManifest } from '../../../lib/models/manifest';
import { loadModel } from '../../../lib/models/runtime';
import { readQuantised, shapeOf } from '../../../models/train/export-onnx';
import { forward } from '../../../models/train/model';
import { dequantise } from '../../../models/train/quantise';

ort.env.wasm.numThreads = 1;

const MODELS = new URL('../../../models/', import.meta.url).pathname;
const manifest = ModelManifest.parse(JSON.parse(readFileSync(`${MODELS}manifest.json`, 'utf8')));
const fileOf = (name: string) => {
  const e = manifest.models.find((m) => m.name === name);
  if (!e) throw new Error(`${name} missing from models/manifest.json`);
  return { entry: e, bytes: new Uint8Array(readFileSync(MODELS + e.file)) };
};

const PROBES = [
  { text: '我已经等了十五天了，今天再不退款我直接打12315', speaker: 'customer' as const },
  { text: '你哋係咪玩嘢呀？我好嬲', speaker: 'customer' as const },
  { text: 'ok thanks bye', speaker: 'customer' as const },
  { text: '您好，请问有什么可以帮您', speaker: 'agent' as const },
  {
    text: 'I can see why that would be upsetting, let me fix it',
    speaker: 'agent' as const,
    context: 'this is ridiculous',
  },
  { text: '', speaker: 'system' as const },
];

// Generous timeout: spawning the CLI and compiling ORT's WASM on a busy 2-core machine can take seconds.
describe('shipped models', { timeout: 120_000 }, () => {
  it('lists emotion and intent with the fixed label sets', () => {
    expect(fileOf('emotion').entry.labels).toEqual([...EMOTIONS]);
    const intent = fileOf('intent').entry;
    expect(intent.labels).toEqual([...INTENTS]);
    expect(intent.labelSets?.agent).toEqual([...intentsFor('agent')]);
    expect(intent.labelSets?.customer).toEqual([...intentsFor('customer')]);
    expect(intent.labelSets?.system).toEqual([...intentsFor('system')]);
  });

  for (const name of ['emotion', 'intent']) {
    it(`${name}: file matches the manifest, fits the budget, and ORT equals the TypeScript forward pass`, async () => {
      const { entry, bytes } = fileOf(name);
      expect(bytes.byteLength).toBe(entry.bytes);
      expect(bytes.byteLength).toBeLessThanOrEqual(3 * 1024 * 1024);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
      const model = await loadModel(ort, bytes, entry);
      const shape = shapeOf(bytes);
      expect(shape.classes).toBe(entry.labels.length);
      const params = dequantise(readQuantised(bytes, shape));
      const out = await model.classify(PROBES);
      PROBES.forEach((p, i) => {
        const set = p.speaker && entry.labelSets?.[p.speaker];
        const allowed = set ? set.map((l) => entry.labels.indexOf(l)) : undefined;
        const ref = forward(params, featurise(p, entry.featuriser.params, entry.featuriser.version), allowed);
        entry.labels.forEach((l, c) => {
          expect(out[i]!.probs[l]).toBeCloseTo(ref[c]!, 5);
        });
        expect(Object.values(out[i]!.probs).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      });
      await model.release();
    });
  }

  it('classify CLI answers one aligned JSON line per input through the same model', () => {
    const input = [
      JSON.stringify({ id: 'a', text: '我要销户', speaker: 'customer', lang: 'zh-Hans' }),
      'not json',
      JSON.stringify({ id: 7, text: '請稍等，我幫您轉接', speaker: 'agent' }),
      JSON.stringify({ id: 'c', text: 'where is my parcel??' }),
    ].join('\n');
    const out = execFileSync('npx', ['tsx', 'scripts/classify.ts', '--model', 'intent'], {
      input,
      cwd: new URL('../../../', import.meta.url).pathname,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.id)).toEqual(['a', null, 7, 'c']);
    expect(out[1].error).toBe('not JSON');
    expect(intentsFor('customer')).toContain(out[0].label);
    expect(intentsFor('agent')).toContain(out[2].label);
    expect(out[2].probs.refund_return).toBe(0);
    for (const o of [out[0], out[2], out[3]]) {
      expect(Object.keys(o.probs)).toEqual([...INTENTS]);
      expect(Object.values(o.probs as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
  });
});
