import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { playExample } from '../../../lib/rules';
import { agent, book, compile, customer, fires } from './helpers';

const phrase = (phrases: string[], more: Record<string, unknown> = {}) =>
  ({ type: 'phrase', phrases, ...more }) as const;

describe('phrases', () => {
  it('matches through padding and Traditional characters, with evidence in original offsets', () => {
    const text = '我們這款產品保 證收益，穩.賺不賠！';
    const hits = fires(phrase(['稳赚不赔', '保证收益']), [agent(text)]);
    expect(hits).toHaveLength(1);
    const ev = hits[0]!.evidence.map((e) => text.slice(e.start, e.end));
    expect(ev.sort()).toEqual(['保 證收益', '穩.賺不賠']);
    expect(hits[0]!.evidence[0]!.text).toBe(
      text.slice(hits[0]!.evidence[0]!.start, hits[0]!.evidence[0]!.end),
    );
  });

  it('matches English as whole words, any case, any inflection', () => {
    const when = phrase(['guaranteed return']);
    expect(fires(when, [agent('These are GUARANTEED RETURNS.')])).toHaveLength(1);
    expect(fires(when, [agent('It guarantees a return')])).toHaveLength(0);
    expect(fires(phrase(['risk']), [agent('asterisk brisket')])).toHaveLength(0);
  });

  it('skips negated occurrences when negation-aware', () => {
    const when = phrase(['保本', 'guaranteed'], { negationAware: true });
    for (const ok of [
      '这个产品不保本',
      '理财不能保证保本',
      '沒有任何保本承諾',
      'Returns are not guaranteed',
      "We can't be guaranteed",
    ])
      expect(fires(when, [agent(ok)]), ok).toHaveLength(0);
    for (const bad of [
      '无风险保本',
      '不仅保本还有高收益',
      '没有风险，保本',
      'no risk, guaranteed',
      'Guaranteed, no doubt',
    ])
      expect(fires(when, [agent(bad)]), bad).toHaveLength(1);
    expect(fires(phrase(['保本']), [agent('不保本')])).toHaveLength(1);
  });

  it('matches homophones and pinyin when asked', () => {
    const when = { type: 'phrase', phrases: [{ text: '保本', homophones: true }] } as const;
    expect(fires(when, [agent('这个报本的')])).toHaveLength(1);
    expect(fires(when, [agent('this is bao ben')])).toHaveLength(1);
    expect(fires(phrase(['保本']), [agent('这个报本的')])).toHaveLength(0);
  });

  it('respects the speaker scope', () => {
    expect(fires(phrase(['投诉'], { speaker: 'customer' }), [agent('投诉')])).toHaveLength(0);
    expect(fires(phrase(['投诉'], { speaker: 'customer' }), [customer('我要投诉')])).toHaveLength(1);
  });
});

describe('proximity and regex', () => {
  it('finds a phrase within N characters of another', () => {
    const when = { type: 'near', a: ['利率'], b: ['保证'], within: 3 } as const;
    expect(fires(when, [agent('利率我们保证')])).toHaveLength(1);
    expect(fires(when, [agent('利率方面的问题呢我们可以保证')])).toHaveLength(0);
    const words = {
      type: 'near',
      a: ['refund'],
      b: ['today'],
      within: 2,
      unit: 'words',
      ordered: true,
    } as const;
    expect(fires(words, [agent('refund it for you today')])).toHaveLength(0);
    expect(fires(words, [agent('refund you today')])).toHaveLength(1);
    expect(fires(words, [agent('today you get a refund')])).toHaveLength(0);
  });

  it('runs bounded regexes on normalised text', () => {
    const when = { type: 'regex', pattern: '1[3-9]\\d{9}' } as const;
    const hits = fires(when, [customer('电话 138 1234 5678 谢谢')]);
    expect(hits).toHaveLength(0); // spaces between digits are not Chinese padding
    expect(fires(when, [customer('电话13812345678谢谢')])).toHaveLength(1);
  });
});

describe('conversation conditions', () => {
  const greeting = { type: 'phrase', phrases: ['您好', 'hello'], speaker: 'agent' } as const;

  it('settles a missing greeting when the window closes, not only at the end', () => {
    const when = {
      type: 'absent',
      condition: { type: 'window', firstTurns: 2, turnsOf: 'agent', condition: greeting },
    } as const;
    const hits = fires(when, [customer('在吗'), agent('请讲'), agent('什么事'), customer('退款')]);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.seq).toBe(2);
    expect(hits[0]!.at).toBe('utterance');
    expect(fires(when, [agent('请讲'), agent('您好')])).toHaveLength(0);
    const late = fires(when, [agent('请讲'), agent('嗯'), agent('您好')]);
    expect(late).toHaveLength(1);
  });

  it('settles absence at the end when there is no window', () => {
    const when = { type: 'absent', condition: phrase(['投资有风险']) } as const;
    const hits = fires(when, [agent('这款产品很好')]);
    expect(hits.map((h) => h.at)).toEqual(['finish']);
    expect(fires(when, [agent('投资有风险，请谨慎')])).toHaveLength(0);
  });

  it('applies time windows', () => {
    const when = { type: 'window', firstSeconds: 30, condition: greeting } as const;
    expect(fires(when, [agent('您好', { t: 10 })])).toHaveLength(1);
    expect(fires(when, [customer('在吗', { t: 0 }), agent('您好', { t: 40 })])).toHaveLength(0);
  });

  it('checks order: account details only after identity verification', () => {
    const when = {
      type: 'all',
      conditions: [
        phrase(['余额', 'balance'], { speaker: 'agent' }),
        {
          type: 'not',
          condition: {
            type: 'seen',
            condition: phrase(['验证身份', 'verify your identity'], { speaker: 'agent' }),
          },
        },
      ],
    } as const;
    expect(fires(when, [agent('您的余额是100元')])).toHaveLength(1);
    expect(fires(when, [agent('先验证身份'), agent('您的余额是100元')])).toHaveLength(0);
    const seq = { type: 'order', steps: [greeting, phrase(['再见'])] } as const;
    expect(fires(seq, [agent('您好'), agent('再见')])).toHaveLength(1);
    expect(fires(seq, [agent('再见'), agent('您好')])).toHaveLength(0);
  });

  it('expects an apology within two agent turns after a complaint', () => {
    const complaint = phrase(['投诉'], { speaker: 'customer' });
    const apology = phrase(['抱歉', 'sorry'], { speaker: 'agent' });
    const missing = {
      type: 'missingAfter',
      trigger: complaint,
      expect: apology,
      within: { turns: 2, turnsOf: 'agent' },
    } as const;
    expect(
      fires(missing, [customer('我要投诉'), agent('订单号?'), customer('123'), agent('好的')]),
    ).toHaveLength(1);
    expect(fires(missing, [customer('我要投诉'), agent('订单号?'), agent('很抱歉')])).toHaveLength(0);
    // Complaining again before any answer is one episode, reported once with all the evidence.
    const repeated = fires(missing, [
      customer('我要投诉'),
      customer('投诉！'),
      agent('订单号?'),
      agent('好的'),
    ]);
    expect(repeated).toHaveLength(1);
    expect(repeated[0]!.evidence.map((e) => e.seq)).toEqual([0, 1]);
    // The conversation ending also closes the window.
    expect(fires(missing, [customer('我要投诉')]).map((h) => h.at)).toEqual(['finish']);
    const found = { ...missing, type: 'after' } as const;
    const hits = fires(found, [customer('我要投诉'), agent('很抱歉')]);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.evidence.map((e) => e.seq)).toEqual([0, 1]);
  });

  it('counts and detects streaks of model signals', () => {
    const angry = { type: 'emotion', label: 'angry', speaker: 'customer' } as const;
    const streak = { type: 'streak', condition: angry, length: 2, speaker: 'customer' } as const;
    const a = (t: string) => customer(t, { emotion: 'angry' });
    expect(fires(streak, [a('气死了'), agent('抱歉'), a('快点')])).toHaveLength(1);
    expect(fires(streak, [a('气死了'), customer('好吧', { emotion: 'neutral' }), a('快点')])).toHaveLength(0);
    const count = { type: 'count', condition: phrase(['投诉']), atLeast: 2, withinTurns: 3 } as const;
    expect(fires(count, [customer('投诉'), agent('嗯'), customer('投诉')])).toHaveLength(1);
    expect(fires(count, [customer('投诉'), agent('嗯'), agent('嗯'), customer('投诉')])).toHaveLength(0);
  });

  it('reads intents with probabilities and audio metrics', () => {
    const intent = { type: 'intent', label: ['cancel_account'], minProb: 0.5 } as const;
    expect(fires(intent, [customer('不要了', { intent: 'cancel_account' })])).toHaveLength(1);
    expect(fires(intent, [customer('不要了', { intent: 'other' })])).toHaveLength(0);
    const silence = { type: 'metric', metric: 'silenceMs', op: '>', value: 10_000 } as const;
    expect(fires(silence, [agent('稍等', { metrics: { silenceMs: 15_000 } })])).toHaveLength(1);
    expect(fires(silence, [agent('稍等', { metrics: { silenceMs: 500 } })])).toHaveLength(0);
  });

  it('fires once per distinct evidence, or once per conversation', () => {
    const when = phrase(['保本']);
    expect(fires(when, [agent('保本'), agent('保本')])).toHaveLength(2);
    expect(fires(when, [agent('保本'), agent('保本')], { once: true })).toHaveLength(1);
  });
});

describe('evidence properties', () => {
  const compiled = compile(book({ type: 'phrase', phrases: ['稳赚不赔', 'guaranteed return'] }));
  const filler = fc.string({ unit: fc.constantFrom(...'你好的这是产品 ,.!abc😀'), maxLength: 30 });
  const pad = fc.constantFrom('', ' ', '*', '.', '😀', '\u200b');
  const phrase = fc.constantFrom(
    ['稳', '赚', '不', '赔'],
    ['穩', '賺', '不', '賠'],
    ['Guaranteed', ' ', 'RETURNS'],
  );

  it('always points into the original text at the characters that matched', () => {
    fc.assert(
      fc.property(filler, phrase, pad, filler, (pre, parts, p, post) => {
        // Padding only goes between Chinese characters, where the normaliser removes it.
        const body = /[a-z]/i.test(parts[0]!) ? parts.join('') : parts.join(p);
        const text = `${pre}。${body}。${post}`;
        const hits = playExample(compiled, [agent(text)]);
        expect(hits.length).toBe(1);
        for (const e of hits[0]!.evidence) {
          expect(e.start).toBeGreaterThanOrEqual(0);
          expect(e.end).toBeLessThanOrEqual(text.length);
          expect(text.slice(e.start, e.end)).toBe(e.text);
        }
        expect(hits[0]!.evidence.some((e) => e.text === body)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
