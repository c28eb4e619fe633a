/**
 * The pre-send check's data: what the worker says about a draft, whether the compose guard
 * should stop the send, and the rewrite it offers. Pure, so it runs in the worker and in Node.
 */
import { z } from 'zod';
import { Localized, Severity } from '../finding';
import type { Hit } from '../rules';
import type { PresendMode, Rule } from '../rules/schema';

/** Built on its first parse (see lib/finding.ts). */
export const DraftHit = z.lazy(() =>
  z.object({
    ruleId: z.string().max(200),
    severity: Severity,
    names: Localized,
    /**
     * The rule's pre-send mode: `block` stops the send once, `warn` only shows the warning. Absent
     * (an older worker): decided by severity.
     */
    mode: z.enum(['block', 'warn']).optional(),
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
  }),
);
export type DraftHit = z.infer<typeof DraftHit>;

function fill(t: string, vars: Record<string, string>): string {
  return t.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}
function fillAll(l: Localized, vars: Record<string, string>): Localized {
  return { zh_CN: fill(l.zh_CN, vars), zh_TW: fill(l.zh_TW, vars), en: fill(l.en, vars) };
}

export interface DraftHitOptions {
  /** The seq the draft would get: evidence from earlier turns (context) is not in the draft. */
  seq?: number;
  /** Pre-send mode per rule id; rules set to `off` are left out. Unknown rules use severity. */
  modeOf?(ruleId: string): PresendMode | undefined;
}

/** The draft's hits as the compose box sees them: agent-side, spans inside the draft only. */
export function toDraftHits(hits: readonly Hit[], opts: DraftHitOptions = {}): DraftHit[] {
  const out: DraftHit[] = [];
  for (const h of hits) {
    const mode = opts.modeOf?.(h.ruleId) ?? presendModeOf(h);
    if (mode === 'off') continue;
    const hit: DraftHit = {
      ruleId: h.ruleId,
      severity: h.severity,
      names: h.name,
      mode,
      evidence: h.evidence
        .filter((e) => opts.seq === undefined || e.seq === opts.seq)
        .slice(0, 20)
        .map((e) => ({ start: e.start, end: e.end, text: e.text.slice(0, 200) })),
    };
    if (h.actions.warning) hit.warning = fillAll(h.actions.warning.text, h.vars);
    if (h.actions.hint?.insertable) hit.hint = fillAll(h.actions.hint.text, h.vars);
    out.push(hit);
  }
  return out;
}

/** Severities that stop a send once when the rule names no pre-send mode. */
const STOPS = new Set<Severity>(['critical', 'auto-fail']);

export function modeOfHit(h: DraftHit): 'block' | 'warn' {
  return h.mode ?? (STOPS.has(h.severity) ? 'block' : 'warn');
}

/** Hits that stop the send once (rules in `block` mode). */
export function blocking(hits: readonly DraftHit[]): DraftHit[] {
  return hits.filter((h) => modeOfHit(h) === 'block');
}

/** Hits shown beside the compose box without stopping the send (rules in `warn` mode). */
export function warnOnly(hits: readonly DraftHit[]): DraftHit[] {
  return hits.filter((h) => modeOfHit(h) === 'warn');
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

/**
 * The pre-send mode a rule runs with: its own setting, else `off` for rules no chat draft can
 * concern (the customer's words, voice calls), else one derived from its severity.
 */
export function presendModeOf(
  rule: Pick<Rule, 'severity' | 'presend'> & { scope?: { speaker?: string; channel?: string } },
): PresendMode {
  if (rule.presend) return rule.presend;
  if (rule.scope?.speaker === 'customer' || rule.scope?.channel === 'voice') return 'off';
  return rule.severity === 'critical' || rule.severity === 'auto-fail' ? 'block' : 'warn';
}
