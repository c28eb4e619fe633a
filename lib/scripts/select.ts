/**
 * Which replies to suggest now: rule hints first (a rule that fired knows exactly what is needed),
 * then library scripts whose conditions all hold, the more specific the earlier.
 */
import type { Emotion, Intent } from '../labels';
import type { ScriptEntry, UiLang } from './schema';
import { type ScriptVars, fillTemplate } from './vars';

export interface HintContext {
  intent?: Intent | undefined;
  emotion?: Emotion | undefined;
  /** Rules with an active finding in this conversation. */
  activeRules: ReadonlySet<string>;
  lang: UiLang;
  vars: ScriptVars;
}

/** A hint a rule produced (its finding's `actions.hint`), already localized by the caller. */
export interface RuleHint {
  ruleId: string;
  title: string;
  text: string;
  insertable: boolean;
}

export interface Hint {
  /** `script:<id>` or `rule:<ruleId>`: stable across renders, used as the insertion's hint id. */
  id: string;
  source: 'script' | 'rule';
  title: string;
  text: string;
  missing: string[];
  insertable: boolean;
}

/** How many of the script's conditions hold; -1 when one of them fails. */
export function specificity(s: ScriptEntry, ctx: HintContext): number {
  let n = 0;
  const w = s.when;
  if (w.intents) {
    if (!ctx.intent || !w.intents.includes(ctx.intent)) return -1;
    n += 1;
  }
  if (w.emotions) {
    if (!ctx.emotion || !w.emotions.includes(ctx.emotion)) return -1;
    n += 1;
  }
  if (w.rules) {
    if (!w.rules.some((r) => ctx.activeRules.has(r))) return -1;
    n += 2; // a rule is stronger evidence than a model label
  }
  return n;
}

/**
 * Up to `limit` hints: at most `maxRuleHints` from rules (in the order given, e.g. latest first),
 * the rest from the library, so a busy conversation still shows a script for the customer's intent.
 */
export function selectHints(
  scripts: readonly ScriptEntry[],
  ctx: HintContext,
  ruleHints: readonly RuleHint[] = [],
  limit = 4,
  maxRuleHints = 2,
): Hint[] {
  const out: Hint[] = [];
  const seen = new Set<string>();
  for (const r of ruleHints) {
    if (out.length >= maxRuleHints) break;
    const id = `rule:${r.ruleId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const f = fillTemplate(r.text, ctx.vars);
    out.push({
      id,
      source: 'rule',
      title: r.title,
      text: f.text,
      missing: f.missing,
      insertable: r.insertable,
    });
  }
  const ranked = scripts
    .map((s, i) => ({ s, i, n: specificity(s, ctx) }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || b.s.priority - a.s.priority || a.i - b.i);
  for (const { s } of ranked) {
    const f = fillTemplate(s.text[ctx.lang], ctx.vars);
    out.push({
      id: `script:${s.id}`,
      source: 'script',
      title: s.title[ctx.lang],
      text: f.text,
      missing: f.missing,
      insertable: s.insertable,
    });
  }
  return out.slice(0, limit);
}
