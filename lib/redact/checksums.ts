// Check-digit and structure validators. Each takes the bare characters (no separators), upper-case.

/** Luhn (ISO/IEC 7812) check used by payment and bank card numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
  return d <= days;
}

/** True when `s` starts with a plausible birth date or timestamp `YYYYMMDD` between 1900 and 2099. */
export function startsWithDate(s: string): boolean {
  if (s.length < 8) return false;
  const y = Number(s.slice(0, 4));
  return y >= 1900 && y <= 2099 && isValidDate(y, Number(s.slice(4, 6)), Number(s.slice(6, 8)));
}

// First two digits of a mainland resident ID: province-level region (GB/T 2260), plus 71/81/82/83
// used for Taiwan, Hong Kong and Macau residents and 91 for foreigners' permanent residence cards.
const CN_REGIONS = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82, 83, 91,
]);
const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_CHECK = '10X98765432';

/** ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID. */
export function cnIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (CN_WEIGHTS[i] ?? 0);
  return CN_CHECK[sum % 11] ?? '?';
}

/** Region and birth date are plausible (the part of an 18-digit ID that does not need the check digit). */
export function cnIdShapeValid(id: string): boolean {
  if (id.length !== 18 || !/^\d{17}[\dX]$/.test(id)) return false;
  return CN_REGIONS.has(Number(id.slice(0, 2))) && startsWithDate(id.slice(6, 14));
}

/** 18-digit mainland resident ID (GB 11643-1999): region, birth date and check character. */
export function cnIdValid(id: string): boolean {
  return cnIdShapeValid(id) && cnIdCheckChar(id) === id[17];
}

/** Legacy 15-digit ID: region + YYMMDD (19YY) + sequence; it has no check digit. */
export function cnId15Valid(id: string): boolean {
  if (!/^\d{15}$/.test(id) || !CN_REGIONS.has(Number(id.slice(0, 2)))) return false;
  return isValidDate(1900 + Number(id.slice(6, 8)), Number(id.slice(8, 10)), Number(id.slice(10, 12)));
}

function letterValue(c: number): number {
  return c - 55; // 'A' → 10 … 'Z' → 35
}

/** Hong Kong identity card check character for `letters` (1–2 upper-case) + 6 digits. */
export function hkIdCheckChar(body: string): string {
  const chars = body.length === 7 ? ` ${body}` : body;
  if (chars.length !== 8) return '?';
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = chars.charCodeAt(i);
    const v = c === 32 ? 36 : c >= 65 ? letterValue(c) : c - 48;
    sum += v * (9 - i);
  }
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'A' : String(check);
}

export function hkIdValid(body: string, check: string): boolean {
  return /^[A-Z]{1,2}\d{6}$/.test(body) && hkIdCheckChar(body) === check;
}

// Taiwan ID letters map to two-digit codes that do not follow the alphabet (I, O, W … were added later).
const TW_CODES = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';

/** Taiwan national ID: letter + gender digit (1/2, or 8/9 for resident certificates) + 8 digits. */
export function twIdValid(id: string): boolean {
  if (!/^[A-Z][1289]\d{8}$/.test(id)) return false;
  const code = TW_CODES.indexOf(id[0] ?? '') + 10;
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  for (let i = 1; i < 9; i++) sum += (id.charCodeAt(i) - 48) * (9 - i);
  sum += id.charCodeAt(9) - 48;
  return sum % 10 === 0;
}

/** US Social Security Number rules: area not 000, 666 or 900–999; group not 00; serial not 0000. */
export function ssnValid(d: string): boolean {
  if (!/^\d{9}$/.test(d)) return false;
  const area = Number(d.slice(0, 3));
  return area !== 0 && area !== 666 && area < 900 && d.slice(3, 5) !== '00' && d.slice(5) !== '0000';
}

/** IBAN lengths by country (ISO 13616 registry); unknown countries are not accepted. */
export const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  (
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 ' +
    'FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 ' +
    'LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 ' +
    'SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20'
  )
    .split(' ')
    .map((e) => [e.slice(0, 2), Number(e.slice(2))] as [string, number]),
);

/** ISO 7064 MOD 97-10 over the rearranged IBAN, computed in chunks to stay within safe integers. */
export function ibanValid(iban: string): boolean {
  if (IBAN_LENGTHS.get(iban.slice(0, 2)) !== iban.length || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban))
    return false;
  const s = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65) rem = (rem * 100 + letterValue(c)) % 97;
    else rem = (rem * 10 + (c - 48)) % 97;
  }
  return rem === 1;
}
