import type { Candidate } from './candidate';
import { DIGIT } from './chars';
import { type OrgPatterns, compileOrgPatterns } from './org-patterns';
import {
  LocalePicker,
  allBuiltinPlaceholders,
  builtinPlaceholder,
  normaliseLocale,
  placeholderMatcher,
} from './placeholders';
import { scanEmails } from './scan-email';
import { scanNumbers } from './scan-numbers';
import type { BuiltinType, Detection, LocaleOption, OffsetBias, RedactResult, RedactedSpan } from './types';

export interface RedactOptions {
  /** Placeholder language; `auto` (default) follows the text around each match. Accepts zh-CN, zh-TW, en-US… */
  locale?: LocaleOption | string;
  /** Organisation patterns from `compilePatterns`. They take precedence over built-in number detection. */
  patterns?: OrgPatterns;
}

const BUILTIN_PLACEHOLDERS = allBuiltinPlaceholders();
const BUILTIN_MATCHER = placeholderMatcher(BUILTIN_PLACEHOLDERS);
const matcherCache = new WeakMap<OrgPatterns, RegExp>();

/** Validates and compiles organisation pattern data (see README); throws OrgPatternError with the reason. */
export function compilePatterns(data: unknown): OrgPatterns {
  const compiled = compileOrgPatterns(data, BUILTIN_PLACEHOLDERS);
  matcherCache.set(
    compiled,
    placeholderMatcher([
      ...BUILTIN_PLACEHOLDERS,
      ...compiled.list.flatMap((p) => Object.values(p.placeholders)),
    ]),
  );
  return compiled;
}

/** Keeps the longer of overlapping spans (earlier on a tie); input in any order, output sorted. */
function resolveOverlaps(cands: Candidate[]): Candidate[] {
  cands.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Candidate[] = [];
  for (const c of cands) {
    const last = out[out.length - 1];
    if (!last || c.start >= last.end) out.push(c);
    else if (c.end - c.start > last.end - last.start) out[out.length - 1] = c;
  }
  // Replacing a kept span with a longer later one can make it overlap the span before; one more pass.
  return out.filter((c, i) => i === 0 || c.start >= (out[i - 1]?.end ?? 0));
}

function findAll(text: string, patterns: OrgPatterns | undefined): Candidate[] {
  const claimed: Candidate[] = [];
  scanEmails(text, claimed);
  if (patterns) {
    for (const p of patterns.list) {
      p.re.lastIndex = 0;
      for (let m = p.re.exec(text); m !== null; m = p.re.exec(text)) {
        if (m[0].length === 0) {
          p.re.lastIndex++;
          continue;
        }
        claimed.push({
          start: m.index,
          end: m.index + m[0].length,
          type: p.type,
          kind: 'org',
          patternId: p.id,
        });
      }
    }
  }
  const resolved = resolveOverlaps(claimed);
  const found: Candidate[] = [];
  const matcher = (patterns && matcherCache.get(patterns)) ?? BUILTIN_MATCHER;
  scanNumbers(text, { claimed: resolved, placeholder: matcher }, found);
  if (found.length === 0) return resolved;
  return resolveOverlaps([...resolved, ...found]);
}

/** Shows only the last four characters of what was found (emails keep their domain) so a warning can name it safely. */
export function maskPreview(original: string, kind: Candidate['kind']): string {
  if (kind === 'email') {
    const at = Math.max(original.indexOf('@'), original.indexOf('＠'));
    return `${original.slice(0, 1)}***${original.slice(at)}`;
  }
  const chars = [...original];
  let keep = 4;
  for (let i = chars.length - 1; i >= 0; i--) {
    const ch = chars[i] as string;
    const significant = /[\p{L}\p{N}]/u.test(ch) || (DIGIT[ch.charCodeAt(0)] ?? -1) >= 0;
    if (!significant) continue;
    if (keep > 0) keep--;
    else chars[i] = '*';
  }
  return chars.join('');
}

/** What is personal in `text`, without changing it: for the pre-send warning. */
export function detect(text: string, opts: RedactOptions = {}): Detection[] {
  return findAll(text, opts.patterns).map((c) => {
    const d: Detection = {
      start: c.start,
      end: c.end,
      type: c.type,
      kind: c.kind,
      masked: maskPreview(text.slice(c.start, c.end), c.kind),
    };
    if (c.patternId !== undefined) d.patternId = c.patternId;
    return d;
  });
}

/** Replaces everything `detect` finds with typed placeholders and returns an offset map. */
export function redact(text: string, opts: RedactOptions = {}): RedactResult {
  const found = findAll(text, opts.patterns);
  const locale = normaliseLocale(opts.locale);
  const picker = new LocalePicker(text, locale);
  const orgById = new Map(opts.patterns?.list.map((p) => [p.id, p]) ?? []);
  const parts: string[] = [];
  const spans: RedactedSpan[] = [];
  let pos = 0;
  let outLen = 0;
  for (const c of found) {
    const loc = picker.pick(c.start, c.end, c.kind);
    const org = c.patternId !== undefined ? orgById.get(c.patternId) : undefined;
    const ph = org ? org.placeholders[loc] : builtinPlaceholder(c.type as BuiltinType, c.kind, loc);
    parts.push(text.slice(pos, c.start), ph);
    outLen += c.start - pos;
    spans.push({
      start: c.start,
      end: c.end,
      type: c.type,
      kind: c.kind,
      outStart: outLen,
      outEnd: outLen + ph.length,
    });
    outLen += ph.length;
    pos = c.end;
  }
  parts.push(text.slice(pos));
  const out = spans.length === 0 ? text : parts.join('');
  return { text: out, spans, map: offsetMap(spans, text.length) };
}

function offsetMap(spans: RedactedSpan[], length: number): RedactResult['map'] {
  return (offset: number, bias: OffsetBias = 'start'): number => {
    const o = Math.max(0, Math.min(length, Math.floor(offset)));
    // Last span that starts before `o` (spans are sorted and disjoint).
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((spans[mid] as RedactedSpan).start < o) lo = mid + 1;
      else hi = mid;
    }
    const prev = spans[lo - 1];
    if (!prev) return o;
    if (o < prev.end) return bias === 'start' ? prev.outStart : prev.outEnd;
    return prev.outEnd + (o - prev.end);
  };
}

export interface EvidenceRange {
  start: number;
  end: number;
}

/** Redacted evidence for a highlight: the range is widened to whole placeholders, never cutting one. */
export function evidenceFrom(
  result: RedactResult,
  range: EvidenceRange,
): { text: string; start: number; end: number } {
  const start = result.map(range.start, 'start');
  const end = Math.max(start, result.map(range.end, 'end'));
  return { text: result.text.slice(start, end), start, end };
}

/**
 * Redacts a finding's evidence: the whole utterance is redacted (so a number cut by the highlight is
 * still recognised), then the highlight is moved onto the redacted text.
 */
export function redactEvidence(
  utterance: string,
  range: EvidenceRange,
  opts: RedactOptions = {},
): { text: string; start: number; end: number } {
  return evidenceFrom(redact(utterance, opts), range);
}
