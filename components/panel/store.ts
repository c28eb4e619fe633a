/**
 * Side-panel state as signals. Each turn has its own utterance, analysis and highlight signals, so
 * a new turn or a late emotion label re-renders that turn only, not the whole transcript; derived
 * views (mood, intent, checklist, hints) read only what they need.
 */
import { type ReadonlySignal, type Signal, batch, computed, signal } from '@preact/signals';
import type { Analysis } from '@/lib/analysis/types';
import type { CallState } from '@/lib/audio/call-state';
import type { Finding, Severity } from '@/lib/finding';
import { newId } from '@/lib/ids';
import type { Emotion, Intent } from '@/lib/labels';
import type { Message, MessageOf, PanelCommand } from '@/lib/messages';
import {
  type ChecklistEntry,
  type ChecklistItem,
  ChecklistTracker,
  type ScriptEntry,
  type ScriptVars,
  mergeVars,
} from '@/lib/scripts';
import type { Utterance } from '@/lib/utterance';
import { type AppealStatus, isEndpointFeedback } from '@/lib/sync/feedback';
import {
  type FeedbackEvent,
  type FeedbackOutbox,
  type FeedbackStore,
  type FeedbackView,
  feedbackView,
} from './feedback';

/** A highlighted span of a turn's text and the severity of the finding behind it. */
export interface Mark {
  start: number;
  end: number;
  severity: Severity;
  findingId: string;
}

export interface Turn {
  key: string;
  utterance: Signal<Utterance>;
  analysis: Signal<Analysis | undefined>;
  marks: Signal<readonly Mark[]>;
}

export interface MoodPoint {
  seq: number;
  emotion: Emotion | undefined;
}

export interface ConversationView {
  id: string;
  turns: Signal<Turn[]>;
  /** Findings by the turn whose analysis produced them; an edited turn replaces its own. */
  findingsBySeq: Signal<ReadonlyMap<number, Finding[]>>;
  findings: ReadonlySignal<Finding[]>;
  /** Customer emotion of the latest customer turns, oldest first. */
  mood: ReadonlySignal<MoodPoint[]>;
  intent: ReadonlySignal<Intent | undefined>;
  emotion: ReadonlySignal<Emotion | undefined>;
  vars: Signal<ScriptVars>;
  checklist: Signal<ChecklistEntry[]>;
  feedback: ReadonlySignal<FeedbackView>;
  /** Warnings the agent should see now: not hints, not dismissed, worst first. */
  warnings: ReadonlySignal<Finding[]>;
}

export type AttachView = MessageOf<'attach-changed'>['state'];
export type PipelineView = Omit<MessageOf<'pipeline-status'>, 'type'>;

export interface PanelStoreOptions {
  scripts?: readonly ScriptEntry[];
  checklist?: readonly ChecklistItem[];
  feedbackStore?: FeedbackStore;
  /** Where appeals and "this is wrong" wait for the QA endpoint. */
  feedbackOutbox?: FeedbackOutbox;
  now?: () => number;
  /** How many customer turns the mood strip shows. */
  moodLength?: number;
}

/** Category of findings recorded when the agent sent a draft despite the pre-send warning. */
const PRESEND = 'presend-override';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, hint: 1, warning: 2, critical: 3, 'auto-fail': 4 };
export const severityRank = (s: Severity): number => SEVERITY_RANK[s];

/** Findings shown as warnings (the rest are hints or metrics for the status and hint cards). */
export const isWarning = (f: Finding): boolean =>
  f.kind !== 'hint' && f.kind !== 'metric' && f.severity !== 'info';

export function createPanelStore(opts: PanelStoreOptions = {}) {
  const now = opts.now ?? (() => Date.now());
  const moodLength = opts.moodLength ?? 40;
  const scripts = opts.scripts ?? [];
  const checklistItems = opts.checklist ?? [];
  const conversations = signal<ConversationView[]>([]);
  const active = signal<string | undefined>(undefined);
  const attach = signal<AttachView[]>([]);
  const pipeline = signal<PipelineView | undefined>(undefined);
  /** Live call metrics per conversation (softphone monitoring), about four updates a second. */
  const calls = signal<ReadonlyMap<string, CallState>>(new Map());
  const feedback = signal<FeedbackEvent[]>([]);
  /** The agent's appeals as the QA endpoint reports them, by finding id. */
  const appeals = signal<ReadonlyMap<string, AppealStatus>>(new Map());
  /** The latest keyboard command; `n` makes a repeated command a new value. */
  const command = signal<{ command: PanelCommand; n: number } | undefined>(undefined);
  const byId = new Map<string, ConversationView>();
  const trackers = new Map<string, ChecklistTracker>();
  const turnByKey = new Map<string, Turn>();
  /** Analyses that arrived before their utterance (ports do not promise order across senders). */
  const early = new Map<string, Analysis>();

  const key = (c: string, s: number) => `${c}#${s}`;
  let presendCount = 0;

  function conversation(id: string): ConversationView {
    let c = byId.get(id);
    if (c) return c;
    const turns = signal<Turn[]>([]);
    const findingsBySeq = signal<ReadonlyMap<number, Finding[]>>(new Map());
    const findings = computed(() => [...findingsBySeq.value.values()].flat().sort((x, y) => x.ts - y.ts));
    // Walks back from the end only as far as it needs, so it subscribes to the latest turns only.
    const customerTail = (n: number): Turn[] => {
      const list = turns.value;
      const out: Turn[] = [];
      for (let i = list.length - 1; i >= 0 && out.length < n; i--)
        if (list[i]!.utterance.value.speaker === 'customer') out.push(list[i]!);
      return out.reverse();
    };
    // An agent turn leaves the customer's mood as it was: hand back the same array so the strip
    // does not re-render for it.
    let lastMood: MoodPoint[] = [];
    const mood = computed(() => {
      const next = customerTail(moodLength).map((t) => ({
        seq: t.utterance.value.seq,
        emotion: t.analysis.value?.emotion?.label,
      }));
      const same =
        next.length === lastMood.length &&
        next.every((p, i) => p.seq === lastMood[i]!.seq && p.emotion === lastMood[i]!.emotion);
      if (!same) lastMood = next;
      return lastMood;
    });
    const latestCustomer = (pick: (a: Analysis) => string | undefined): string | undefined => {
      const list = turns.value;
      for (let i = list.length - 1; i >= 0; i--) {
        const t = list[i]!;
        if (t.utterance.value.speaker !== 'customer') continue;
        const a = t.analysis.value;
        if (a && pick(a)) return pick(a);
      }
      return undefined;
    };
    const intent = computed(() => latestCustomer((a) => a.intent?.label) as Intent | undefined);
    const emotion = computed(() => latestCustomer((a) => a.emotion?.label) as Emotion | undefined);
    const fb = computed(() => feedbackView(feedback.value, id));
    const warnings = computed(() => {
      const v = fb.value;
      const all = findings.value;
      // A draft sent despite the pre-send check also fires on the sent turn: show that one.
      const onTurns = new Set(all.filter((f) => f.category !== PRESEND).map((f) => f.ruleId));
      return all
        .filter((f) => f.category !== PRESEND || !onTurns.has(f.ruleId))
        .filter(
          (f) =>
            isWarning(f) && !v.wrong.has(f.id) && !v.resolved.has(f.id) && !v.snoozed.has(f.ruleId ?? ''),
        )
        .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.ts - a.ts);
    });
    c = {
      id,
      turns,
      findingsBySeq,
      findings,
      mood,
      intent,
      emotion,
      vars: signal({}),
      checklist: signal([]),
      feedback: fb,
      warnings,
    };
    byId.set(id, c);
    trackers.set(id, new ChecklistTracker(checklistItems));
    conversations.value = [...conversations.value, c];
    if (!active.value) active.value = id;
    return c;
  }

  function refreshChecklist(c: ConversationView): void {
    c.checklist.value = trackers.get(c.id)!.entries(now());
  }

  /** Edits and out-of-order turns are rare: replay the conversation into fresh derived state. */
  function rebuild(c: ConversationView): void {
    const tracker = new ChecklistTracker(checklistItems);
    let vars: ScriptVars = {};
    for (const t of c.turns.peek()) {
      const u = t.utterance.peek();
      tracker.push(u);
      vars = mergeVars(vars, u);
      const a = t.analysis.peek();
      if (u.speaker === 'customer' && a?.intent) tracker.setIntent(a.intent.label, u.ts);
    }
    for (const f of c.findings.peek()) if (f.ruleId) tracker.miss(f.ruleId);
    trackers.set(c.id, tracker);
    c.vars.value = vars;
    refreshChecklist(c);
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
        const c = conversation(u.conversationId);
        const old = c.findingsBySeq.peek().get(u.seq);
        if (old) {
          // What was found in the old text no longer holds; the new analysis brings its own.
          const next = new Map(c.findingsBySeq.peek());
          next.delete(u.seq);
          c.findingsBySeq.value = next;
          remark(c, new Set(old.flatMap((f) => f.evidence.map((e) => e.seq))));
        }
        existing.marks.value = [];
        rebuild(c);
      });
      return;
    }
    const turn: Turn = { key: k, utterance: signal(u), analysis: signal(early.get(k)), marks: signal([]) };
    early.delete(k);
    turnByKey.set(k, turn);
    const c = conversation(u.conversationId);
    const turns = c.turns.peek();
    batch(() => {
      // Keep seq order; appends are the common case.
      if (turns.length === 0 || turns[turns.length - 1]!.utterance.peek().seq < u.seq) {
        c.turns.value = [...turns, turn];
        const vars = mergeVars(c.vars.peek(), u);
        if (vars !== c.vars.peek()) c.vars.value = vars;
        if (trackers.get(c.id)!.push(u)) refreshChecklist(c);
      } else {
        c.turns.value = [...turns, turn].sort((a, b) => a.utterance.peek().seq - b.utterance.peek().seq);
        rebuild(c);
      }
      const a = turn.analysis.peek();
      if (a) addAnalysis(a);
    });
  }

  function remark(c: ConversationView, seqs: Iterable<number>): void {
    const all = c.findings.peek();
    for (const seq of seqs) {
      const turn = turnByKey.get(key(c.id, seq));
      if (!turn) continue;
      const marks: Mark[] = [];
      for (const f of all)
        for (const e of f.evidence)
          if (e.seq === seq && e.end > e.start && f.kind !== 'hint' && f.category !== PRESEND)
            marks.push({ start: e.start, end: e.end, severity: f.severity, findingId: f.id });
      turn.marks.value = marks.sort((x, y) => x.start - y.start);
    }
  }

  function addAnalysis(a: Analysis): void {
    const k = key(a.conversationId, a.seq);
    const turn = turnByKey.get(k);
    const c = conversation(a.conversationId);
    batch(() => {
      if (turn) turn.analysis.value = a;
      else early.set(k, a);
      const tracker = trackers.get(c.id)!;
      let checklistChanged = false;
      if (turn && a.intent && turn.utterance.peek().speaker === 'customer')
        checklistChanged = tracker.setIntent(a.intent.label, turn.utterance.peek().ts);
      const before = c.findingsBySeq.peek();
      const old = before.get(a.seq) ?? [];
      // A second analysis of the same text (a resend after a service-worker restart) finds rules
      // already fired and returns fewer findings: it adds, never retracts. An edit clears first.
      const sig = (f: Finding) =>
        `${f.ruleId ?? f.model}|${f.evidence.map((e) => `${e.seq}:${e.start}-${e.end}`).join(',')}`;
      const known = new Set(old.map(sig));
      const added = a.findings.filter((f) => !known.has(sig(f)));
      if (added.length === 0) {
        if (checklistChanged) refreshChecklist(c);
        return;
      }
      const next = new Map(before);
      next.set(a.seq, [...old, ...added]);
      c.findingsBySeq.value = next;
      for (const f of added) if (f.ruleId && tracker.miss(f.ruleId)) checklistChanged = true;
      if (checklistChanged) refreshChecklist(c);
      const touched = new Set<number>();
      for (const f of added) for (const e of f.evidence) touched.add(e.seq);
      remark(c, touched);
    });
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
      case 'presend-finding': {
        // Not tied to a turn: kept under its own negative key so turn analyses never replace it.
        const c = conversation(msg.finding.conversationId);
        const next = new Map(c.findingsBySeq.peek());
        presendCount += 1;
        next.set(-presendCount, [msg.finding]);
        c.findingsBySeq.value = next;
        break;
      }
      case 'call-state':
        calls.value = new Map(calls.peek()).set(msg.state.conversationId, msg.state);
        break;
      case 'panel-command':
        command.value = { command: msg.command, n: (command.peek()?.n ?? 0) + 1 };
        break;
      case 'pipeline-status':
        pipeline.value = { models: msg.models, rulebooks: msg.rulebooks, coldStartMs: msg.coldStartMs };
        break;
      default:
        break;
    }
  }

  // Feedback is written through: the list in memory is the view, the store is the queue.
  let saving: Promise<void> = Promise.resolve();
  function record(e: Omit<FeedbackEvent, 'id' | 'ts' | 'synced'>): FeedbackEvent {
    const ts = now();
    const event: FeedbackEvent = { ...e, id: newId(ts), ts, synced: false };
    feedback.value = [...feedback.value, event];
    const snapshot = feedback.value;
    saving = saving.then(() => opts.feedbackStore?.save(snapshot)).catch(() => {});
    if (isEndpointFeedback(event.type)) {
      const out = opts.feedbackOutbox;
      if (out) saving = saving.then(() => out.queue([event])).catch(() => {});
    }
    return event;
  }

  /** Endpoint-bound feedback the endpoint has not confirmed or refused yet. */
  const pending = (events: readonly FeedbackEvent[]) =>
    events.filter((e) => isEndpointFeedback(e.type) && !e.synced && e.refused === undefined);

  async function loadFeedback(): Promise<void> {
    const events = (await opts.feedbackStore?.load()) ?? [];
    if (events.length > 0) feedback.value = [...events, ...feedback.value];
    // Feedback given before sync was set up (or before a crash) is queued now; queueing is idempotent.
    const waiting = pending(feedback.value);
    if (waiting.length > 0) await opts.feedbackOutbox?.queue(waiting);
  }

  /** Marks feedback the outbox has delivered or the endpoint refused; call after each sync. */
  async function refreshDelivery(): Promise<void> {
    const out = opts.feedbackOutbox;
    const waiting = pending(feedback.peek());
    if (!out || waiting.length === 0) return;
    const states = await out.states(waiting.map((e) => e.id));
    let changed = false;
    const next = feedback.peek().map((e) => {
      const s = states.get(e.id);
      if (!s || s.state === 'queued' || e.synced || e.refused !== undefined) return e;
      changed = true;
      return s.state === 'sent' ? { ...e, synced: true } : { ...e, refused: s.reason ?? '' };
    });
    if (!changed) return;
    feedback.value = next;
    const snapshot = next;
    saving = saving.then(() => opts.feedbackStore?.save(snapshot)).catch(() => {});
  }

  /** Marks events delivered elsewhere (a lead's alert actions) as taken or refused, and saves. */
  function markDelivered(sent: readonly string[], refused: ReadonlyMap<string, string>): void {
    if (sent.length === 0 && refused.size === 0) return;
    const ok = new Set(sent);
    const next = feedback
      .peek()
      .map((e) =>
        ok.has(e.id) ? { ...e, synced: true } : refused.has(e.id) ? { ...e, refused: refused.get(e.id)! } : e,
      );
    feedback.value = next;
    saving = saving.then(() => opts.feedbackStore?.save(next)).catch(() => {});
  }

  const current = computed(() => conversations.value.find((c) => c.id === active.value));
  /** Feedback waiting for the QA endpoint (snoozes and acknowledgements stay on the device). */
  const queued = computed(() => pending(feedback.value).length);

  /** The console tab showing a conversation (for hint insertion), else the last attached tab. */
  function tabFor(conversationId: string): number | undefined {
    const states = attach.value.filter((s) => s.attached);
    return (states.find((s) => s.activeConversationId === conversationId) ?? states[states.length - 1])
      ?.tabId;
  }

  return {
    conversations,
    active,
    attach,
    pipeline,
    calls,
    feedback,
    appeals,
    command,
    queued,
    current,
    scripts,
    apply,
    record,
    loadFeedback,
    refreshDelivery,
    markDelivered,
    refreshChecklist: (id: string) => {
      const c = byId.get(id);
      if (c) refreshChecklist(c);
    },
    hasTimedDeadline: (id: string) => trackers.get(id)?.hasTimedDeadline() ?? false,
    tabFor,
    /** Saves pending feedback; for tests and page unload. */
    flush: () => saving,
  };
}

export type PanelStore = ReturnType<typeof createPanelStore>;
