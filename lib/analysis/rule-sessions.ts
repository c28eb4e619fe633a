/**
 * Connects the rule engine to the analysis pipeline: every shipped (or pushed) rulebook is
 * compiled once; each conversation gets one engine state per rulebook, and hits become findings
 * carrying the localized texts and actions the side panel shows. The batch CLI uses the same
 * sessions, so a conversation scored later gets exactly the findings it got live.
 */
import type { Finding, FindingActions, Localized } from '../finding';
import {
  type CompiledRulebook,
  type Hit,
  compileRulebook,
  createConversation,
  hitToFinding,
  renderText,
} from '../rules';
import type { Utterance } from '../utterance';
import type { RuleSession, Signals } from './pipeline';

export interface LoadedRulebooks {
  compiled: CompiledRulebook[];
  /** `file: $.path: message` for every rulebook that did not compile (it is left out). */
  errors: string[];
  versions: string[];
}

export function compileAll(files: Record<string, unknown>): LoadedRulebooks {
  const out: LoadedRulebooks = { compiled: [], errors: [], versions: [] };
  for (const [file, json] of Object.entries(files)) {
    const r = compileRulebook(json);
    if (r.ok) {
      out.compiled.push(r.compiled);
      out.versions.push(`${r.compiled.id}@${r.compiled.version}`);
    } else {
      for (const e of r.errors) out.errors.push(`${file}: ${e.path}: ${e.message}`);
    }
  }
  return out;
}

function localize(text: Localized, vars: Record<string, string>): Localized {
  return {
    zh_CN: renderText(text.zh_CN, vars),
    zh_TW: renderText(text.zh_TW, vars),
    en: renderText(text.en, vars),
  };
}

export function hitToPanelFinding(hit: Hit, newId: (ts: number) => string): Finding {
  const base = hitToFinding(hit, { newId });
  const actions: FindingActions = {};
  if (hit.actions.hint) {
    actions.hint = { text: localize(hit.actions.hint.text, hit.vars) };
    if (hit.actions.hint.insertable !== undefined) actions.hint.insertable = hit.actions.hint.insertable;
  }
  if (hit.actions.warning) actions.warning = { text: localize(hit.actions.warning.text, hit.vars) };
  if (hit.actions.escalate)
    actions.escalate = { selfCorrectSeconds: hit.actions.escalate.selfCorrectSeconds };
  return { ...base, names: hit.name, category: hit.category, actions, at: hit.at };
}

/** One conversation's rule state across every rulebook; `finish()` settles must-say and absence rules. */
export interface LiveRuleSession extends RuleSession {
  /** Call once when the conversation ends (live: the agent closes it; batch: after the last turn). */
  finish(): Finding[];
}

/** A rule session for one conversation; `newId` makes the ids of its findings. */
export function ruleSession(
  books: readonly CompiledRulebook[],
  conversationId: string,
  newId: (ts: number) => string,
): LiveRuleSession {
  const convs = books.map((b) => createConversation(b, conversationId));
  const panel = (hits: Hit[], out: Finding[]) => {
    for (const h of hits) out.push(hitToPanelFinding(h, newId));
  };
  return {
    push(u: Utterance, signals: Signals): Finding[] {
      const s: Signals & { metrics?: Record<string, number> } = signals;
      const turn = { seq: u.seq, speaker: u.speaker, text: u.text, ts: u.ts, channel: u.channel };
      const out: Finding[] = [];
      for (const c of convs) panel(c.push(turn, s), out);
      return out;
    },
    finish(): Finding[] {
      const out: Finding[] = [];
      for (const c of convs) panel(c.finish(), out);
      return out;
    },
  };
}

export function ruleSessions(
  books: readonly CompiledRulebook[],
  newId: (ts: number) => string,
): (conversationId: string) => LiveRuleSession {
  return (conversationId) => ruleSession(books, conversationId, newId);
}
