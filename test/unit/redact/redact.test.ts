import { describe, expect, it } from 'vitest';
import {
  compilePatterns,
  detect,
  evidenceFrom,
  OrgPatternError,
  redact,
  redactEvidence,
} from '../../../lib/redact/index';

const found = (text: string) => detect(text).map((d) => [d.kind, text.slice(d.start, d.end)]);

describe('detect', () => {
  it.each([
    ['我的手机是13812345678，谢谢', ['cn-mobile', '13812345678']],
    ['电话 +86 138-1234-5678', ['cn-mobile', '+86 138-1234-5678']],
    ['座机(010) 8888 6666', ['cn-landline', '(010) 8888 6666']],
    ['身份证号11010519491231002X', ['cn-id', '11010519491231002X']],
    ['身份證A123456(3)', ['hk-id', 'A123456(3)']],
    ['身分證 a123456789', ['tw-id', 'a123456789']],
    ['card 4111 1111 1111 1111 exp', ['card', '4111 1111 1111 1111']],
    ['mail john.doe+x@example.co.uk ok', ['email', 'john.doe+x@example.co.uk']],
    ['SSN 123-45-6789', ['ssn', '123-45-6789']],
    ['IBAN GB82 WEST 1234 5698 7654 32 thanks', ['iban', 'GB82 WEST 1234 5698 7654 32']],
    ['号码是一三八 幺二三四 五六七八', ['cn-mobile', '一三八 幺二三四 五六七八']],
    ['１３８１２３４５６７８', ['cn-mobile', '１３８１２３４５６７８']],
    ['call +1 (415) 555-2671 now', ['us-phone', '+1 (415) 555-2671']],
    ['電話 9123 4567', ['hk-phone', '9123 4567']],
    ['手機 0912-345-678', ['tw-mobile', '0912-345-678']],
    [
      'my number is one three eight double one two three four five six seven',
      ['cn-mobile', 'one three eight double one two three four five six seven'],
    ],
  ])('%s', (text, want) => {
    expect(found(text)).toEqual([want]);
  });

  it.each([
    '订单号 202403151234567890',
    '訂單號碼 13812345678 已寄出',
    '发票号码 74347679',
    'order 4111111111111112 was a typo',
    '110105194912310021', // ID shape with a wrong check digit
    '2024-03-15 10:30:00',
    'SSN 666-12-3456',
    'timestamp 1710489600000',
    '商品编码 6901234567892',
    'ORD13812345678',
  ])('finds nothing in %s', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('masks the preview so a warning never repeats the whole number', () => {
    const [d] = detect('卡号 6222 0212 3456 7890 128');
    expect(d?.masked).toBe('**** **** **** ***0 128');
    expect(detect('zhang.san@qq.com')[0]?.masked).toBe('z***@qq.com');
  });
});

describe('redact', () => {
  it('uses the placeholder language of the text around each match', () => {
    expect(redact('我的手机是13812345678，谢谢').text).toBe('我的手机是[手机号]，谢谢');
    expect(redact('我的手機是13812345678，謝謝').text).toBe('我的手機是[手機號]，謝謝');
    expect(redact('my phone is 13812345678 thanks').text).toBe('my phone is [PHONE] thanks');
    expect(redact('卡号 4111111111111111', { locale: 'en' }).text).toBe('卡号 [CARD]');
    expect(redact('card 4111111111111111', { locale: 'zh-TW' }).text).toBe('card [銀行卡]');
  });

  it('keeps an offset map that moves text after a placeholder and snaps inside offsets', () => {
    const text = 'tel 13812345678 or mail a@b.co now';
    const r = redact(text);
    expect(r.text).toBe('tel [PHONE] or mail [EMAIL] now');
    expect(r.spans.map((s) => [s.start, s.end, s.outStart, s.outEnd])).toEqual([
      [4, 15, 4, 11],
      [24, 30, 20, 27],
    ]);
    expect(r.map(0)).toBe(0);
    expect(r.map(4)).toBe(4);
    expect(r.map(8)).toBe(4);
    expect(r.map(8, 'end')).toBe(11);
    expect(r.map(15)).toBe(11);
    expect(r.map(text.indexOf('now'))).toBe(r.text.indexOf('now'));
    expect(r.map(text.length)).toBe(r.text.length);
  });

  it('redacts evidence that cuts a number in half without leaking the part it covers', () => {
    const text = '客户说：我的手机号13812345678，快点处理';
    const cut = text.indexOf('5678');
    const ev = redactEvidence(text, { start: text.indexOf('手机'), end: cut });
    expect(ev.text).toBe('手机号[手机号]');
    const r = redact(text);
    expect(evidenceFrom(r, { start: 0, end: text.length }).text).toBe(r.text);
  });

  it('changes nothing when run on its own output', () => {
    const text = '电话13812345678，身份证11010519491231002X，卡号6222 0212 3456 7890 128，邮箱 a.b@qq.com';
    const once = redact(text).text;
    expect(redact(once).text).toBe(once);
    expect(redact(once).spans).toEqual([]);
  });
});

describe('organisation patterns', () => {
  const patterns = compilePatterns({
    version: 1,
    patterns: [
      {
        id: 'acme-policy',
        type: 'POLICY',
        pattern: 'PL-\\d{8,10}',
        placeholder: { en: 'POLICY', 'zh-Hans': '保单号', 'zh-Hant': '保單號' },
      },
      { id: 'acme-order', type: 'ORDER', pattern: 'AC[0-9]{12}', caseInsensitive: true },
    ],
  });

  it('replaces matches with the organisation placeholder', () => {
    const r = redact('保单 PL-12345678，订单 ac202403150001，手机13812345678', { patterns });
    expect(r.text).toBe('保单 [保单号]，订单 [ORDER]，手机[手机号]');
    expect(detect('policy PL-1234567890', { patterns })[0]).toMatchObject({
      type: 'POLICY',
      kind: 'org',
      patternId: 'acme-policy',
    });
    expect(redact(r.text, { patterns }).text).toBe(r.text);
  });

  it.each([
    ['(a+)+b', /unbounded/],
    ['\\d*', /unbounded/],
    ['(\\d{1,5}){1,5}', /nested/],
    ['(a|aa){2,9}', /alternatives/],
    ['(?=x)\\d{3}', /lookaround/],
    ['(\\d)\\1', /backreference/],
    ['\\d{0,64}\\d{0,64}', /ambiguous/],
    ['\\d{3,}', /open-ended/],
    ['x?', /empty string/],
    ['[A-Z]{2,6}', /placeholder/],
  ])('refuses the unsafe or unusable pattern %s', (pattern, reason) => {
    expect(() => compilePatterns({ version: 1, patterns: [{ id: 'p', type: 'X_Y', pattern }] })).toThrow(
      reason,
    );
  });

  it('refuses malformed data with a readable error', () => {
    expect(() => compilePatterns({ version: 2, patterns: [] })).toThrow(OrgPatternError);
    expect(() =>
      compilePatterns({ version: 1, patterns: [{ id: 'p', type: 'lower', pattern: 'a' }] }),
    ).toThrow(/type/);
    expect(() =>
      compilePatterns({
        version: 1,
        patterns: [{ id: 'p', type: 'X_Y', pattern: 'Q\\d{3}', placeholder: { en: 'NO1' } }],
      }),
    ).toThrow(/digits/);
  });
});
