import { describe, expect, it } from 'vitest';
import { lexiconEmotion, lexiconIntent } from '../../../models/train/lexicon';
import { expectedCalibrationError, report } from '../../../models/train/metrics';
import { splitExamples, splitOf } from '../../../models/train/split';

describe('metrics', () => {
  it('computes per-class P/R/F1, macro-F1 and the confusion matrix', () => {
    // gold a,a,b,b,c ; pred a,b,b,b,a
    const items = [
      [0, 0],
      [0, 1],
      [1, 1],
      [1, 1],
      [2, 0],
    ].map(([gold, pred]) => ({ gold: gold!, pred: pred!, conf: 0.9 }));
    const r = report(items, ['a', 'b', 'c', 'unused']);
    expect(r.confusion[0]).toEqual([1, 1, 0, 0]);
    expect(r.perClass[0]).toMatchObject({ precision: 0.5, recall: 0.5, support: 2 });
    expect(r.perClass[1]!.precision).toBeCloseTo(2 / 3);
    expect(r.perClass[1]!.recall).toBe(1);
    expect(r.perClass[2]!.f1).toBe(0);
    // Labels absent from gold and predictions do not count toward macro-F1.
    expect(r.macroF1).toBeCloseTo((0.5 + 0.8 + 0) / 3);
    expect(r.accuracy).toBeCloseTo(0.6);
  });

  it('computes ECE', () => {
    const perfect = [{ gold: 0, pred: 0, conf: 1 }];
    expect(expectedCalibrationError(perfect)).toBe(0);
    const over = [
      { gold: 0, pred: 0, conf: 0.95 },
      { gold: 0, pred: 1, conf: 0.95 },
    ];
    expect(expectedCalibrationError(over)).toBeCloseTo(0.45);
  });
});

describe('split', () => {
  it('is stable and keeps Traditional/Simplified twins together', () => {
    expect(splitOf('我的訂單什麼時候到')).toBe(splitOf('我的订单什么时候到'));
    const texts = Array.from({ length: 2000 }, (_, i) => `line ${i} 退款`);
    const split = splitExamples(texts.map((text) => ({ text }) as never));
    expect(split.test.length / 2000).toBeGreaterThan(0.07);
    expect(split.test.length / 2000).toBeLessThan(0.13);
    expect(split.dev.length / 2000).toBeGreaterThan(0.07);
    expect(splitExamples(texts.map((text) => ({ text }) as never)).test).toEqual(split.test);
  });
});

describe('lexicon baseline', () => {
  it('matches keywords after normalisation and whole English words only', () => {
    expect(lexiconEmotion('再唔退款我就去12315投訴')).toBe('angry');
    expect(lexiconEmotion('Thank you so much, that was perfect')).toBe('positive');
    expect(lexiconEmotion('This shell is fine')).toBe('neutral');
    expect(lexiconIntent('我要退貨', 'customer')).toBe('refund_return');
    expect(lexiconIntent('您好，很高兴为您服务', 'agent')).toBe('agent_greeting');
    expect(lexiconIntent('this thing', 'customer')).toBe('other');
  });
});
