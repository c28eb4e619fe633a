/**
 * Homophone folding for evasion like 报本 for 保本: every Chinese character is replaced by a code
 * for its toneless pinyin syllable (pinyin-pro's most common reading), one code unit for one, so
 * offsets in folded text equal offsets in normalised text.
 */
import { pinyin } from 'pinyin-pro';
import { isHan } from './chars';

const PUA_BASE = 0xe000; // private use area: cannot collide with real text after NFKC
const syllableCode = new Map<string, number>();
const charCode = new Map<number, number>();

function syllableOf(ch: string): string {
  return pinyin(ch, { toneType: 'none', type: 'array', v: true })[0] ?? ch;
}

function codeFor(cp: number): number {
  let code = charCode.get(cp);
  if (code === undefined) {
    const syl = syllableOf(String.fromCharCode(cp));
    code = syllableCode.get(syl);
    if (code === undefined) {
      code = PUA_BASE + syllableCode.size;
      syllableCode.set(syl, code);
    }
    charCode.set(cp, code);
  }
  return code;
}

/** Same length as the input: Han characters (BMP) replaced by their syllable codes. */
export function foldHomophones(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x3400 || !isHan(c)) continue;
    out += text.slice(from, i) + String.fromCharCode(codeFor(c));
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Toneless pinyin of a phrase, syllables joined with `sep` ("baoben", "bao ben"). */
export function pinyinOf(phrase: string, sep: string): string {
  return pinyin(phrase, { toneType: 'none', separator: sep, v: true, nonZh: 'consecutive' });
}
