/**
 * The must-say checklist of one conversation, kept incrementally: each turn is normalised once and
 * checked against the items' phrases, so a 1,000-turn conversation costs no rescans. An item
 * applies from the start or from the turn its condition first holds, and has a deadline in agent
 * replies and/or seconds counted from then. A must-say rule's finding marks the item missed.
 */
import type { Localized } from '../finding';
import type { Intent, Speaker } from '../labels';
import { normalise, normalisePhrase } from '../normalise';
import type { ChecklistItem } from './schema';

export interface ChecklistTurn {
  seq: number;
  speaker: Speaker;
  text: string;
  ts: number;
}

export type ChecklistStatus = 'done' | 'pending' | 'overdue' | 'missed';

export interface ChecklistEntry {
  id: string;
  label: Localized;
  status: ChecklistStatus;
  /** The agent turn that ticked it. */
  doneSeq?: number;
  /** Agent replies left before the deadline (pending items with a turn deadline). */
  turnsLeft?: number;
  /** Milliseconds left before the deadline (pending items with a time deadline). */
  msLeft?: number;
}

interface ItemState {
  item: ChecklistItem;
  phrases: string[];
  triggers: string[];
  /** Agent replies so far and time when the item started to apply. */
  activeAt?: { agentTurns: number; ts: number };
  doneSeq?: number;
  missed: boolean;
}

const norm = (text: string) => normalise(text).text;

const isWordChar = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);

/** Substring match; Latin phrases only as whole words ("hi" must not tick on "this"). */
function occurs(text: string, phrase: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(phrase, from);
    if (at < 0) return false;
    const before = isWordChar(phrase[0]) && isWordChar(text[at - 1]);
    const after = isWordChar(phrase[phrase.length - 1]) && isWordChar(text[at + phrase.length]);
    if (!before && !after) return true;
    from = at + 1;
  }
}

export class ChecklistTracker {
  private states: ItemState[];
  private agentTurns = 0;

  constructor(items: readonly ChecklistItem[]) {
    this.states = items.map((item) => ({
      item,
      phrases: item.phrases.map(normalisePhrase).filter((p) => p.length > 0),
      triggers: (item.appliesWhen?.phrases ?? []).map(normalisePhrase).filter((p) => p.length > 0),
      missed: false,
    }));
    for (const s of this.states) if (!s.item.appliesWhen) s.activeAt = { agentTurns: 0, ts: Number.NaN };
  }

  /** Adds the next turn (in seq order); true when any item changed. */
  push(turn: ChecklistTurn): boolean {
    const text = norm(turn.text);
    let changed = false;
    for (const s of this.states) {
      if (s.activeAt && Number.isNaN(s.activeAt.ts)) s.activeAt.ts = turn.ts; // the conversation's start
      if (!s.activeAt && s.triggers.some((p) => occurs(text, p))) {
        s.activeAt = { agentTurns: this.agentTurns, ts: turn.ts };
        changed = true;
      }
      if (turn.speaker === 'agent' && s.doneSeq === undefined && s.phrases.some((p) => occurs(text, p))) {
        s.doneSeq = turn.seq;
        changed = true;
      }
    }
    if (turn.speaker !== 'agent') return changed;
    this.agentTurns += 1;
    // Another reply counts down every pending item with a turn deadline.
    return changed || this.states.some((s) => s.activeAt && s.doneSeq === undefined && s.item.due.agentTurns);
  }

  /** The intent model's label for a customer turn arrived; true when it made an item apply. */
  setIntent(intent: Intent, ts: number): boolean {
    let changed = false;
    for (const s of this.states) {
      if (s.activeAt || !s.item.appliesWhen?.intents?.includes(intent)) continue;
      s.activeAt = { agentTurns: this.agentTurns, ts };
      changed = true;
    }
    return changed;
  }

  /** A must-say rule fired (it was not said in time); true when it concerns an item. */
  miss(ruleId: string): boolean {
    let changed = false;
    for (const s of this.states) {
      if (s.item.ruleId !== ruleId || s.missed) continue;
      s.missed = true;
      s.activeAt ??= { agentTurns: this.agentTurns, ts: Date.now() };
      changed = true;
    }
    return changed;
  }

  /** Items that apply, in library order, with their deadline as of `now` (ms since epoch). */
  entries(now: number): ChecklistEntry[] {
    const out: ChecklistEntry[] = [];
    for (const s of this.states) {
      if (!s.activeAt) continue;
      const e: ChecklistEntry = { id: s.item.id, label: s.item.label, status: 'pending' };
      if (s.doneSeq !== undefined) {
        e.status = 'done';
        e.doneSeq = s.doneSeq;
      } else if (s.missed) {
        e.status = 'missed';
      } else {
        const { agentTurns, seconds } = s.item.due;
        if (agentTurns !== undefined) {
          e.turnsLeft = agentTurns - (this.agentTurns - s.activeAt.agentTurns);
          if (e.turnsLeft <= 0) e.status = 'overdue';
        }
        if (seconds !== undefined && !Number.isNaN(s.activeAt.ts)) {
          e.msLeft = seconds * 1000 - (now - s.activeAt.ts);
          if (e.msLeft <= 0) e.status = 'overdue';
        }
      }
      out.push(e);
    }
    return out;
  }

  /** True while some pending item has a time deadline (the panel ticks a clock only then). */
  hasTimedDeadline(): boolean {
    return this.states.some(
      (s) => s.activeAt && s.doneSeq === undefined && !s.missed && s.item.due.seconds !== undefined,
    );
  }
}
