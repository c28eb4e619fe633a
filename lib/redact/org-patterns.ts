import { z } from 'zod';
import { DIGIT } from './chars';
import type { PlaceholderLocale } from './types';

/** Placeholder words carry no digits, brackets, "@" or spaces, so redacted text has nothing left to find. */
const PlaceholderWord = z
  .string()
  .min(1)
  .max(24)
  .refine((w) => ![...w].some((ch) => (DIGIT[ch.charCodeAt(0)] ?? -1) >= 0 || /[[\]@\s]/.test(ch)), {
    message: 'placeholder words may not contain digits, brackets, "@" or spaces',
  });

export const OrgPatternSpec = z.object({
  /** Stable id for audit and statistics, e.g. "acme-order". */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  /** Type reported in spans, e.g. "ORDER", "POLICY". */
  type: z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/),
  /** JavaScript regex source, checked by `checkPatternSafety` (bounded quantifiers only). */
  pattern: z.string().min(1).max(300),
  caseInsensitive: z.boolean().default(false),
  /** Text inside the brackets per language; defaults to the type. */
  placeholder: z
    .object({
      en: PlaceholderWord.optional(),
      'zh-Hans': PlaceholderWord.optional(),
      'zh-Hant': PlaceholderWord.optional(),
    })
    .default({}),
  description: z.string().max(500).optional(),
});
export type OrgPatternSpec = z.input<typeof OrgPatternSpec>;

export const OrgPatternFile = z.object({
  version: z.literal(1),
  patterns: z.array(OrgPatternSpec).max(100),
});
export type OrgPatternFile = z.input<typeof OrgPatternFile>;

export interface CompiledOrgPattern {
  id: string;
  type: string;
  re: RegExp;
  placeholders: Record<PlaceholderLocale, string>;
}

/** Organisation patterns, validated and compiled once; pass to `redact`/`detect` as `patterns`. */
export interface OrgPatterns {
  readonly list: readonly CompiledOrgPattern[];
}

export class OrgPatternError extends Error {
  override name = 'OrgPatternError';
}

/** Upper bound on the bounded quantifier ranges and alternatives multiplied together. */
const MAX_BRANCHING = 4096;
const MAX_REPEAT = 64;

/**
 * Accepts only regexes whose matching work per start position is bounded by a constant, so a pattern
 * from an organisation's settings can never make redaction slow on hostile text:
 * no `*`, `+` or `{n,}`; repeats up to MAX_REPEAT; no quantifier on a group that already contains
 * one; no backreferences or lookaround; and the product of repeat ranges and alternatives stays
 * under MAX_BRANCHING. Returns the reason when the pattern is refused.
 */
export function checkPatternSafety(src: string): string | null {
  interface Frame {
    quantified: boolean;
    branching: number;
    alternatives: number;
  }
  const stack: Frame[] = [{ quantified: false, branching: 1, alternatives: 1 }];
  let lastAtom: 'none' | 'simple' | 'group' = 'none';
  let lastGroup: Frame | undefined;
  const top = (): Frame => stack[stack.length - 1] as Frame;
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === '\\') {
      const nx = src[i + 1] ?? '';
      if (/[1-9]/.test(nx) || nx === 'k') return 'backreferences are not allowed';
      if (nx === 'u' && src[i + 2] === '{') i = src.indexOf('}', i) + 1;
      else if ((nx === 'p' || nx === 'P') && src[i + 2] === '{') i = src.indexOf('}', i) + 1;
      else if (nx === 'u') i += 6;
      else if (nx === 'x') i += 4;
      else i += 2;
      if (i <= 0) return 'unterminated escape';
      lastAtom = 'simple';
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) return 'unterminated character class';
      i = j + 1;
      lastAtom = 'simple';
      continue;
    }
    if (ch === '(') {
      if (src[i + 1] === '?') {
        const kind = src.slice(i + 2, i + 4);
        if (kind.startsWith(':')) i += 3;
        else if (kind.startsWith('<') && kind !== '<=' && kind !== '<!') i = src.indexOf('>', i) + 1;
        else return 'lookaround and other special groups are not allowed';
        if (i <= 0) return 'unterminated group name';
      } else i++;
      stack.push({ quantified: false, branching: 1, alternatives: 1 });
      lastAtom = 'none';
      continue;
    }
    if (ch === ')') {
      if (stack.length === 1) return 'unbalanced parenthesis';
      const f = stack.pop() as Frame;
      const parent = top();
      parent.branching *= f.branching * f.alternatives;
      parent.quantified ||= f.quantified;
      lastGroup = f;
      lastAtom = 'group';
      i++;
      continue;
    }
    if (ch === '|') {
      top().alternatives++;
      lastAtom = 'none';
      i++;
      continue;
    }
    if (ch === '*' || ch === '+')
      return `unbounded "${ch}" is not allowed: use a bounded repeat such as {1,${MAX_REPEAT}}`;
    if (ch === '?' || ch === '{') {
      let lo = 0;
      let hi = 1;
      let next = i + 1;
      if (ch === '{') {
        const m = /^\{(\d{1,3})(,(\d{0,3}))?\}/.exec(src.slice(i));
        if (!m) return 'malformed repeat';
        lo = Number(m[1]);
        if (m[2] !== undefined && (m[3] ?? '') === '')
          return `open-ended "{n,}" is not allowed: give a maximum`;
        hi = m[3] !== undefined ? Number(m[3]) : lo;
        if (hi < lo || hi > MAX_REPEAT) return `repeat bounds must be 0 ≤ min ≤ max ≤ ${MAX_REPEAT}`;
        next = i + m[0].length;
      }
      if (lastAtom === 'none') return 'quantifier without something to repeat';
      if (lastAtom === 'group' && lastGroup?.quantified) return 'nested quantifiers are not allowed';
      if (lastAtom === 'group' && lastGroup && lastGroup.alternatives > 1 && hi > 1) {
        return 'repeating a group with alternatives is not allowed';
      }
      top().quantified = true;
      top().branching *= hi - lo + 1;
      if (src[next] === '?') next++; // lazy variant
      i = next;
      lastAtom = 'none';
      if (top().branching > MAX_BRANCHING) return 'pattern is too ambiguous (too many ways to match)';
      continue;
    }
    lastAtom = 'simple';
    i++;
  }
  if (stack.length !== 1) return 'unbalanced parenthesis';
  if (top().branching * top().alternatives > MAX_BRANCHING)
    return 'pattern is too ambiguous (too many ways to match)';
  return null;
}

/**
 * Validates organisation pattern data (parsed JSON) and compiles it. Throws OrgPatternError naming the
 * pattern and the reason; `forbidden` are strings a pattern must not match (the built-in placeholders).
 */
export function compileOrgPatterns(data: unknown, forbidden: readonly string[] = []): OrgPatterns {
  const parsed = OrgPatternFile.safeParse(data);
  if (!parsed.success) throw new OrgPatternError(`invalid pattern file: ${z.prettifyError(parsed.error)}`);
  const ids = new Set<string>();
  const list: CompiledOrgPattern[] = [];
  for (const p of parsed.data.patterns) {
    if (ids.has(p.id)) throw new OrgPatternError(`pattern "${p.id}": duplicate id`);
    ids.add(p.id);
    const reason = checkPatternSafety(p.pattern);
    if (reason) throw new OrgPatternError(`pattern "${p.id}": ${reason}`);
    let re: RegExp;
    try {
      re = new RegExp(p.pattern, p.caseInsensitive ? 'giu' : 'gu');
    } catch (e) {
      throw new OrgPatternError(`pattern "${p.id}": ${(e as Error).message}`);
    }
    if (new RegExp(`^(?:${p.pattern})$`, re.flags.replace('g', '')).test('')) {
      throw new OrgPatternError(`pattern "${p.id}": matches the empty string`);
    }
    const en = p.placeholder.en ?? p.type;
    const placeholders: Record<PlaceholderLocale, string> = {
      en: `[${en}]`,
      'zh-Hans': `[${p.placeholder['zh-Hans'] ?? en}]`,
      'zh-Hant': `[${p.placeholder['zh-Hant'] ?? p.placeholder['zh-Hans'] ?? en}]`,
    };
    list.push({ id: p.id, type: p.type, re, placeholders });
  }
  // Redacting twice must change nothing, so no pattern may match any placeholder.
  const allPlaceholders = [...forbidden, ...list.flatMap((p) => Object.values(p.placeholders))];
  for (const p of list) {
    for (const ph of allPlaceholders) {
      p.re.lastIndex = 0;
      if (p.re.test(ph)) throw new OrgPatternError(`pattern "${p.id}": matches the placeholder ${ph}`);
    }
    p.re.lastIndex = 0;
  }
  return { list };
}
