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

const utf16 = new TextDecoder('utf-16le');

/** Same length as the input: Han characters (BMP) replaced by their syllable codes. */
export function foldHomophones(text: string): string {
  let out: Uint16Array | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x3400 || !isHan(c)) continue;
    if (!out) {
      out = new Uint16Array(text.length);
      for (let j = 0; j < i; j++) out[j] = text.charCodeAt(j);
    }
    out[i] = codeFor(c);
  }
  if (!out) return text;
  // Copy the units that were skipped after the first Han character.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x3400 || !isHan(c)) out[i] = c;
  }
  // Lone surrogates cannot occur here: normalised text keeps surrogate pairs whole.
  return utf16.decode(out);
}

/** Toneless pinyin of a phrase, syllables joined with `sep` ("baoben", "bao ben"). */
export function pinyinOf(phrase: string, sep: string): string {
  return pinyin(phrase, { toneType: 'none', separator: sep, v: true, nonZh: 'consecutive' });
}
