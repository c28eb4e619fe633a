import { isAsciiAlnum, isAsciiDigit, isAsciiLetter, isUpper } from './chars';
import type { Candidate } from './candidate';
import { IBAN_LENGTHS, hkIdValid, ibanValid, twIdValid } from './checksums';

// Module-local aliases: this runs at every ASCII word start, and imported bindings may be accessors.
const isAlnum = isAsciiAlnum;
const isDigit = isAsciiDigit;
const isLetter = isAsciiLetter;
const isCap = isUpper;

const MAX_IBAN = 34;

function upperAt(text: string, i: number): string {
  return (text[i] ?? '').toUpperCase();
}

function endsWord(text: string, end: number): boolean {
  return end >= text.length || !isAlnum(text.charCodeAt(end));
}

/** Taiwan ID "A123456789" (either case; people type it in lower case in chat). */
function matchTwId(text: string, i: number): Candidate | null {
  const end = i + 10;
  if (end > text.length || !endsWord(text, end)) return null;
  for (let k = i + 1; k < end; k++) if (!isDigit(text.charCodeAt(k))) return null;
  return twIdValid(upperAt(text, i) + text.slice(i + 1, end))
    ? { start: i, end, type: 'ID', kind: 'tw-id' }
    : null;
}

/** Hong Kong ID "A123456(3)", "AB987654(A)", also without the parentheses. */
function matchHkId(text: string, i: number): Candidate | null {
  let k = i;
  while (k < text.length && k < i + 2 && isLetter(text.charCodeAt(k))) k++;
  const letters = k - i;
  for (let j = 0; j < 6; j++) if (!isDigit(text.charCodeAt(k + j))) return null;
  const body = text.slice(i, k).toUpperCase() + text.slice(k, k + 6);
  let p = k + 6;
  const open = text.charCodeAt(p);
  const paren = open === 0x28 || open === 0xff08;
  if (paren) p++;
  const check = upperAt(text, p);
  if (!/^[0-9A]$/.test(check)) return null;
  p++;
  if (paren) {
    const close = text.charCodeAt(p);
    if (close !== 0x29 && close !== 0xff09) return null;
    p++;
  } else if (!endsWord(text, p)) return null;
  return letters >= 1 && hkIdValid(body, check) ? { start: i, end: p, type: 'ID', kind: 'hk-id' } : null;
}

/** IBAN in print form ("GB82 WEST 1234 …") or compact; upper case only, length from the country. */
function matchIban(text: string, i: number): Candidate | null {
  if (!isCap(text.charCodeAt(i)) || !isCap(text.charCodeAt(i + 1))) return null;
  if (!isDigit(text.charCodeAt(i + 2)) || !isDigit(text.charCodeAt(i + 3))) return null;
  const want = IBAN_LENGTHS.get(text.slice(i, i + 2));
  if (want === undefined) return null;
  let s = '';
  let k = i;
  while (k < text.length && s.length < want && s.length < MAX_IBAN) {
    const c = text.charCodeAt(k);
    if (isCap(c) || isDigit(c)) {
      s += text[k];
      k++;
    } else if (c === 0x20 && s.length > 0 && k + 1 < text.length && isAlnum(text.charCodeAt(k + 1))) {
      k++; // single space between print groups
    } else break;
  }
  if (s.length !== want || !endsWord(text, k)) return null;
  return ibanValid(s) ? { start: i, end: k, type: 'IBAN', kind: 'iban' } : null;
}

/** Letter-led identifiers, tried at the start of an ASCII word. */
export function matchAlnumId(text: string, i: number): Candidate | null {
  const next = text.charCodeAt(i + 1);
  if (isDigit(next)) return matchTwId(text, i) ?? matchHkId(text, i);
  if (isLetter(next)) return matchIban(text, i) ?? matchHkId(text, i);
  return null;
}
