// Generates the labelled PII test set test/fixtures/pii/generated.txt with a fixed seed, so the file is
// reproducible and a test can check it is current. Run: npx tsx scripts/gen-pii.ts
// Line format (same as handwritten.txt): <lang>\t<style>\t<text>, PII marked as {{TYPE:original}}.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cnIdCheckChar, hkIdCheckChar, luhnValid } from '../lib/redact/checksums';

type Lang = 'zh-Hans' | 'zh-Hant' | 'en';
type Style = 'chat' | 'voice';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(private readonly r: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)] as T;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
}

// ---- values -------------------------------------------------------------------------------------

function luhnComplete(g: Gen, prefix: string, len: number): string {
  const body = prefix + g.digits(len - prefix.length - 1);
  for (let c = 0; c < 10; c++) if (luhnValid(body + c)) return body + c;
  throw new Error('unreachable');
}
function luhnBroken(g: Gen, prefix: string, len: number): string {
  const ok = luhnComplete(g, prefix, len);
  const last = Number(ok.slice(-1));
  return ok.slice(0, -1) + String((last + g.int(1, 9)) % 10);
}
const REGIONS = [
  '110101',
  '110105',
  '310104',
  '310115',
  '440305',
  '440106',
  '510107',
  '330106',
  '320102',
  '420111',
  '610113',
  '810000',
  '710000',
];
function birth(g: Gen): string {
  const y = g.int(1950, 2006);
  const m = g.int(1, 12);
  const d = g.int(1, 28);
  return `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}
function cnId(g: Gen): string {
  const body = g.pick(REGIONS) + birth(g) + g.digits(3);
  return body + cnIdCheckChar(body);
}
function cnIdBadCheck(g: Gen): string {
  const good = cnId(g);
  const alts = '0123456789X'.replace(good.slice(-1), '');
  return good.slice(0, 17) + g.pick([...alts]);
}
function mobile(g: Gen): string {
  return `1${g.pick(['3', '5', '7', '8', '9'])}${g.digits(9)}`;
}
function hkId(g: Gen): string {
  const letters = g.chance(0.15) ? g.pick(['AB', 'XA', 'WX']) : g.pick([...'ACDEGHKMPRVYZ']);
  const body = letters + g.digits(6);
  return body + hkIdCheckChar(body);
}
const TW_CODES = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
function twId(g: Gen): string {
  const letter = g.pick([...'ABCDEFGHKLMNPQRSTUVXYZ']);
  const body = letter + g.pick(['1', '2']) + g.digits(7);
  const code = TW_CODES.indexOf(letter) + 10;
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  for (let i = 1; i < 9; i++) sum += Number(body[i]) * (9 - i);
  return body + String((10 - (sum % 10)) % 10);
}
function ssn(g: Gen): string {
  let area = g.int(1, 899);
  if (area === 666) area = 667;
  return `${String(area).padStart(3, '0')}-${String(g.int(1, 99)).padStart(2, '0')}-${String(g.int(1, 9999)).padStart(4, '0')}`;
}
function mod97(s: string): number {
  let rem = 0;
  for (const ch of s)
    rem = (rem * (ch >= 'A' ? 100 : 10) + (ch >= 'A' ? ch.charCodeAt(0) - 55 : Number(ch))) % 97;
  return rem;
}
function iban(g: Gen): string {
  const [cc, bban] = g.pick([
    ['DE', () => g.digits(18)],
    ['GB', () => g.pick(['WEST', 'BARC', 'NWBK', 'HSBC']) + g.digits(14)],
    ['FR', () => g.digits(23)],
    ['NL', () => g.pick(['ABNA', 'INGB', 'RABO']) + g.digits(10)],
  ] as const);
  const b = bban();
  const check = String(98 - mod97(`${b}${cc}00`)).padStart(2, '0');
  return (cc + check + b).replace(/(.{4})(?=.)/g, '$1 ');
}
const NAMES = [
  'zhang.wei',
  'li_na',
  'wangfang88',
  'chen.jie',
  'amy.wong',
  'john.smith',
  'm.garcia',
  'lee1987',
  'kelly+orders',
  'tw.lin',
];
const DOMAINS = [
  'qq.com',
  '163.com',
  'gmail.com',
  'outlook.com',
  'example.com.hk',
  'company.co.uk',
  'sina.cn',
  'yahoo.com.tw',
];

// ---- writing numbers the way people do -------------------------------------------------------------

const HANS = '零一二三四五六七八九';
function toHan(g: Gen, digits: string, phoneStyle: boolean): string {
  return [...digits]
    .map((d) => {
      if (d === '1' && phoneStyle && g.chance(0.6)) return '幺';
      if (d === '0' && g.chance(0.3)) return '〇';
      if (d === '2' && g.chance(0.05)) return '两';
      return d === 'X' ? 'X' : (HANS[Number(d)] ?? d);
    })
    .join('');
}
const EN = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
function toWords(g: Gen, digits: string): string {
  const out: string[] = [];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (digits[i + 1] === digits[i] && g.chance(0.5)) {
      out.push(`double ${EN[d]}`);
      i++;
    } else out.push(d === 0 && i > 0 && g.chance(0.5) ? 'oh' : (EN[d] ?? ''));
  }
  return out.join(' ');
}
function fullWidth(s: string): string {
  return s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
}
function group(digits: string, sizes: number[], sep: string): string {
  const parts: string[] = [];
  let p = 0;
  for (const s of sizes) {
    parts.push(digits.slice(p, p + s));
    p += s;
  }
  if (p < digits.length) parts.push(digits.slice(p));
  return parts.filter((x) => x !== '').join(sep);
}

interface Item {
  type: string;
  text: string;
  /** Needs a keyword before it to be recognised (bare 8-digit HK, bare landline…). */
  needsCue: boolean;
}

function phoneItem(g: Gen, lang: Lang, style: Style): Item {
  const k = g.int(0, lang === 'en' ? 3 : 9);
  if (lang === 'en' || k === 0) {
    const d = `${g.int(2, 9)}${g.digits(2)}${g.int(2, 9)}${g.digits(6)}`;
    if (style === 'voice') return { type: 'PHONE', text: toWords(g, d), needsCue: true };
    const f = g.int(0, 4);
    const text = [
      `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
      group(d, [3, 3, 4], '-'),
      `+1 ${group(d, [3, 3, 4], ' ')}`,
      group(d, [3, 3, 4], '.'),
      d,
    ][f] as string;
    return { type: 'PHONE', text, needsCue: f === 4 };
  }
  if (k <= 4 || (lang === 'zh-Hans' && k <= 7)) {
    const d = mobile(g);
    if (style === 'voice') {
      const han = toHan(g, d, true);
      return { type: 'PHONE', text: g.chance(0.5) ? group(han, [3, 4, 4], ' ') : han, needsCue: false };
    }
    const f = g.int(0, 6);
    const text = [
      d,
      group(d, [3, 4, 4], ' '),
      group(d, [3, 4, 4], '-'),
      `+86 ${group(d, [3, 4, 4], ' ')}`,
      `+86${d}`,
      fullWidth(d),
      `0086-${d}`,
    ][f] as string;
    return { type: 'PHONE', text, needsCue: false };
  }
  if (lang === 'zh-Hans') {
    const area = g.pick(['010', '021', '020', '0755', '0571', '028', '0512']);
    const local = g.int(2, 8) + g.digits(area.length === 3 ? 7 : g.int(6, 7));
    if (style === 'voice')
      return { type: 'PHONE', text: `${toHan(g, area, true)} ${toHan(g, local, true)}`, needsCue: false };
    const f = g.int(0, 2);
    const text = [`${area}-${local}`, `(${area}) ${group(local, [4, 4], ' ')}`, area + local][f] as string;
    return { type: 'PHONE', text, needsCue: f === 2 };
  }
  // zh-Hant: Hong Kong and Taiwan numbers
  if (g.chance(0.5)) {
    const d = g.pick(['5', '6', '9', '2', '3']) + g.digits(7);
    if (style === 'voice')
      return { type: 'PHONE', text: group(toHan(g, d, true), [4, 4], ' '), needsCue: false };
    const f = g.int(0, 2);
    return {
      type: 'PHONE',
      text: [group(d, [4, 4], ' '), `+852 ${group(d, [4, 4], ' ')}`, d][f] as string,
      needsCue: f === 2,
    };
  }
  const d = `09${g.digits(8)}`;
  if (style === 'voice')
    return { type: 'PHONE', text: group(toHan(g, d, true), [4, 3, 3], ' '), needsCue: false };
  const f = g.int(0, 3);
  const text = [
    group(d, [4, 3, 3], '-'),
    group(d, [4, 3, 3], ' '),
    `+886 ${group(d.slice(1), [3, 3, 3], ' ')}`,
    `02-${g.int(2, 8)}${g.digits(3)}-${g.digits(4)}`,
  ][f] as string;
  return { type: 'PHONE', text, needsCue: false };
}

function idItem(g: Gen, lang: Lang, style: Style): Item {
  if (lang === 'zh-Hant' && g.chance(0.6)) {
    if (g.chance(0.5)) {
      const id = hkId(g);
      const body = id.slice(0, -1);
      return { type: 'ID', text: g.chance(0.7) ? `${body}(${id.slice(-1)})` : id, needsCue: false };
    }
    const id = twId(g);
    return { type: 'ID', text: g.chance(0.2) ? id.toLowerCase() : id, needsCue: false };
  }
  if (lang === 'en' && g.chance(0.5)) return { type: 'SSN', text: ssn(g), needsCue: false };
  const id = cnId(g);
  if (style === 'voice') {
    const han =
      lang === 'en'
        ? toWords(g, id.slice(0, 17)) + (id.endsWith('X') ? ' X' : ` ${EN[Number(id[17])]}`)
        : toHan(g, id, false);
    return { type: 'ID', text: han, needsCue: false };
  }
  const f = g.int(0, 2);
  const text = [
    id,
    group(id, [6, 8, 4], ' '),
    id.endsWith('X') && g.chance(0.5) ? `${id.slice(0, 17)}x` : fullWidth(id),
  ][f] as string;
  return { type: 'ID', text, needsCue: false };
}

function cardItem(g: Gen, lang: Lang, style: Style): Item {
  const [prefix, len] = g.pick([
    ['622202', 19],
    ['621700', 19],
    ['622848', 19],
    ['6222', 16],
    ['4', 16],
    ['51', 16],
    ['55', 16],
    ['37', 15],
    ['35', 16],
  ] as const);
  const d = luhnComplete(g, prefix, len);
  if (style === 'voice') {
    return {
      type: 'CARD',
      text: lang === 'en' ? toWords(g, d) : group(toHan(g, d, false), [4, 4, 4, 4], ' '),
      needsCue: false,
    };
  }
  const f = g.int(0, 2);
  const sizes = len === 15 ? [4, 6, 5] : [4, 4, 4, 4];
  return {
    type: 'CARD',
    text: [d, group(d, sizes, ' '), group(d, sizes, '-')][f] as string,
    needsCue: false,
  };
}

function emailItem(g: Gen): Item {
  return {
    type: 'EMAIL',
    text: `${g.pick(NAMES)}${g.chance(0.3) ? g.digits(2) : ''}@${g.pick(DOMAINS)}`,
    needsCue: false,
  };
}

// ---- look-alikes that are not personal data -----------------------------------------------------

function negative(g: Gen, lang: Lang): string {
  const zh = lang !== 'en';
  const t = lang === 'zh-Hant';
  const k = g.int(0, 15);
  switch (k) {
    case 0:
      return zh
        ? `${t ? '訂單號' : '订单号'} ${g.pick(['2024', '2023'])}${g.digits(g.int(12, 16))}`
        : `order #${g.digits(g.int(9, 12))}`;
    case 1:
      return zh ? `${t ? '運單號' : '运单号'} SF${g.digits(12)}` : `tracking 1Z${g.digits(6)}A${g.digits(9)}`;
    case 2:
      return `${g.int(2019, 2025)}-${String(g.int(1, 12)).padStart(2, '0')}-${String(g.int(1, 28)).padStart(2, '0')} ${String(g.int(0, 23)).padStart(2, '0')}:${g.digits(1)}${g.int(0, 5)}:${g.int(0, 5)}${g.digits(1)}`;
    case 3:
      return zh
        ? `${g.int(2019, 2025)}年${g.int(1, 12)}月${g.int(1, 28)}日`
        : `${g.int(1, 12)}/${g.int(1, 28)}/${g.int(2019, 2025)}`;
    case 4:
      return zh
        ? `${t ? '金額' : '金额'} ¥${g.int(1, 99)},${g.digits(3)}.${g.digits(2)}`
        : `amount $${g.int(1, 99)},${g.digits(3)}.${g.digits(2)}`;
    case 5:
      return zh
        ? `${t ? '發票號碼' : '发票号码'} ${g.digits(8)}`
        : `invoice INV-${g.int(2019, 2025)}-${g.digits(6)}`;
    case 6:
      return zh
        ? `${t ? '型號' : '型号'} XJ-${g.digits(4)}`
        : `SKU ${g.pick(['AB', 'XK', 'PR'])}${g.digits(4)}-${g.digits(3)}`;
    case 7:
      return zh
        ? `${t ? '時間戳' : '时间戳'} ${g.pick(['17', '16'])}${g.digits(8)}${g.chance(0.5) ? g.digits(3) : ''}`
        : `timestamp ${g.pick(['17', '16'])}${g.digits(8)}`;
    case 8:
      // 16 digits that look like a card but fail Luhn.
      return zh
        ? `${t ? '參考號' : '参考号'} ${group(luhnBroken(g, g.pick(['6222', '4', '5']), 16), [4, 4, 4, 4], ' ')}`
        : `reference ${luhnBroken(g, '4', 16)}`;
    case 9:
      // Resident-ID shaped number whose check character is wrong.
      return zh ? `${t ? '編號' : '编号'}${cnIdBadCheck(g)}` : `ref ${cnIdBadCheck(g)}`;
    case 10:
      return cnIdBadCheck(g);
    case 11:
      return luhnBroken(g, g.pick(['6222', '4', '5', '37']), g.pick([16, 16, 19]));
    case 12:
      return zh ? `${t ? '工單' : '工单'} ${g.digits(10)}` : `ticket ${g.digits(8)}`;
    case 13:
      return zh ? `${g.pick(['两三个', '一二三', '第一', '三五天', '七八个'])}` : `${g.int(2, 30)} items`;
    case 14:
      return `v${g.int(1, 9)}.${g.int(0, 20)}.${g.int(0, 99)}`;
    default:
      return zh ? `${t ? '會員卡號' : '会员卡号'} ${g.digits(10)}` : `loyalty number ${g.digits(10)}`;
  }
}

// ---- sentences ----------------------------------------------------------------------------------

const CUE_TEMPLATES: Record<Lang, Record<string, string[]>> = {
  'zh-Hans': {
    PHONE: ['我的手机号是{X}，麻烦尽快回电', '联系电话{X}', '您好，请拨打{X}找我', '座机是{X}'],
    ID: ['身份证号码：{X}', '我的身份证是{X}，您核对一下', '证件号{X}'],
    CARD: ['卡号{X}，请帮我查一下', '银行卡号是{X}', '用尾号那张信用卡，卡号{X}'],
    EMAIL: ['邮箱 {X}', '发到我邮箱{X}吧'],
  },
  'zh-Hant': {
    PHONE: ['我的手機是{X}，麻煩盡快回電', '聯絡電話：{X}', '請致電{X}找我', '電話號碼{X}'],
    ID: ['身分證字號 {X}', '身份證號碼係{X}', '證件號{X}'],
    CARD: ['信用卡號{X}', '銀行卡號是{X}，謝謝'],
    EMAIL: ['電郵 {X}', '寄到我的郵箱{X}'],
  },
  en: {
    PHONE: ['My phone number is {X}, call me back', 'You can call me on {X}.', 'mobile: {X}'],
    ID: ['my ID number is {X}', 'SSN {X}', 'social security {X}'],
    SSN: ['SSN {X}', 'my social security number is {X}'],
    CARD: ['Card number {X} expires 09/27', 'the card is {X}'],
    EMAIL: ['email me at {X} please', 'my email is {X}'],
    IBAN: ['IBAN {X}', 'please refund to {X}'],
  },
};
const PLAIN_TEMPLATES: Record<Lang, string[]> = {
  'zh-Hans': ['好的，{X}', '{X} 这个是我老婆的', '就是{X}，没错', '记一下 {X}'],
  'zh-Hant': ['好，{X}', '{X} 呢個係我嘅', '就係{X}，冇錯'],
  en: ['ok so {X}', '{X} is the one', 'yes, {X}, thanks'],
};
const FILLERS: Record<Lang, string[]> = {
  'zh-Hans': ['您好，请问有什么可以帮您', '我上周买的东西还没到', '麻烦帮我查一下', '好的，稍等', '谢谢'],
  'zh-Hant': ['你好，請問有什麼可以幫你', '我上星期買的東西還沒到', '麻煩幫我查一下', '好的，請稍等', '多謝'],
  en: [
    'hi, how can I help',
    'my parcel has not arrived',
    'let me check that for you',
    'one moment please',
    'thanks',
  ],
};

function item(g: Gen, lang: Lang, style: Style): Item {
  const r = g.int(0, 9);
  if (r <= 3) return phoneItem(g, lang, style);
  if (r <= 5) return idItem(g, lang, style);
  if (r <= 7) return cardItem(g, lang, style);
  if (lang === 'en' && r === 8 && style === 'chat') return { type: 'IBAN', text: iban(g), needsCue: false };
  if (style === 'voice') return phoneItem(g, lang, style);
  return emailItem(g);
}

function sentence(g: Gen, lang: Lang, style: Style): string {
  const parts: string[] = [];
  if (g.chance(0.3)) parts.push(FILLERS[lang] ? g.pick(FILLERS[lang]) : '');
  if (g.chance(0.8)) {
    const it = item(g, lang, style);
    const byType = CUE_TEMPLATES[lang][it.type] ?? CUE_TEMPLATES[lang].PHONE ?? [];
    const useCue = it.needsCue || g.chance(0.6);
    const tpl = useCue ? g.pick(byType) : g.pick(PLAIN_TEMPLATES[lang]);
    parts.push(tpl.replace('{X}', `{{${it.type}:${it.text}}}`));
  }
  if (g.chance(0.6) || parts.length === 0) parts.push(negative(g, lang));
  // Speech recognisers punctuate their output, so voice lines keep punctuation between clauses too.
  const joiner =
    lang === 'en' ? (style === 'voice' ? ', ' : '. ') : style === 'voice' ? g.pick(['，', '。']) : '，';
  return parts.join(joiner);
}

export function generatePiiFixture(seed = 20240315, count = 1800): string {
  const g = new Gen(mulberry32(seed));
  const lines = [
    '# generated by scripts/gen-pii.ts — do not edit; regenerate with: npx tsx scripts/gen-pii.ts',
  ];
  const langs: Lang[] = ['zh-Hans', 'zh-Hant', 'en'];
  for (let i = 0; i < count; i++) {
    const lang = langs[i % 3] as Lang;
    const style: Style = g.chance(0.35) ? 'voice' : 'chat';
    lines.push(`${lang}\t${style}\t${sentence(g, lang, style)}`);
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = new URL('../test/fixtures/pii/generated.txt', import.meta.url);
  writeFileSync(out, generatePiiFixture());
  console.log(`wrote ${fileURLToPath(out)}`);
}
