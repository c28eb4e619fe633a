import { describe, expect, it } from 'vitest';
import { loadExamples } from '../../../models/data/check';
import { renderDataCard, renderModelCard } from '../../../models/train/cards';
import { exportOnnx } from '../../../models/train/export-onnx';
import { type Candidate, runTask } from '../../../models/train/pipeline';
import { TASK_SPECS } from '../../../models/train/task';

const SEED_ROOT = new URL('../../../models/data/dev-seed/', import.meta.url).pathname;
const TINY: Candidate = {
  id: 'tiny',
  shape: { buckets: 2048, dim: 8, hidden: 0 },
  contextWeight: 0,
  config: {
    batch: 8,
    lr: 0.02,
    embLr: 0.1,
    weightDecay: 0,
    featureDropout: 0.1,
    hiddenDropout: 0,
    labelSmoothing: 0,
  },
};

describe('training pipeline', { timeout: 120_000 }, () => {
  for (const task of ['emotion', 'intent'] as const) {
    it(`${task}: selects on dev, scores test and the lexicon, and renders a complete card`, () => {
      const examples = loadExamples(task, SEED_ROOT).examples;
      const r = runTask(TASK_SPECS[task], examples, [TINY], 1);
      expect(r.split.train.length + r.split.dev.length + r.split.test.length).toBe(examples.length);
      expect(r.selection).toHaveLength(1);
      expect(r.test.overall.n).toBe(r.split.test.length);
      expect(r.lexiconTest.overall.n).toBe(r.split.test.length);
      expect(Object.keys(r.test.byLang).length).toBeGreaterThan(0);
      const bytes = exportOnnx(r.quantised, { name: task });
      const card = renderModelCard(r, {
        name: task,
        task,
        file: `${task}/model.onnx`,
        labels: [...r.spec.labels],
        featuriser: { id: 'sotto-hashgram', version: 2, params: r.featuriser },
        inputs: { ids: 'ids', weights: 'weights' },
        outputs: { probs: 'probs' },
        sha256: '0'.repeat(64),
        bytes: bytes.byteLength,
        opset: 18,
        quantisation: 'int8',
      });
      for (const heading of [
        '## Labels and definitions',
        '## Intended use',
        '## Known failure modes',
        '### By language',
        '### Per class (lexicon baseline)',
        '### Confusion matrix',
        '### Hard cases by tag',
        'ECE',
      ])
        expect(card).toContain(heading);
      // Every label of the taxonomy is defined in the hand-written part of the card.
      for (const label of r.spec.labels) expect(card).toContain(`\`${label}\``);
    });
  }

  it('renders the data card with counts per language, label, origin, domain, channel and tag', () => {
    const all = {
      emotion: loadExamples('emotion', SEED_ROOT).examples,
      intent: loadExamples('intent', SEED_ROOT).examples,
    };
    const card = renderDataCard(all);
    for (const h of ['#### language', '#### label', '#### origin', '#### domain', '#### channel', '#### tag'])
      expect(card).toContain(h);
    expect(card).toContain(`${all.emotion.length} examples`);
  });
});
