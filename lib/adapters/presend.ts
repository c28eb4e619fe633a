/**
 * The pre-send check's data: what the worker says about a draft, whether the compose guard
 * should stop the send, and the rewrite it offers. Pure, so it runs in the worker and in Node.
 */
import { z } from 'zod';
import { Localized, Severity } from '../finding';
import type { Hit } from '../rules';

export const DraftHit = z.object({
  ruleId: z.string().max(200),
  severity: Severity,
  names: Localized,
  /** Why, in the agent's words (the rule's warning text with `{match}` filled in). */
  warning: Localized.optional(),
  /** A replacement the rule suggests (its insertable hint), used as the rewrite when present. */
  hint: Localized.optional(),
  evidence: z
    .array(
      z.object({
        start: z.number().int().nonnegative(),
        end: z.number().int().nonnegative(),
        text: z.string().max(200),
      }),
    )
    .max(20),
});
export type DraftHit = z.infer<typeof DraftHit>;

function fill(t: string, vars: Record<string, string>): string {
  return t.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}
function fillAll(l: Localized, vars: Record<string, string>): Localized {
  return { zh_CN: fill(l.zh_CN, vars), zh_TW: fill(l.zh_TW, vars), en: fill(l.en, vars) };
}

/** Agent-side hits only: a draft is the agent's next turn. */
export function toDraftHits(hits: readonly Hit[]): DraftHit[] {
  return hits.map((h) => {
    const out: DraftHit = {
      ruleId: h.ruleId,
      severity: h.severity,
      names: h.name,
      evidence: h.evidence
        .slice(0, 20)
        .map((e) => ({ start: e.start, end: e.end, text: e.text.slice(0, 200) })),
    };
    if (h.actions.warning) out.warning = fillAll(h.actions.warning.text, h.vars);
    if (h.actions.hint?.insertable) out.hint = fillAll(h.actions.hint.text, h.vars);
    return out;
  });
}

/** Severities that stop a send once; everything else is shown in the side panel only. */
const STOPS = new Set<Severity>(['critical', 'auto-fail']);

export function blocking(hits: readonly DraftHit[]): DraftHit[] {
  return hits.filter((h) => STOPS.has(h.severity));
}

/**
 * The rewrite offered with a warning: the rule's own suggested wording when it has one, else the
 * draft with the offending spans taken out (so a card number or a forbidden promise never leaves).
 */
export function suggestRewrite(text: string, hits: readonly DraftHit[], lang: keyof Localized): string {
  const hint = hits.find((h) => h.hint)?.hint?.[lang];
  if (hint) return hint;
  const spans = hits
    .flatMap((h) => h.evidence)
    .filter((e) => e.end > e.start && e.end <= text.length)
    .sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at) {
      at = Math.max(at, s.end);
      continue;
    }
    out += text.slice(at, s.start);
    at = s.end;
  }
  out += text.slice(at);
  return out
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\s+([,.!?，。！？])/g, '$1')
    .trim();
}

/** A stable fingerprint of what fired on which text, so one draft is intercepted only once. */
export function interceptKey(text: string, hits: readonly DraftHit[]): string {
  return `${text}\u0000${hits
    .map((h) => h.ruleId)
    .sort()
    .join(',')}`;
}
