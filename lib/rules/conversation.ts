/**
 * Per-conversation rule state. Each pushed utterance is normalised once (shared by every
 * rulebook's conversation) and scanned once per rulebook (linear in its length); only rules whose phrases occurred, plus the rules that need every turn (absence,
 * streaks, model signals, negations), are evaluated. `finish()` settles must-say and absence rules.
 */
import type { Channel, Speaker } from '../labels';
import { foldHomophones, type Normalised, normalise } from '../normalise';
import { MatchBuffer } from './automaton';
import { type Counts, evaluate, type EvalContext, type Step } from './evaluate';
import { isNegated } from './negation';
import { scanFast } from './wasm-scan';
import type { CompiledRule, CompiledRulebook, Hit, HitEvidence, PatternSet, Signals, Span } from './types';

/** The parts of an Utterance (lib/utterance.ts) the engine reads. */
export interface TurnInput {
  seq: number;
  speaker: Speaker;
  text: string;
  ts: number;
  channel: Channel;
}

export interface Conversation {
  readonly id: string;
  /** Adds a turn (or replaces it, when its seq was seen before) and returns the new hits. */
  push(turn: TurnInput, signals?: Signals): Hit[];
  /** Lets time windows ("within the first 30 s") close without a new turn. */
  tick(nowMs: number): Hit[];
  /** Settles must-say and absence rules; call once when the conversation ends. */
  finish(): Hit[];
  /** Hits this turn would produce, without changing the conversation (pre-send check). */
  preview(turn: TurnInput, signals?: Signals): Hit[];
  textOf(seq: number): string | undefined;
  readonly lastSeq: number;
  /** Automaton steps plus condition nodes evaluated: grows linearly with input. */
  readonly work: number;
}

const MAX_MATCHES_PER_ATOM = 200; // per turn: evidence and proximity need only the first few
const MAX_EVIDENCE_TEXT = 200;

interface State {
  ctx: EvalContext;
  turns: Counts;
  index: number;
  t0: number;
  channel: Channel | undefined;
  lastSeq: number;
  lastTs: number;
  fired: Seen;
  firedRules: Seen;
}

/** What `hitOf` needs of a set of keys already reported. */
interface Seen {
  has(key: string): boolean;
  add(key: string): unknown;
}

/**
 * A preview's view of the keys already reported: reads fall through to the live set, writes stay
 * local. A draft check on a long conversation then costs nothing per key fired so far.
 */
function overlay(base: Seen): Seen {
  const mine = new Set<string>();
  return { has: (k) => mine.has(k) || base.has(k), add: (k) => mine.add(k) };
}

/**
 * A copy of engine state for a preview. The state is plain data (numbers, strings, booleans,
 * arrays, plain objects: see evaluate.ts), so a direct copy gives what structuredClone gave, at a
 * fraction of its cost: structuredClone serialises and deserialises every node's state on every
 * keystroke, and was most of a draft check's time.
 */
function copyPlain<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    // Node states sit at their node ids: keep the holes as holes.
    for (let i = 0; i < v.length; i++) if (i in v) out[i] = copyPlain(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyPlain((v as Record<string, unknown>)[k]);
  return out as T;
}

const fresh = (): State => ({
  ctx: { states: [], work: 0 },
  turns: { agent: 0, customer: 0, any: 0 },
  index: 0,
  t0: Number.NaN,
  channel: undefined,
  lastSeq: -1,
  lastTs: 0,
  fired: new Set(),
  firedRules: new Set(),
});

/**
 * Every rulebook's conversation normalises the same utterance: a session pushes one turn into
 * each rulebook in a row, so remembering the last text normalises (and homophone-folds) it once
 * per utterance instead of once per rulebook. Normalised is never written to after creation.
 */
let lastText: string | undefined;
let lastNorm: Normalised | undefined;
let lastFolded: string | undefined;

function normaliseShared(text: string): Normalised {
  if (text !== lastText || !lastNorm) {
    lastNorm = normalise(text);
    lastText = text;
    lastFolded = undefined;
  }
  return lastNorm;
}

function foldedShared(norm: Normalised): string {
  if (norm !== lastNorm) return foldHomophones(norm.text);
  lastFolded ??= foldHomophones(norm.text);
  return lastFolded;
}

/** Scans run synchronously and are read out before the next one, so one buffer serves them all. */
const sharedBuffer = new MatchBuffer();

const isWordUnit = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);

/** Scans normalised text with one pattern set and files the matches under their atoms. */
function collect(
  c: CompiledRulebook,
  set: PatternSet,
  text: string,
  norm: Normalised,
  buf: MatchBuffer,
  matches: (number[] | undefined)[],
  touched: number[],
): number {
  buf.reset();
  scanFast(set.automaton, text, buf);
  const len = set.automaton.patternLength;
  for (let k = 0; k < buf.count; k++) {
    const p = buf.data[2 * k]!;
    const end = buf.data[2 * k + 1]!;
    const start = end - len[p]!;
    const b = set.boundary[p]!;
    if (b & 1 && start > 0 && isWordUnit(text.charCodeAt(start - 1))) continue;
    if (b & 2 && end < text.length && isWordUnit(text.charCodeAt(end))) continue;
    for (let j = set.atomStart[p]!; j < set.atomStart[p + 1]!; j++) {
      const atom = set.atomList[j]!;
      const a = c.atoms[atom]!;
      if (a.negationAware && isNegated(norm, start, a.negationWindow)) continue;
      let m = matches[atom];
      if (!m) {
        m = matches[atom] = [];
        touched.push(atom);
      }
      if (m.length < MAX_MATCHES_PER_ATOM * 2) m.push(start, end);
    }
  }
  return buf.work;
}

export function createConversation(compiled: CompiledRulebook, conversationId: string): Conversation {
  const c = compiled;
  const buf = sharedBuffer;
  const matches: (number[] | undefined)[] = new Array(c.atoms.length);
  const wake = new Uint8Array(c.rules.length);
  for (const r of c.eagerRules) wake[r] = 1;
  const log: { turn: TurnInput; signals: Signals | undefined }[] = [];
  const texts = new Map<number, string>();
  let st = fresh();
  let finished = false;
  let work = 0;

  function evidenceOf(spans: Span[], current: TurnInput | undefined): HitEvidence[] {
    return spans.map((s) => {
      const text = current && s.seq === current.seq ? current.text : (texts.get(s.seq) ?? '');
      return { ...s, text: text.slice(s.start, Math.min(s.end, s.start + MAX_EVIDENCE_TEXT)) };
    });
  }

  function hitOf(
    rule: CompiledRule,
    step: Step,
    spans: Span[],
    turn: TurnInput | undefined,
  ): Hit | undefined {
    const key =
      spans.length > 0
        ? `${rule.id}|${spans.map((s) => `${s.seq}:${s.start}:${s.end}`).join(',')}`
        : `${rule.id}|@${step.kind}:${step.seq}`;
    if (st.fired.has(key) || (rule.source.once && st.firedRules.has(rule.id))) return undefined;
    st.fired.add(key);
    st.firedRules.add(rule.id);
    const evidence = evidenceOf(spans, turn);
    const r = rule.source;
    return {
      ruleId: r.id,
      rulebookId: c.id,
      rulebookVersion: c.version,
      name: r.name,
      category: r.category,
      severity: r.severity,
      kind: rule.kind,
      conversationId,
      seq: step.seq,
      ts: step.ts,
      at: step.kind,
      evidence,
      actions: r.actions,
      vars: { match: evidence[0]?.text ?? '' },
    };
  }

  function run(step: Step, touched: number[], turn: TurnInput | undefined): Hit[] {
    const hits: Hit[] = [];
    const woken: number[] = [];
    for (const a of touched)
      for (const r of c.atomRules[a]!)
        if (!wake[r]) {
          wake[r] = 2;
          woken.push(r);
        }
    // Rule order is rulebook order, so output is deterministic.
    const order =
      woken.length > 0 ? [...new Set([...c.eagerRules, ...woken])].sort((x, y) => x - y) : c.eagerRules;
    for (const ri of order) {
      const rule = c.rules[ri]!;
      const channel = step.kind === 'utterance' ? step.channel : st.channel;
      if (rule.channel !== 'any' && rule.channel !== channel) continue;
      const ev = evaluate(rule.root, step, st.ctx);
      if (ev) {
        const hit = hitOf(rule, step, ev, turn);
        if (hit) hits.push(hit);
      }
    }
    for (const r of woken) wake[r] = 0;
    return hits;
  }

  /** `previewing`: the turn is not kept (its text is read from `turn` for evidence meanwhile). */
  function stepUtterance(turn: TurnInput, signals: Signals | undefined, previewing = false): Hit[] {
    const norm = normaliseShared(turn.text);
    const touched: number[] = [];
    let w = collect(c, c.phrases, norm.text, norm, buf, matches, touched);
    if (c.homophones) w += collect(c, c.homophones, foldedShared(norm), norm, buf, matches, touched);
    const before = { ...st.turns };
    if (turn.speaker !== 'system') st.turns[turn.speaker]++;
    st.turns.any++;
    st.index++;
    if (Number.isNaN(st.t0)) st.t0 = turn.ts;
    st.channel ??= turn.channel;
    st.lastSeq = turn.seq;
    st.lastTs = turn.ts;
    if (!previewing) texts.set(turn.seq, turn.text);
    const step: Step = {
      kind: 'utterance',
      index: st.index,
      seq: turn.seq,
      ts: turn.ts,
      t0: st.t0,
      speaker: turn.speaker,
      channel: turn.channel,
      text: turn.text,
      norm,
      matches,
      signals,
      turns: { ...st.turns },
      before,
    };
    const before0 = st.ctx.work;
    const hits = run(step, touched, turn);
    for (const a of touched) matches[a] = undefined;
    work += w + turn.text.length + (st.ctx.work - before0);
    return hits;
  }

  function stepEnd(kind: 'tick' | 'finish', ts: number): Hit[] {
    const step: Step = {
      kind,
      index: st.index,
      seq: st.lastSeq,
      ts,
      t0: Number.isNaN(st.t0) ? ts : st.t0,
      speaker: undefined,
      channel: st.channel,
      text: '',
      norm: undefined,
      matches,
      signals: undefined,
      turns: { ...st.turns },
      before: { ...st.turns },
    };
    if (st.index === 0) return [];
    return run(step, [], undefined);
  }

  /** Rebuilds state from the log after an edit or a late turn; returns only hits not seen before. */
  function replay(): Hit[] {
    const old = st.fired;
    st = fresh();
    const hits: Hit[] = [];
    for (const e of log) hits.push(...stepUtterance(e.turn, e.signals));
    if (finished) hits.push(...stepEnd('finish', st.lastTs));
    return hits.filter((h) => {
      const key = `${h.ruleId}|${h.evidence.map((s) => `${s.seq}:${s.start}:${s.end}`).join(',')}`;
      return h.evidence.length === 0 ? !old.has(`${h.ruleId}|@${h.at}:${h.seq}`) : !old.has(key);
    });
  }

  return {
    id: conversationId,
    push(turn, signals) {
      if (turn.seq > st.lastSeq) {
        log.push({ turn, signals });
        return stepUtterance(turn, signals);
      }
      // An edit (same seq) or a late turn: rare, so replaying the log is fine.
      const at = log.findIndex((e) => e.turn.seq >= turn.seq);
      const same = at >= 0 ? log[at]!.turn : undefined;
      // Adapters may deliver the same turn twice (re-reads of the page): nothing to do.
      if (same && same.seq === turn.seq && same.text === turn.text && same.speaker === turn.speaker)
        return [];
      if (at >= 0 && log[at]!.turn.seq === turn.seq) log[at] = { turn, signals };
      else log.splice(at < 0 ? log.length : at, 0, { turn, signals });
      return replay();
    },
    tick(nowMs) {
      return stepEnd('tick', nowMs);
    },
    finish() {
      finished = true;
      return stepEnd('finish', st.lastTs);
    },
    preview(turn, signals) {
      const saved = st;
      const savedWork = work;
      const { fired, firedRules, ...rest } = saved;
      st = { ...copyPlain(rest), fired: overlay(fired), firedRules: overlay(firedRules) };
      try {
        // The draft's own text is not written into `texts` (a 10,000-entry map that a set and a
        // delete per keystroke and rulebook kept rehashing): its evidence is read from `turn`.
        return stepUtterance(turn, signals, true);
      } finally {
        st = saved;
        work = savedWork;
      }
    },
    textOf: (seq) => texts.get(seq),
    get lastSeq() {
      return st.lastSeq;
    },
    get work() {
      return work;
    },
  };
}
