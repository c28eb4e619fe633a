/**
 * Refuses regular expressions that could backtrack catastrophically or scan quadratically
 * (issue 4: a 1 MB utterance must stay linear). Accepted patterns have a bounded match length
 * (no `*`, `+`, `{n,}`), no quantified group that itself contains a quantifier, no
 * back-references and no look-arounds. With a bounded width L, every start position costs at most
 * O(L) steps, so a scan is O(n·L) even in a backtracking engine.
 */

export const MAX_REGEX_WIDTH = 200;

export type RegexCheck = { ok: true; width: number } | { ok: false; message: string };

class Reject extends Error {}

interface Part {
  /** Longest possible match in code units. */
  max: number;
  /** Contains a quantifier (directly or nested). */
  quantified: boolean;
}

export function checkRegex(source: string, flags = ''): RegexCheck {
  try {
    new RegExp(source, flags);
  } catch (e) {
    return { ok: false, message: `invalid regular expression: ${(e as Error).message}` };
  }
  let i = 0;
  const peek = () => source[i];
  const fail = (why: string): never => {
    throw new Reject(`${why} at position ${i}`);
  };

  const alternation = (): Part => {
    let part = sequence();
    while (peek() === '|') {
      i++;
      const next = sequence();
      part = { max: Math.max(part.max, next.max), quantified: part.quantified || next.quantified };
    }
    return part;
  };

  const sequence = (): Part => {
    const part: Part = { max: 0, quantified: false };
    while (i < source.length && peek() !== '|' && peek() !== ')') {
      const a = quantifiedAtom();
      part.max += a.max;
      part.quantified ||= a.quantified;
    }
    return part;
  };

  const escaped = (): Part => {
    i++; // backslash
    const c = source[i++];
    if (c === undefined) fail('dangling backslash');
    if (c && /[1-9]/.test(c)) fail('back-references are not allowed');
    if (c === 'k') fail('back-references are not allowed');
    if (c === 'b' || c === 'B') return { max: 0, quantified: false };
    if (c === 'u' && peek() === '{') i = source.indexOf('}', i) + 1;
    else if (c === 'u') i += 4;
    else if (c === 'x') i += 2;
    else if ((c === 'p' || c === 'P') && peek() === '{') i = source.indexOf('}', i) + 1;
    else if (c === 'c') i += 1;
    return { max: 2, quantified: false }; // one code point: up to two code units
  };

  const charClass = (): Part => {
    i++; // [
    if (peek() === '^') i++;
    if (peek() === ']') i++;
    while (i < source.length && peek() !== ']') i += peek() === '\\' ? 2 : 1;
    if (peek() !== ']') fail('unterminated character class');
    i++;
    return { max: 2, quantified: false };
  };

  const group = (): Part => {
    i++; // (
    if (source.startsWith('?=', i) || source.startsWith('?!', i)) fail('look-ahead is not allowed');
    if (source.startsWith('?<=', i) || source.startsWith('?<!', i)) fail('look-behind is not allowed');
    if (source.startsWith('?:', i)) i += 2;
    else if (source.startsWith('?<', i)) i = source.indexOf('>', i) + 1;
    const inner = alternation();
    if (peek() !== ')') fail('unbalanced parenthesis');
    i++;
    return inner;
  };

  const atom = (): Part => {
    const c = peek();
    if (c === '(') return group();
    if (c === '[') return charClass();
    if (c === '\\') return escaped();
    i++;
    if (c === '^' || c === '$') return { max: 0, quantified: false };
    return { max: 2, quantified: false };
  };

  const quantifiedAtom = (): Part => {
    const a = atom();
    const q = peek();
    let times = 1;
    if (q === '*' || q === '+') fail(`unbounded quantifier "${q}" (use {0,N} or {1,N})`);
    if (q === '?') {
      i++;
      times = 1;
    } else if (q === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!m) return a; // a literal brace
      if (m[2] !== undefined && m[3] === '') fail('unbounded quantifier "{n,}" (give an upper bound)');
      times = Number(m[3] ?? m[1]);
      i += m[0].length;
    } else return a;
    if (peek() === '?') i++; // lazy
    if (a.quantified && times > 1) fail('nested quantifiers are not allowed');
    return { max: a.max * times, quantified: true };
  };

  try {
    const whole = alternation();
    if (i < source.length) fail('unbalanced parenthesis');
    if (whole.max > MAX_REGEX_WIDTH)
      return {
        ok: false,
        message: `can match up to ${whole.max} characters; the limit is ${MAX_REGEX_WIDTH}`,
      };
    return { ok: true, width: whole.max };
  } catch (e) {
    if (e instanceof Reject) return { ok: false, message: e.message };
    throw e;
  }
}
