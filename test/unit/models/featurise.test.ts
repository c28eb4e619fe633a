import { describe, expect, it } from 'vitest';
import {
  createFeaturiser,
  featureStrings,
  featurise,
  HASHGRAM_ID,
  HASHGRAM_VERSION,
  hashFeature,
  isSupportedFeaturiser,
  normalise,
  packBatch,
} from '../../../lib/featurise';
import { loadExamples } from '../../../models/data/check';

const P = { buckets: 65536, contextWeight: 0.2 };
const sum = (w: Float32Array) => w.reduce((a, b) => a + b, 0);

describe('normalise', () => {
  it('folds full-width forms, case and Traditional script', () => {
    expect(normalise('ＲＥＦＵＮＤ 退款幾時到賬？')).toBe('refund 退款几时到账?');
  });
  it('collapses long runs, keeps short numbers and masks long ones', () => {
    expect(normalise('？？？？？？ soooooo')).toBe('??? sooo');
    expect(normalise('打12315投诉 订单 202405171234')).toBe('打12315投诉 订单 #');
  });
  it('treats curly and straight apostrophes alike', () => {
    expect(normalise('Don’t')).toBe("don't");
  });
  it('keeps head and tail of very long text', () => {
    const s = normalise('开'.repeat(10) + 'ab '.repeat(500) + '结束');
    expect(Array.from(s).length).toBeLessThanOrEqual(401);
    expect(s.startsWith('开')).toBe(true);
    expect(s.endsWith('结束')).toBe(true);
  });
});

describe('hashgram featuriser', () => {
  it('makes CJK character 1–3-grams, word grams and subword pieces', () => {
    const { main } = featureStrings({ text: '退款 refund', speaker: 'customer' });
    expect(main).toContain('s:customer');
    expect(main).toContain('u1:退');
    expect(main).toContain('u2:退\u0001款');
    expect(main).toContain('u3:退\u0001款\u0001refund');
    expect(main).toContain('w:<re');
    expect(main).toContain('w:fund>');
    expect(main).toContain('v1:退');
    expect(main).not.toContain('a1:退');
    expect(featureStrings({ text: '知道了', speaker: 'agent' }).main).toContain('a1:知');
  });

  it('adds English stems and skip-bigrams', () => {
    const { main } = featureStrings({ text: 'not really happy, refunded', speaker: 'customer' });
    expect(main).toContain('st:refund');
    expect(main).toContain('k:not\u0001happy');
  });

  it('spells out contractions, typed with or without the apostrophe (v3)', () => {
    const a = featureStrings({ text: "I don't think it's fixed", speaker: 'customer' }).main;
    const b = featureStrings({ text: 'i dont think thats fixed', speaker: 'customer' }).main;
    const c = featureStrings({ text: 'I do not think it is fixed', speaker: 'customer' }).main;
    const d = featureStrings({ text: 'I do not think that is fixed', speaker: 'customer' }).main;
    expect(a).toContain('u2:do\u0001not');
    expect(b.filter((x) => x.startsWith('u'))).toEqual(d.filter((x) => x.startsWith('u')));
    expect(a.filter((x) => x.startsWith('u'))).toEqual(c.filter((x) => x.startsWith('u')));
    // "constructor" is a word, not a key of some object prototype.
    expect(() => featureStrings({ text: 'constructor toString' })).not.toThrow();
  });

  it('marks words in a negation scope until punctuation ends the clause (v3)', () => {
    const { main } = featureStrings({ text: 'not happy at all, great job', speaker: 'customer' });
    expect(main).toEqual(expect.arrayContaining(['n:happy', 'n:at', 'n:all']));
    expect(main).not.toContain('n:great');
  });

  it('keeps all-caps emphasis and a length bucket per speaker (v3)', () => {
    const { main } = featureStrings({ text: 'fix it NOW', speaker: 'customer' });
    expect(main).toContain('C:now');
    expect(main).toContain('L:customer\u00014');
    expect(featureStrings({ text: 'No.', speaker: 'agent' }).main).toEqual(
      expect.arrayContaining(['L:agent\u00012', 'a1:no', 'a2:no\u0001.']),
    );
  });

  it('adds per-script priors, turn boundaries and speaker-crossed English words (v4)', () => {
    const en = featureStrings({ text: 'Pending means pending.', speaker: 'agent' }).main;
    expect(en).toEqual(
      expect.arrayContaining([
        'sl:agent\u0001en',
        'Ll:agent\u0001en\u00014',
        'b2:^\u0001pending',
        'b2:.\u0001$',
        'b3:^\u0001pending\u0001means',
        'b3:pending\u0001.\u0001$',
        'sw:agent\u0001means',
      ]),
    );
    const zh = featureStrings({ text: '好吧', speaker: 'customer' }).main;
    expect(zh).toEqual(
      expect.arrayContaining(['sl:customer\u0001zh', 'Ll:customer\u0001zh\u00012', 'b2:吧\u0001$']),
    );
    // Speaker-crossed words are English only: Chinese turns already have character grams per speaker.
    expect(zh.some((x) => x.startsWith('sw:'))).toBe(false);
    expect(featureStrings({ text: 'refund 什么时候到', speaker: 'customer' }).main).toContain(
      'sl:customer\u0001mx',
    );
    // v3 stays as it was for models trained on it.
    const v3 = featureStrings({ text: 'Pending means pending.', speaker: 'agent' }, 3).main;
    expect(v3.some((x) => /^(sl|Ll|b2|b3|sw):/.test(x))).toBe(false);
  });

  it('computes version 2 exactly as before', () => {
    const v2 = featureStrings({ text: "I don't know, NOT happy", speaker: 'agent' }, 2).main;
    expect(v2).toContain("u1:don't");
    expect(v2.some((x) => x.startsWith('n:') || x.startsWith('C:') || x.startsWith('L:'))).toBe(false);
    const f = featurise({ text: "I don't know", speaker: 'agent' }, P, 2);
    expect(Array.from(f.ids)).toEqual(
      featureStrings({ text: "I don't know", speaker: 'agent' }, 2).main.map((x) =>
        hashFeature(x, P.buckets),
      ),
    );
  });

  it('hashes on the fly exactly what the feature strings define, over all training lines', () => {
    for (const task of ['emotion', 'intent'] as const) {
      const { examples } = loadExamples(task);
      for (const e of examples) {
        const input = { text: e.text, speaker: e.speaker, context: e.context };
        const f = featurise(input, P);
        const { main, context } = featureStrings(input);
        const expected = [...main, ...context].map((x) => hashFeature(x, P.buckets));
        expect(Array.from(f.ids)).toEqual(expected);
      }
    }
    // ~10,000 lines: a busy shared machine needs more than the default 5 s; this is not a speed check.
  }, 120_000);

  it('weighs subword pieces half as much as whole units', () => {
    const text = 'refund';
    const strings = featureStrings({ text }).main;
    const f = featurise({ text }, { buckets: 65536, contextWeight: 0 });
    const unit = f.weights[strings.indexOf('u1:refund')]!;
    const piece = f.weights[strings.indexOf('w:<re')]!;
    expect(unit).toBeCloseTo(2 * piece, 6);
  });

  it('maps Traditional and Simplified spellings onto the same ids', () => {
    const a = featurise({ text: '我的訂單什麼時候到', speaker: 'customer' }, P);
    const b = featurise({ text: '我的订单什么时候到', speaker: 'customer' }, P);
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
  });

  it('shares most pieces between a word and its typo', () => {
    const ids = (t: string) => new Set(featurise({ text: t }, P).ids);
    const a = ids('cancellation');
    const b = ids('cancelation');
    const shared = [...a].filter((x) => b.has(x)).length;
    expect(shared / a.size).toBeGreaterThan(0.6);
  });

  it('gives ids in [1, buckets) and weights summing to 1', () => {
    for (const text of ['hello', '我要投诉！！！', '😡😡 refund 什么时候到', 'a']) {
      const f = featurise({ text, speaker: 'agent', context: '您好' }, P);
      expect(f.ids.length).toBe(f.weights.length);
      for (const id of f.ids) expect(id >= 1 && id < P.buckets).toBe(true);
      expect(sum(f.weights)).toBeCloseTo(1, 5);
    }
  });

  it('guards empty input with a content feature', () => {
    for (const text of ['', '   ', '\u200d']) {
      const { main } = featureStrings({ text, speaker: 'customer' });
      expect(main).toEqual(['s:customer', 'e:empty', 'sl:customer\u0001x']);
      expect(featurise({ text }, P).ids.length).toBe(3);
      expect(featureStrings({ text, speaker: 'customer' }, 3).main).toEqual(['s:customer', 'e:empty']);
    }
  });

  it('gives the previous turn exactly its context weight', () => {
    const f = featurise({ text: '好的', speaker: 'customer', context: '请问还有其他问题吗' }, P);
    const main = featureStrings({ text: '好的', speaker: 'customer' }).main.length;
    expect(sum(f.weights.subarray(main))).toBeCloseTo(0.2, 5);
    const off = featurise({ text: '好的', context: '请问' }, { ...P, contextWeight: 0 });
    expect(off.ids.length).toBe(featureStrings({ text: '好的' }).main.length);
  });

  it('keeps hashing stable (a change here must bump HASHGRAM_VERSION)', () => {
    expect(HASHGRAM_VERSION).toBe(4);
    expect(hashFeature('u1:退', 65536)).toBe(hashFeature('u1:退', 65536));
    expect([
      hashFeature('s:customer', 65536),
      hashFeature('u2:退\u0001款', 65536),
      hashFeature('w:<re', 4096),
    ]).toEqual(EXPECTED_HASHES);
  });

  it('pads a batch with weight-0 rows', () => {
    const a = featurise({ text: 'hi' }, P);
    const b = featurise({ text: '我想改一下收货地址可以吗' }, P);
    const packed = packBatch([a, b]);
    expect(packed.width).toBe(b.ids.length);
    expect(sum(packed.weights.subarray(0, packed.width))).toBeCloseTo(1, 5);
    expect(packed.weights[a.ids.length]).toBe(0);
  });

  it('registers the featuriser by id and version', () => {
    expect(isSupportedFeaturiser(HASHGRAM_ID, HASHGRAM_VERSION)).toBe(true);
    // A customer's model trained on v2 keeps loading: v2 is still computed as it was.
    expect(isSupportedFeaturiser(HASHGRAM_ID, 2)).toBe(true);
    expect(isSupportedFeaturiser(HASHGRAM_ID, 3)).toBe(true);
    expect(isSupportedFeaturiser(HASHGRAM_ID, HASHGRAM_VERSION + 1)).toBe(false);
    expect(isSupportedFeaturiser('bert-wordpiece', 1)).toBe(false);
    expect(() => createFeaturiser('bert-wordpiece', 1, P)).toThrow(/unsupported/);
  });
});

/** FNV-1a (32 bit, UTF-16 code units) mod (buckets − 1) + 1, computed independently for version 2. */
const EXPECTED_HASHES = [14230, 16728, 3170];
