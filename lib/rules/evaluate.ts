/**
 * Evaluates condition trees after each step of a conversation. Every node is an *event*: it
 * returns the evidence that makes it hold on this step, or null. Stateful nodes keep plain-data
 * state in `states[node.id]` (cloneable for the pre-send preview) and every child is evaluated on
 * every step so that state never misses a turn.
 */
import type { Channel, Speaker } from '../labels';
import { type Normalised, toOriginal } from '../normalise';
import type { SpeakerScope } from './schema';
import type { Node, Signals, Span } from './types';

export const MAX_EVIDENCE = 20;
const MAX_OPEN_TRIGGERS = 16;

export interface Counts {
  agent: number;
  customer: number;
  any: number;
}

export interface Step {
  kind: 'utterance' | 'tick' | 'finish';
  /** Utterance steps so far, this one included. */
  index: number;
  seq: number;
  ts: number;
  /** Timestamp of the first utterance. */
  t0: number;
  speaker: Speaker | undefined;
  channel: Channel | undefined;
  text: string;
  norm: Normalised | undefined;
  /** Per phrase atom: flat [start, end, …] in normalised offsets, undefined when absent. */
  matches: (number[] | undefined)[];
  signals: Signals | undefined;
  /** Turns per speaker including this step, and before it. */
  turns: Counts;
  before: Counts;
}

export interface EvalContext {
  states: unknown[];
  work: number;
}

type Ev = Span[] | null;

interface Trigger {
  count: number;
  ts: number;
  ev: Span[];
}

/** The node's state, created on first use. */
function stateOf<T>(ctx: EvalContext, id: number, init: () => T): T {
  let st = ctx.states[id] as T | undefined;
  if (st === undefined) {
    st = init();
    ctx.states[id] = st;
  }
  return st;
}

const speakerOk = (scope: SpeakerScope, step: Step) =>
  step.kind === 'utterance' && (scope === 'any' || step.speaker === scope);

function concat(parts: Span[][]): Span[] {
  const out: Span[] = [];
  for (const p of parts)
    for (const s of p) {
      if (out.length >= MAX_EVIDENCE) return out;
      out.push(s);
    }
  return out;
}

function span(step: Step, start: number, end: number): Span {
  const o = toOriginal(step.norm!, start, end);
  return { seq: step.seq, start: o.start, end: o.end };
}

function spansOf(step: Step, flat: number[]): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < flat.length && out.length < MAX_EVIDENCE; i += 2)
    out.push(span(step, flat[i]!, flat[i + 1]!));
  return out;
}

/** Words between two normalised offsets: a Chinese character or a run of letters/digits is one word. */
function wordsBetween(text: string, from: number, to: number, limit: number): number {
  let words = 0;
  let inWord = false;
  for (let i = from; i < to && words <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x3400 && c <= 0x9fff) {
      words++;
      inWord = false;
    } else if (c === 0x20) inWord = false;
    else if (!inWord) {
      words++;
      inWord = true;
    }
  }
  return words;
}

function near(n: Extract<Node, { k: 'near' }>, step: Step): Ev {
  if (!speakerOk(n.speaker, step)) return null;
  const a = step.matches[n.a];
  const b = step.matches[n.b];
  if (!a || !b) return null;
  const text = step.norm!.text;
  const distance = (s1: number, e1: number, s2: number, e2: number) => {
    if (s2 < e1 && s1 < e2) return 0;
    const [from, to] = e1 <= s2 ? [e1, s2] : [e2, s1];
    return n.words ? wordsBetween(text, from, to, n.within) : to - from;
  };
  // Both lists are short (capped per turn): nearest pair by direct comparison.
  for (let j = 0; j < b.length; j += 2)
    for (let i = 0; i < a.length; i += 2) {
      const [as, ae, bs, be] = [a[i]!, a[i + 1]!, b[j]!, b[j + 1]!];
      if (n.ordered && as > bs) continue;
      if (distance(as, ae, bs, be) <= n.within) return [span(step, as, ae), span(step, bs, be)];
    }
  return null;
}

function label(n: Extract<Node, { k: 'label' }>, step: Step): Ev {
  if (!speakerOk(n.speaker, step)) return null;
  const sig = step.signals?.[n.which];
  if (!sig) return null;
  const ok =
    n.minProb === undefined
      ? n.labels.includes(sig.label)
      : n.labels.some((l) => (sig.probs?.[l] ?? (sig.label === l ? 1 : 0)) >= n.minProb!);
  return ok ? [{ seq: step.seq, start: 0, end: step.text.length }] : null;
}

function metric(n: Extract<Node, { k: 'metric' }>, step: Step): Ev {
  if (step.kind !== 'utterance' || (n.speaker !== 'any' && step.speaker !== n.speaker)) return null;
  const v = step.signals?.metrics?.[n.metric];
  if (v === undefined) return null;
  const ok =
    n.op === '>' ? v > n.value : n.op === '>=' ? v >= n.value : n.op === '<' ? v < n.value : v <= n.value;
  return ok ? [] : null;
}

function regex(n: Extract<Node, { k: 'regex' }>, step: Step): Ev {
  if (!speakerOk(n.speaker, step)) return null;
  const text = step.norm!.text;
  const out: Span[] = [];
  n.re.lastIndex = 0;
  for (let m = n.re.exec(text); m && out.length < MAX_EVIDENCE; m = n.re.exec(text)) {
    if (m[0].length === 0) {
      n.re.lastIndex++;
      continue;
    }
    out.push(span(step, m.index, m.index + m[0].length));
  }
  return out.length > 0 ? out : null;
}

function inWindow(n: Extract<Node, { k: 'window' }>, step: Step): boolean {
  if (step.kind !== 'utterance') return false;
  if (n.firstMs !== undefined && step.ts - step.t0 > n.firstMs) return false;
  return n.firstTurns === undefined || step.before[n.turnsOf] < n.firstTurns;
}

/** Has the window of this condition closed once this step is done? */
export function closedAfter(n: Node, step: Step): boolean {
  if (step.kind === 'finish') return true;
  if (n.k === 'window') {
    if (n.firstMs !== undefined && step.ts - step.t0 > n.firstMs) return true;
    return n.firstTurns !== undefined && step.turns[n.turnsOf] >= n.firstTurns;
  }
  if (n.k === 'all' || n.k === 'any') return n.kids.every((k) => closedAfter(k, step));
  return false;
}

type AfterNode = Extract<Node, { k: 'after' | 'missingAfter' }>;

function insideAfter(n: AfterNode, t: Trigger, step: Step): boolean {
  if (step.kind !== 'utterance') return false;
  if (n.ms !== undefined && step.ts - t.ts > n.ms) return false;
  return n.turns === undefined || step.before[n.turnsOf] - t.count < n.turns;
}

function closedAfterTrigger(n: AfterNode, t: Trigger, step: Step): boolean {
  if (step.kind === 'finish') return true;
  if (n.ms !== undefined && step.ts - t.ts > n.ms) return true;
  return n.turns !== undefined && step.turns[n.turnsOf] - t.count >= n.turns;
}

function after(n: AfterNode, step: Step, ctx: EvalContext): Ev {
  const trig = evaluate(n.trigger, step, ctx);
  const exp = evaluate(n.expect, step, ctx);
  const st = stateOf<{ open: Trigger[] }>(ctx, n.id, () => ({ open: [] as Trigger[] }));
  let result: Ev = null;
  if (n.k === 'after') {
    if (exp) {
      const i = st.open.findIndex((t) => insideAfter(n, t, step));
      if (i >= 0) {
        result = concat([st.open[i]!.ev, exp]);
        st.open.splice(i, 1);
      }
    }
    st.open = st.open.filter((t) => !closedAfterTrigger(n, t, step));
  } else {
    if (exp) st.open = st.open.filter((t) => !insideAfter(n, t, step));
    const missed = st.open.filter((t) => closedAfterTrigger(n, t, step));
    if (missed.length > 0) {
      result = concat(missed.map((t) => t.ev));
      st.open = st.open.filter((t) => !missed.includes(t));
    }
  }
  if (trig && step.kind === 'utterance') {
    const pending = st.open[st.open.length - 1];
    // A repeated trigger while one is still unanswered is the same episode: one finding, the
    // window of the first ("投诉" said three times before any apology).
    if (n.k === 'missingAfter' && pending) pending.ev = concat([pending.ev, trig]);
    else st.open.push({ count: step.turns[n.turnsOf], ts: step.ts, ev: trig });
    if (st.open.length > MAX_OPEN_TRIGGERS) st.open.shift();
  }
  return result;
}

export function evaluate(n: Node, step: Step, ctx: EvalContext): Ev {
  ctx.work++;
  switch (n.k) {
    case 'phrase': {
      if (!speakerOk(n.speaker, step)) return null;
      const m = step.matches[n.atom];
      return m ? spansOf(step, m) : null;
    }
    case 'near':
      return near(n, step);
    case 'regex':
      return regex(n, step);
    case 'label':
      return label(n, step);
    case 'metric':
      return metric(n, step);
    case 'all': {
      const rs = n.kids.map((k) => evaluate(k, step, ctx));
      return rs.every((r) => r !== null) ? concat(rs as Span[][]) : null;
    }
    case 'any': {
      const rs = n.kids.map((k) => evaluate(k, step, ctx)).filter((r): r is Span[] => r !== null);
      return rs.length > 0 ? concat(rs) : null;
    }
    case 'not': {
      const r = evaluate(n.kid, step, ctx);
      return step.kind === 'utterance' && r === null ? [] : null;
    }
    case 'window': {
      const r = evaluate(n.kid, step, ctx);
      return r && inWindow(n, step) ? r : null;
    }
    case 'seen': {
      const r = evaluate(n.kid, step, ctx);
      const st = stateOf<{ ev: Ev }>(ctx, n.id, () => ({ ev: null }));
      const prev = st.ev;
      if (r && !st.ev) st.ev = r;
      return n.strict ? prev : st.ev;
    }
    case 'absent': {
      const r = evaluate(n.kid, step, ctx);
      const st = stateOf(ctx, n.id, () => ({ matched: false, settled: false }));
      if (r) st.matched = true;
      if (st.matched || st.settled || !closedAfter(n.kid, step)) return null;
      st.settled = true;
      return [];
    }
    case 'order': {
      const rs = n.steps.map((s) => evaluate(s, step, ctx));
      const st = stateOf(ctx, n.id, () => ({ next: 0, ev: [] as Span[] }));
      const last = n.steps.length - 1;
      while (st.next < last && rs[st.next]) st.ev = concat([st.ev, rs[st.next++]!]);
      if (st.next === last && rs[last]) {
        const out = concat([st.ev, rs[last]!]);
        st.next = 0;
        st.ev = [];
        return out;
      }
      return null;
    }
    case 'after':
    case 'missingAfter':
      return after(n, step, ctx);
    case 'count': {
      const r = evaluate(n.kid, step, ctx);
      if (!r || step.kind !== 'utterance') return null;
      const st = stateOf(ctx, n.id, () => ({ hits: [] as { index: number; ts: number; ev: Span[] }[] }));
      st.hits.push({ index: step.index, ts: step.ts, ev: r });
      if (st.hits.length > n.atLeast) st.hits.shift();
      const live = st.hits.filter(
        (h) =>
          (n.withinTurns === undefined || step.index - h.index < n.withinTurns) &&
          (n.withinMs === undefined || step.ts - h.ts <= n.withinMs),
      );
      return live.length >= n.atLeast ? concat(live.map((h) => h.ev)) : null;
    }
    case 'streak': {
      const r = evaluate(n.kid, step, ctx);
      if (step.kind !== 'utterance' || (n.speaker !== 'any' && step.speaker !== n.speaker)) return null;
      const st = stateOf<{ run: Span[][] }>(ctx, n.id, () => ({ run: [] }));
      if (!r) {
        st.run = [];
        return null;
      }
      st.run.push(r);
      if (st.run.length < n.length) return null;
      const out = concat(st.run);
      st.run = [];
      return out;
    }
  }
}
