// Character tables used by the scanners. Lookups are typed arrays indexed by UTF-16 code unit so
// the hot loop does no allocation and no regex work on ordinary text.

/** Digit value of a code unit, -1 when it is not a digit-like character. */
export const DIGIT = new Int8Array(0x10000).fill(-1);
for (let i = 0; i < 10; i++) {
  DIGIT[0x30 + i] = i; // ASCII
  DIGIT[0xff10 + i] = i; // full-width, typed by Chinese input methods
}
// Chinese numerals as read out digit by digit in voice transcripts: 幺 is how 1 is spoken in phone
// numbers, 两/兩 sometimes stands for 2, 〇/○ for 0. Positional numerals (十百千万) are quantities,
// not digit strings, and are deliberately absent.
const HAN_DIGITS: Array<[string, number]> = [
  ['零', 0],
  ['〇', 0],
  ['○', 0],
  ['一', 1],
  ['幺', 1],
  ['二', 2],
  ['两', 2],
  ['兩', 2],
  ['三', 3],
  ['四', 4],
  ['五', 5],
  ['六', 6],
  ['七', 7],
  ['八', 8],
  ['九', 9],
];
for (const [ch, v] of HAN_DIGITS) DIGIT[ch.charCodeAt(0)] = v;

/** Characters that may sit between digit groups of one number: spaces, dashes, dots, commas, parens. */
export const SEP = new Uint8Array(0x10000);
/** Separators that mark a boundary between two different numbers rather than groups of one. */
export const LOOSE_SEP = new Uint8Array(0x10000);
for (const ch of ' \t\u00a0\u3000-\u2010\u2011\u2012\u2013\u2014\uff0d.\uff0e\u00b7\u30fb()\uff08\uff09,\uff0c\u3001;\uff1b') {
  SEP[ch.charCodeAt(0)] = 1;
}
for (const ch of ',\uff0c\u3001;\uff1b') LOOSE_SEP[ch.charCodeAt(0)] = 1;

/** Digit script: a change of script between groups means a new number ("幺三八… 6222…"). */
export const SCRIPT_ASCII = 0;
export const SCRIPT_FULLWIDTH = 1;
export const SCRIPT_HAN = 2;
export const SCRIPT_WORD = 3;
export function digitScript(c: number): number {
  if (c < 0x80) return SCRIPT_ASCII;
  if (c >= 0xff10 && c <= 0xff19) return SCRIPT_FULLWIDTH;
  return SCRIPT_HAN;
}

/** Longest run of separator characters still read as "same number continues". */
export const MAX_SEP_RUN = 3;

export function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
export function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
export function isAsciiAlnum(c: number): boolean {
  return isAsciiLetter(c) || isAsciiDigit(c);
}
export function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}
export function isHan(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}

/** English digit words for spoken numbers ("one three eight …"); "oh" only counts next to another digit. */
export const WORD_DIGITS: ReadonlyMap<string, number> = new Map([
  ['zero', 0],
  ['oh', 0],
  ['one', 1],
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
]);

// Characters that exist in only one of the two Chinese scripts, paired simplified→traditional.
// Enough common ones that any sentence of contact-centre talk carries a few.
const SCRIPT_PAIRS =
  '这這们們号號码碼说說请請谢謝银銀机機电電话話么麼为為个個来來时時对對还還没沒会會过過后後经經发發现現问問题題' +
  '单單务務实實关關点點给給让讓应應该該样樣开開进進动動见見边邊东東车車长長门門间間头頭买買卖賣钱錢账賬户戶张張' +
  '员員讯訊认認识識证證书書设設计計办辦态態总總热熱线線签簽约約帮幫联聯邮郵吗嗎';
export const SIMPLIFIED_ONLY = new Uint8Array(0x10000);
export const TRADITIONAL_ONLY = new Uint8Array(0x10000);
for (let i = 0; i + 1 < SCRIPT_PAIRS.length; i += 2) {
  SIMPLIFIED_ONLY[SCRIPT_PAIRS.charCodeAt(i)] = 1;
  TRADITIONAL_ONLY[SCRIPT_PAIRS.charCodeAt(i + 1)] = 1;
}
