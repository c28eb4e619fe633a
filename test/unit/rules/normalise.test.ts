import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldHomophones, normalise, pinyinOf, stemWord, toOriginal } from '../../../lib/normalise';

const norm = (s: string) => normalise(s).text;

describe('normalise', () => {
  it('removes padding between Chinese characters', () => {
    expect(norm('保 本')).toBe('保本');
    expect(norm('保*本')).toBe('保本');
    expect(norm('稳.赚')).toBe('稳赚');
    expect(norm('保😀本')).toBe('保本');
    expect(norm('保\u200b本')).toBe('保本');
  });

  it('folds width, case and Traditional characters', () => {
    expect(norm('ＧＵＡＲＡＮＴＥＥ')).toBe(norm('guarantee'));
    expect(norm('保證穩賺不賠')).toBe('保证稳赚不赔');
    expect(norm('裡面')).toBe(norm('里面'));
  });

  it('maps characters that fold to several back to their source', () => {
    const n = normalise('重5㎏，ﬁne');
    expect(n.text).toBe('重5kg fin'); // the comma between Latin words becomes a space; "fine" is stemmed
    expect([...n.starts]).toEqual([0, 1, 2, 2, 3, 4, 4, 5]);
    expect(toOriginal(n, 2, 4)).toEqual({ start: 2, end: 3 });
    expect(toOriginal(n, 5, 8)).toEqual({ start: 4, end: 7 });
  });

  it('collapses separators between words to one space and keeps English contractions', () => {
    expect(norm('no   risk --- at all')).toBe('no risk at all');
    expect(norm("don't")).toBe('dont');
  });

  it('leaves Simplified text alone and folds every Han character idempotently', () => {
    expect(norm('什么办法')).toBe('什么办法');
    const bad: string[] = [];
    for (let c = 0x3400; c <= 0x9fff; c++) {
      const once = norm(String.fromCharCode(c));
      if (norm(once) !== once) bad.push(String.fromCharCode(c));
    }
    expect(bad).toEqual([]);
  });

  it('turns Chinese digit strings into digits but leaves words alone', () => {
    expect(norm('打一二三一五投诉')).toBe('打12315投诉');
    expect(norm('一定')).toBe('一定');
  });

  it('stems English lightly and consistently', () => {
    const forms = ['guarantee', 'guaranteed', 'guarantees', 'guaranteeing'].map(stemWord);
    expect(new Set(forms).size).toBe(1);
    expect(stemWord('policies')).toBe(stemWord('policy'));
    expect(stemWord('refunded')).toBe('refund');
    expect(stemWord('this')).toBe('this');
  });

  it('marks removed clause punctuation as a break', () => {
    const n = normalise('没有风险，保本');
    expect(n.text).toBe('没有风险保本');
    expect([...n.breaks]).toEqual([0, 0, 0, 0, 1, 0]);
  });

  it('maps spans back to the characters the user saw', () => {
    const src = '這款產品「保 證」收益，穩.賺不賠！';
    const n = normalise(src);
    const at = n.text.indexOf('稳赚不赔');
    const o = toOriginal(n, at, at + 4);
    expect(src.slice(o.start, o.end)).toBe('穩.賺不賠');
    const g = normalise('ＡＢＣ Guaranteed returns!!');
    const gi = g.text.indexOf('guarant return');
    const go = toOriginal(g, gi, gi + 'guarant return'.length);
    expect(g.original.slice(go.start, go.end)).toBe('Guaranteed returns');
  });

  it('folds homophones to the same code and spells pinyin', () => {
    expect(foldHomophones('报本')).toBe(foldHomophones('保本'));
    expect(foldHomophones('保本')).not.toBe(foldHomophones('保险'));
    expect(foldHomophones('ab保c')).toHaveLength(4);
    expect(pinyinOf('保本', '')).toBe('baoben');
  });
});

describe('normalise properties', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(..."保本稳赚不賠 .*😀ＡbC１一二三，!'’ing".split('')), maxLength: 60 }),
  );

  it('keeps every offset inside the original text, ordered and non-empty', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const n = normalise(s);
        expect(n.starts.length).toBe(n.text.length);
        for (let i = 0; i < n.text.length; i++) {
          const a = n.starts[i]!;
          const b = n.ends[i]!;
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(s.length);
          expect(a).toBeLessThan(b);
          if (i > 0) expect(a).toBeGreaterThanOrEqual(n.starts[i - 1]!);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent on its own output for Chinese text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'保本稳赚不赔 .*😀一二三四，'.split('')) }), (s) => {
        expect(norm(norm(s))).toBe(norm(s));
      }),
    );
  });

  it('finds a phrase however it is padded, and maps the hit back onto it', () => {
    const pad = fc.string({ unit: fc.constantFrom(' ', '*', '.', '😀', '\u200b', '-'), maxLength: 3 });
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), pad, fc.string({ maxLength: 10 }), (pre, p, post) => {
        const src = `${pre}。保${p}本。${post}`;
        const n = normalise(src);
        const at = n.text.indexOf('保本');
        expect(at).toBeGreaterThanOrEqual(0);
        const o = toOriginal(n, at, at + 2);
        expect(src.slice(o.start, o.end)).toBe(`保${p}本`);
      }),
    );
  });
});
