/**
 * Connects the rule engine to the analysis pipeline: every shipped (or pushed) rulebook is
 * compiled once; each conversation gets one engine state per rulebook, and hits become findings
 * carrying the localized texts and actions the side panel shows.
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

export function ruleSessions(
  books: readonly CompiledRulebook[],
  newId: (ts: number) => string,
): (conversationId: string) => RuleSession {
  return (conversationId) => {
    const convs = books.map((b) => createConversation(b, conversationId));
    const turn = (u: Utterance) => ({
      seq: u.seq,
      speaker: u.speaker,
      text: u.text,
      ts: u.ts,
      channel: u.channel,
    });
    return {
      push(u: Utterance, signals: Signals): Finding[] {
        const s: Signals & { metrics?: Record<string, number> } = signals;
        return convs.flatMap((c) => c.push(turn(u), s).map((h) => hitToPanelFinding(h, newId)));
      },
    };
  };
}
