import { cnId15Valid, cnIdShapeValid, cnIdValid, luhnValid, ssnValid, startsWithDate } from './checksums';
import type { Cue } from './context';
import type { PiiKind, PiiType } from './types';

/** How a candidate digit string was written. */
export interface NumberShape {
  /** Digits only (plus a trailing `X` for a resident ID check character). */
  digits: string;
  /** Digit count of each group, in order (groups are split by separators). */
  sizes: number[];
  /** Every group is a single spoken/typed digit ("1 3 8", "one three eight"): no grouping information. */
  singles: boolean;
  /** A `+` stands right before the number. */
  plus: boolean;
  /** The first group is in parentheses: "(010)", "(415)". */
  paren: boolean;
  /** Nearest keyword before the number. */
  cue: Cue | undefined;
}

export interface Classified {
  type: PiiType;
  kind: PiiKind;
  /** Breaks ties between equally long candidates: stronger evidence first. */
  tier: number;
}

const ID: Classified = { type: 'ID', kind: 'cn-id', tier: 4 };
const ID15: Classified = { type: 'ID', kind: 'cn-id-15', tier: 4 };
const CARD: Classified = { type: 'CARD', kind: 'card', tier: 3 };
const SSN: Classified = { type: 'SSN', kind: 'ssn', tier: 2 };
const phone = (kind: PiiKind): Classified => ({ type: 'PHONE', kind, tier: 1 });

const CN_MOBILE = /^1[3-9]\d{9}$/;
const CN_LANDLINE = /^0(?:(?:10|2\d)\d{8}|[3-9]\d{2}\d{7,8})$/;
const TW_LANDLINE = /^0[2-8]\d{7,8}$/;
const US_NANP = /^[2-9]\d{2}[2-9]\d{6}$/;
const HK = /^[2-9]\d{7}$/;

function sizesAre(sizes: number[], ...want: number[]): boolean {
  return sizes.length === want.length && sizes.every((s, i) => s === want[i]);
}

/** Card numbers start with a known issuer range: Amex/JCB/Diners 3, Visa 4, MC 5/2221–2720, UnionPay 6, 9 (older domestic). */
function cardPrefix(d: string): boolean {
  const c = d[0];
  if (c === '3' || c === '4' || c === '5' || c === '6' || c === '9') return true;
  if (c !== '2') return false;
  const p = Number(d.slice(0, 4));
  return p >= 2221 && p <= 2720;
}

/** A number written with a country calling code, e.g. "+86 138…", "00852 9123 4567", "+1 (415) …". */
function classifyInternational(s: NumberShape): Classified | null {
  const first = s.digits.slice(0, s.sizes[0] ?? 0);
  const tries: string[] = [];
  if (s.plus) {
    for (const cc of ['86', '852', '886', '1']) if (first.startsWith(cc)) tries.push(cc);
  } else {
    for (const cc of ['86', '852', '886', '1']) {
      if (first === `00${cc}` || (first === cc && s.sizes.length > 1))
        tries.push(`${first === cc ? '' : '00'}${cc}`);
    }
    // Unspaced "8613812345678": the 86 prefix glued to a mobile number is common in exported data.
    if (s.sizes.length === 1 && /^861[3-9]\d{9}$/.test(s.digits)) tries.push('86');
  }
  for (const prefix of tries) {
    const cc = prefix.replace(/^00/, '');
    const rest = s.digits.slice(prefix.length);
    if (cc === '86' && (CN_MOBILE.test(rest) || CN_LANDLINE.test(`0${rest}`))) {
      return phone(CN_MOBILE.test(rest) ? 'cn-mobile' : 'cn-landline');
    }
    if (cc === '852' && HK.test(rest)) return phone('hk-phone');
    if (cc === '886' && /^9\d{8}$/.test(rest)) return phone('tw-mobile');
    if (cc === '886' && /^[2-8]\d{7,8}$/.test(rest)) return phone('tw-landline');
    if (cc === '1' && US_NANP.test(rest)) return phone('us-phone');
  }
  return null;
}

/**
 * Decides what a run of digits is, or null when it is not personal data. Checksums settle IDs and
 * cards; shapes that collide with everyday numbers (8-digit HK numbers, 10-digit US numbers,
 * landlines, 9-digit SSNs) need either their usual grouping or a keyword before them.
 */
export function classifyNumber(s: NumberShape): Classified | null {
  if (s.cue === 'not-pii') return null;
  const d = s.digits;
  const n = d.length;
  if (n === 18 && cnIdValid(d)) return ID;
  if (d.endsWith('X')) return null;
  // "1 38…" read out digit by digit is a mainland mobile, not +1 and a US number.
  if (!s.plus && n === 11 && CN_MOBILE.test(d)) return phone('cn-mobile');
  const intl = classifyInternational(s);
  if (intl) return intl;
  const grouped = !s.singles && s.sizes.length > 1;
  // Dates and times ("2024-03-15 10:30") are never personal numbers.
  if (grouped && s.sizes[0] === 4 && s.sizes[1] === 2 && startsWithDate(d)) return null;
  // A keyword makes an ungrouped number acceptable; it does not excuse an odd grouping.
  const phoneCue = s.cue === 'phone' && (!grouped || s.singles);
  // 13-digit cards are old Visa only; other 13-digit numbers are mostly EAN-13 barcodes.
  if (n >= 13 && n <= 19 && cardPrefix(d) && (n > 13 || d[0] === '4') && luhnValid(d)) {
    // An 18-digit number shaped like a resident ID (region + birth date) whose check digit fails is a
    // mistyped ID or an internal number, not a card.
    const cardLayout = !grouped || s.sizes.every((x) => x >= 3);
    if (cardLayout && !(n === 18 && cnIdShapeValid(d))) return CARD;
  }
  if (n === 9 && ssnValid(d) && (sizesAre(s.sizes, 3, 2, 4) || s.cue === 'ssn')) return SSN;
  if (n === 11 && CN_MOBILE.test(d)) return phone('cn-mobile');
  if (n === 10 && d.startsWith('09')) return phone('tw-mobile');
  if (d[0] === '0') {
    const areaGrouped = grouped && (s.sizes[0] ?? 0) >= 2 && (s.sizes[0] ?? 0) <= 4;
    if (CN_LANDLINE.test(d) && (s.paren || areaGrouped || phoneCue)) return phone('cn-landline');
    if (TW_LANDLINE.test(d) && (s.paren || areaGrouped || phoneCue)) return phone('tw-landline');
  }
  if (
    n === 10 &&
    US_NANP.test(d) &&
    (s.paren || sizesAre(s.sizes, 3, 3, 4) || sizesAre(s.sizes, 3, 7) || phoneCue || s.singles)
  ) {
    return phone('us-phone');
  }
  if (n === 8 && HK.test(d) && !startsWithDate(d) && (sizesAre(s.sizes, 4, 4) || phoneCue))
    return phone('hk-phone');
  if (n === 15 && s.cue === 'id' && cnId15Valid(d)) return ID15;
  return null;
}
