/**
 * Call metrics as live rule conditions (issue #7): the rulebooks' voice rules whose condition is
 * made of `metric` conditions only ("silence > 10 s", "over-talk > 3 s", "agent pace > 5
 * syllables/s") are checked against every call reading, not only when the next caption arrives,
 * so "the line has been silent for 15 s" fires while it is still silent. A rule fires when its
 * condition becomes true and again only after it was false; its finding points at the seconds of
 * audio that caused it.
 */
import type { Finding, Localized } from '../finding';
import type { Condition, Rule, Rulebook } from '../rules/schema';
import type { CallReading } from './call-analyser';
import type { CallChannel } from './call-metrics';
import { ruleMetrics } from './rule-metrics';

type Speaker = 'agent' | 'customer' | 'any';

interface Watched {
  rule: Rule;
  book: string;
  /** Each side it was true for at the last reading. */
  on: Record<CallChannel, boolean>;
  fired: number;
}

/** True when a condition is built from metric conditions (with all/any/not) only. */
export function isMetricOnly(c: Condition): boolean {
  switch (c.type) {
    case 'metric':
      return true;
    case 'all':
    case 'any':
      return c.conditions.length > 0 && c.conditions.every(isMetricOnly);
    case 'not':
      return isMetricOnly(c.condition);
    default:
      return false;
  }
}

function holds(c: Condition, m: Record<string, number>, speaker: CallChannel, scope: Speaker): boolean {
  switch (c.type) {
    case 'all':
      return c.conditions.every((x) => holds(x, m, speaker, scope));
    case 'any':
      return c.conditions.some((x) => holds(x, m, speaker, scope));
    case 'not':
      return !holds(c.condition, m, speaker, scope);
    case 'metric': {
      const want = c.speaker ?? scope;
      if (want !== 'any' && want !== speaker) return false;
      const v = m[c.metric];
      if (v === undefined) return false;
      return c.op === '>'
        ? v > c.value
        : c.op === '>='
          ? v >= c.value
          : c.op === '<'
            ? v < c.value
            : v <= c.value;
    }
    default:
      return false;
  }
}

/** The metrics a reading gives the rules for one speaker (names as in lib/rules METRIC_NAMES). */
export function liveMetrics(r: CallReading, speaker: CallChannel): Record<string, number> {
  const ch = r.channels[speaker];
  return {
    ...ruleMetrics(r, speaker, { silenceMs: 0, overtalkMs: 0 }),
    // Pace only while that side is talking: a pause must not read as a slow speaker.
    speechRateSps: r.speaking[speaker] ? Math.round(ch.rateSps * 10) / 10 : 0,
  };
}

function kindOf(rule: Rule): Finding['kind'] {
  if (rule.category === 'hint') return 'hint';
  if (rule.severity === 'critical' || rule.severity === 'auto-fail') return 'violation';
  return rule.severity === 'warning' ? 'warning' : 'hint';
}

export class CallRuleWatch {
  private readonly watched: Watched[] = [];

  constructor(books: readonly Rulebook[]) {
    for (const b of books)
      for (const rule of b.rules)
        if (rule.enabled && rule.scope.channel !== 'chat' && isMetricOnly(rule.when))
          this.watched.push({ rule, book: b.id, on: { agent: false, customer: false }, fired: 0 });
  }

  get rules(): readonly string[] {
    return this.watched.map((w) => w.rule.id);
  }

  /**
   * Checks one reading; returns the findings of rules that just became true. `at` is the call's
   * epoch ms at the reading, `newId` makes finding ids.
   */
  check(r: CallReading, conversationId: string, at: number, newId: (ts: number) => string): Finding[] {
    const out: Finding[] = [];
    const metrics = { agent: liveMetrics(r, 'agent'), customer: liveMetrics(r, 'customer') };
    for (const w of this.watched) {
      const scope = w.rule.scope.speaker;
      // A rule for either speaker is one condition over both (silence is call-wide): one finding.
      const sides: CallChannel[] = scope === 'any' ? ['agent', 'customer'] : [scope];
      const side = sides.find((x) => holds(w.rule.when, metrics[x], x, scope));
      const key: CallChannel = scope === 'any' ? 'agent' : scope;
      const rising = side !== undefined && !w.on[key];
      w.on[key] = side !== undefined;
      if (!rising || (w.rule.once && w.fired > 0)) continue;
      w.fired++;
      out.push(this.finding(w, side, metrics[side], r, conversationId, at, newId));
    }
    return out;
  }

  private finding(
    w: Watched,
    side: CallChannel,
    m: Record<string, number>,
    r: CallReading,
    conversationId: string,
    at: number,
    newId: (ts: number) => string,
  ): Finding {
    const { rule } = w;
    const seconds = (ms: number) => Math.round(ms / 100) / 10;
    // The seconds of audio that caused it: the open silence or over-talk, else the last 10 s.
    const lenMs = m.silenceMs || m.overtalkMs || Math.min(10_000, r.processedMs);
    const from = seconds(r.processedMs - lenMs);
    const to = seconds(r.processedMs);
    const actions: Finding['actions'] = {};
    if (rule.actions.hint) actions.hint = { text: rule.actions.hint.text as Localized };
    if (rule.actions.warning) actions.warning = { text: rule.actions.warning.text as Localized };
    return {
      id: newId(at),
      conversationId,
      ruleId: rule.id,
      kind: kindOf(rule),
      severity: rule.severity,
      title: `${rule.name.en} (${side}, ${from}–${to} s of the call)`,
      names: rule.name as Localized,
      category: rule.category,
      actions,
      at: 'tick',
      evidence: [],
      // The numbers that made it fire and the seconds of audio, never the audio: what QA sees.
      scores: { ...m, startMs: Math.round(r.processedMs - lenMs), endMs: Math.round(r.processedMs) },
      ts: at,
    };
  }
}
