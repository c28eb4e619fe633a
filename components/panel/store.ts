/**
 * Side-panel state as signals. Each turn has its own analysis signal, so a new turn or a late
 * emotion label re-renders that turn only, not the whole transcript.
 */
import { type ReadonlySignal, type Signal, batch, computed, signal } from '@preact/signals';
import type { Analysis } from '@/lib/analysis/types';
import type { Finding } from '@/lib/finding';
import type { Message, MessageOf } from '@/lib/messages';
import type { Utterance } from '@/lib/utterance';

export interface Turn {
  utterance: Signal<Utterance>;
  analysis: Signal<Analysis | undefined>;
}

export interface ConversationView {
  id: string;
  turns: Signal<Turn[]>;
  /** Findings by the turn whose analysis produced them; an edited turn replaces its own. */
  findingsBySeq: Signal<ReadonlyMap<number, Finding[]>>;
  findings: ReadonlySignal<Finding[]>;
}

export type AttachView = MessageOf<'attach-changed'>['state'];

export function createPanelStore() {
  const conversations = signal<ConversationView[]>([]);
  const active = signal<string | undefined>(undefined);
  const attach = signal<AttachView[]>([]);
  const byId = new Map<string, ConversationView>();
  const turnByKey = new Map<string, Turn>();
  /** Analyses that arrived before their utterance (ports do not promise order across senders). */
  const early = new Map<string, Analysis>();

  const key = (c: string, s: number) => `${c}#${s}`;

  function conversation(id: string): ConversationView {
    let c = byId.get(id);
    if (!c) {
      const findingsBySeq = signal<ReadonlyMap<number, Finding[]>>(new Map());
      const findings = computed(() => [...findingsBySeq.value.values()].flat().sort((x, y) => x.ts - y.ts));
      c = { id, turns: signal([]), findingsBySeq, findings };
      byId.set(id, c);
      conversations.value = [...conversations.value, c];
      if (!active.value) active.value = id;
    }
    return c;
  }

  function addUtterance(u: Utterance): void {
    const k = key(u.conversationId, u.seq);
    const existing = turnByKey.get(k);
    if (existing) {
      const before = existing.utterance.peek();
      if (before.text === u.text && before.speaker === u.speaker) return; // a resend
      batch(() => {
        existing.utterance.value = u; // an edit: same turn, new text, analysis to come
        existing.analysis.value = undefined;
      });
      return;
    }
    const turn: Turn = { utterance: signal(u), analysis: signal(early.get(k)) };
    early.delete(k);
    turnByKey.set(k, turn);
    const c = conversation(u.conversationId);
    const turns = c.turns.value;
    // Keep seq order; appends are the common case.
    if (turns.length === 0 || turns[turns.length - 1]!.utterance.peek().seq < u.seq)
      c.turns.value = [...turns, turn];
    else c.turns.value = [...turns, turn].sort((a, b) => a.utterance.peek().seq - b.utterance.peek().seq);
  }

  function addAnalysis(a: Analysis): void {
    const k = key(a.conversationId, a.seq);
    const turn = turnByKey.get(k);
    if (turn) turn.analysis.value = a;
    else early.set(k, a);
    const c = conversation(a.conversationId);
    const next = new Map(c.findingsBySeq.peek());
    if (a.findings.length > 0) next.set(a.seq, a.findings);
    else if (!next.delete(a.seq)) return;
    c.findingsBySeq.value = next;
  }

  function apply(msg: Message): void {
    switch (msg.type) {
      case 'snapshot':
        batch(() => {
          for (const u of [...msg.utterances].sort((a, b) => a.seq - b.seq)) addUtterance(u);
          for (const a of msg.analyses) addAnalysis(a);
          attach.value = msg.attach;
        });
        break;
      case 'utterance-added':
        addUtterance(msg.utterance);
        break;
      case 'analysis-added':
        addAnalysis(msg.analysis);
        break;
      case 'attach-changed': {
        const rest = attach.value.filter((s) => s.tabId !== msg.state.tabId);
        attach.value = [...rest, msg.state];
        if (msg.state.activeConversationId) active.value = msg.state.activeConversationId;
        break;
      }
      default:
        break;
    }
  }

  const current = computed(() => conversations.value.find((c) => c.id === active.value));

  return { conversations, active, attach, current, apply };
}

export type PanelStore = ReturnType<typeof createPanelStore>;
