// Words just before a number that say what it is. Only the nearest keyword counts, so "订单号 … 手机
// 138…" reads as a phone number while "订单号 1381234…" reads as an order id.

export type Cue = 'phone' | 'id' | 'card' | 'ssn' | 'not-pii';

const CUES: Array<[Cue, string[]]> = [
  [
    'phone',
    [
      '电话',
      '電話',
      '手机',
      '手機',
      '联系',
      '聯繫',
      '聯絡',
      '联络',
      '致电',
      '致電',
      '来电',
      '來電',
      '回电',
      '回電',
      '打给',
      '打給',
      '拨打',
      '撥打',
      '号码',
      '號碼',
      '座机',
      '座機',
      '固话',
      '分机',
      '分機',
      '热线',
      '熱線',
      '微信',
      'whatsapp',
      'phone',
      'tel',
      'call',
      'mobile',
      'cell',
      'reach me',
      'text me',
      'fax',
    ],
  ],
  [
    'id',
    [
      '身份证',
      '身份證',
      '身分證',
      '证件',
      '證件',
      '证号',
      '證號',
      '居民',
      'id card',
      'id number',
      'identity',
      'hkid',
      'passport',
    ],
  ],
  [
    'card',
    [
      '卡号',
      '卡號',
      '银行卡',
      '銀行卡',
      '信用卡',
      '借记卡',
      '储蓄卡',
      '帳戶',
      '账户',
      '账号',
      '帳號',
      'card',
      'visa',
      'mastercard',
      'account',
    ],
  ],
  ['ssn', ['ssn', 'social security', 'social']],
  [
    'not-pii',
    [
      '订单',
      '訂單',
      '单号',
      '單號',
      '运单',
      '運單',
      '快递',
      '快遞',
      '物流',
      '发票',
      '發票',
      '编号',
      '編號',
      '流水',
      '工单',
      '工單',
      '型号',
      '型號',
      '序列号',
      '序號',
      '批次',
      '货号',
      '貨號',
      '金额',
      '金額',
      '价格',
      '價格',
      '时间',
      '编码',
      '編碼',
      '条形码',
      '條碼',
      '条码',
      '時間',
      '日期',
      '会员卡号',
      '會員卡號',
      '订单号码',
      '訂單號碼',
      '单号码',
      '單號碼',
      '条码',
      '條碼',
      '券码',
      'order',
      'tracking',
      'invoice',
      'ref',
      'reference',
      'sku',
      'ticket',
      'case',
      'serial',
      'model',
      'batch',
      'amount',
      'total',
      'price',
      'version',
      'build',
      'timestamp',
      'transaction',
      'confirmation',
      'parcel',
      'shipment',
      'waybill',
      'product',
      'item',
      'code',
      'member',
      'loyalty',
      'policy',
      'claim',
      'isbn',
      'upc',
      'ean',
      'barcode',
    ],
  ],
];

/** How far back (UTF-16 units) a cue may sit. Long enough for "我的手机号码是：", short enough to stay local. */
export const CUE_WINDOW = 16;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const KIND_OF = new Map<string, Cue>();
for (const [cue, words] of CUES) for (const w of words) KIND_OF.set(w, cue);
// Longest first so compound cues ("会员卡号", "订单号码") win over the words inside them.
const ALTERNATION = [...KIND_OF.keys()]
  .sort((a, b) => b.length - a.length)
  .map((w) => (/^[a-z ]+$/.test(w) ? `\\b${escapeRegex(w)}\\b` : escapeRegex(w)))
  .join('|');
const CUE_RE = new RegExp(ALTERNATION, 'g');
const GENERIC = new Set(['号码', '號碼', 'number']);

/**
 * The cue nearest to the end of `before` (text just before a number). Cues that end at the same place
 * are resolved by the regex's longest-first order.
 */
export function nearestCue(before: string): Cue | undefined {
  if (before.length === 0) return undefined;
  const lower = before.toLowerCase();
  CUE_RE.lastIndex = 0;
  let best: Cue | undefined;
  let bestEnd = -1;
  let prevCue: Cue | undefined;
  let prevEnd = -2;
  for (let m = CUE_RE.exec(lower); m !== null; m = CUE_RE.exec(lower)) {
    const end = m.index + m[0].length;
    let cue = KIND_OF.get(m[0]);
    // "发票号码", "訂單號碼": a generic head noun takes its meaning from the word right before it.
    if (GENERIC.has(m[0]) && prevEnd === m.index) cue = prevCue;
    if (end > bestEnd) {
      bestEnd = end;
      best = cue;
    }
    prevCue = cue;
    prevEnd = end;
  }
  return best;
}
