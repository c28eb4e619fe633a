/**
 * The call-metrics state machine. It combines the settled speech/silence spans of the two
 * channels (agent = microphone, customer = the console tab) on one clock and measures what QA
 * scores on every call: dead air (both silent longer than N ms, hold excluded), over-talk (both
 * speaking longer than N ms), the agent interrupting the customer, talk ratio, and live
 * silence/over-talk timers. Pure and deterministic: the same spans give the same events.
 */
import type { Span } from './segmenter';

export const CALL_CHANNELS = ['agent', 'customer'] as const;
export type CallChannel = (typeof CALL_CHANNELS)[number];

export interface CallMetricsOptions {
  /** Shared silence at least this long is dead air. */
  deadAirMs: number;
  /** Both speaking at least this long is over-talk. */
  overtalkMs: number;
  /** An agent onset while the customer is speaking, overlapping at least this long, is an interruption. */
  interruptMs: number;
}

export const DEFAULT_CALL_METRICS: CallMetricsOptions = {
  deadAirMs: 3000,
  overtalkMs: 500,
  interruptMs: 300,
};

export type CallEvent =
  | {
      type: 'dead-air';
      start: number;
      end: number;
      durationMs: number;
      /** A channel was unavailable for part of it: silence there is not known to be silence. */
      partial: boolean;
    }
  | {
      type: 'overtalk';
      start: number;
      end: number;
      durationMs: number;
      /** Whose onset made the overlap (the other was already speaking). */
      startedBy: CallChannel;
      /** The agent started talking over the customer. */
      interruption: boolean;
    };

export interface CallSnapshot {
  /** Everything before this time (ms from the start of the call) is settled. */
  settledMs: number;
  speaking: Record<CallChannel, boolean>;
  talkMs: Record<CallChannel, number>;
  /** Agent's share of the talk time, 0–1 (0.5 before anyone spoke). */
  talkRatio: number;
  /** Current shared silence (0 while someone speaks or on hold). */
  silenceMs: number;
  /** Current over-talk (0 unless both speak). */
  overtalkMs: number;
  deadAir: { count: number; totalMs: number; longestMs: number };
  overtalk: { count: number; totalMs: number; longestMs: number };
  interruptions: number;
  holdMs: number;
  onHold: boolean;
}

interface ChannelState {
  queue: Span[];
  available: boolean;
  /** Start of the current speech run, when speaking at the engine clock. */
  since: number | undefined;
}

export class CallMetrics {
  private readonly o: CallMetricsOptions;
  private readonly ch: Record<CallChannel, ChannelState> = {
    agent: { queue: [], available: true, since: undefined },
    customer: { queue: [], available: true, since: undefined },
  };
  /** Engine clock: every piece before it is accounted. */
  private t = 0;
  private silenceStart: number | undefined;
  private silencePartial = false;
  private overStart: number | undefined;
  private overBy: CallChannel = 'agent';
  /** Latest time seen: the clock never runs past it, even when no channel is available. */
  private horizon = 0;
  private holds: { t: number; on: boolean }[] = [];
  private onHold = false;
  private holdMs = 0;
  private readonly talkMs: Record<CallChannel, number> = { agent: 0, customer: 0 };
  private readonly dead = { count: 0, totalMs: 0, longestMs: 0 };
  private readonly over = { count: 0, totalMs: 0, longestMs: 0 };
  private interruptions = 0;
  private speakingNow: Record<CallChannel, boolean> = { agent: false, customer: false };

  constructor(opts: Partial<CallMetricsOptions> = {}) {
    this.o = { ...DEFAULT_CALL_METRICS, ...opts };
  }

  /** Settled spans of one channel, in order; returns the events they complete. */
  push(channel: CallChannel, spans: readonly Span[]): CallEvent[] {
    this.ch[channel].queue.push(...spans);
    for (const sp of spans) this.horizon = Math.max(this.horizon, sp.end);
    return this.advance();
  }

  /**
   * A channel that is unplugged or was never captured counts as silent from `t` on, so the
   * other keeps working; events that include such time are marked partial.
   */
  setAvailable(channel: CallChannel, available: boolean, t: number): CallEvent[] {
    const c = this.ch[channel];
    this.horizon = Math.max(this.horizon, t);
    if (c.available === available) return [];
    if (!available) {
      // Its spans up to `t` still count; nothing after.
      c.queue = c.queue.filter((s) => s.start < t).map((s) => (s.end > t ? { ...s, end: t } : s));
      const covered = c.queue.length > 0 ? c.queue[c.queue.length - 1]!.end : this.t;
      if (covered < t) c.queue.push({ start: covered, end: t, speech: false });
    }
    const events = available ? [] : this.advance();
    c.available = available;
    // Back again: its spans from here on drive the clock once more.
    if (available) c.queue = [];
    return [...events, ...this.advance()];
  }

  /** Hold from the console (call on hold): its time is not dead air. */
  setHold(onHold: boolean, t: number): CallEvent[] {
    const last = this.holds[this.holds.length - 1];
    const current = last ? last.on : this.onHold;
    if (current !== onHold) this.holds.push({ t: Math.max(t, this.t), on: onHold });
    return this.advance();
  }

  /** Closes open runs at the settled time (end of the call). */
  finish(): CallEvent[] {
    const out = this.advance();
    this.closeSilence(this.t, out);
    this.closeOvertalk(this.t, out);
    return out;
  }

  snapshot(): CallSnapshot {
    const a = this.talkMs.agent;
    const c = this.talkMs.customer;
    return {
      settledMs: this.t,
      speaking: { ...this.speakingNow },
      talkMs: { ...this.talkMs },
      talkRatio: a + c > 0 ? a / (a + c) : 0.5,
      silenceMs: this.silenceStart === undefined ? 0 : this.t - this.silenceStart,
      overtalkMs: this.overStart === undefined ? 0 : this.t - this.overStart,
      deadAir: { ...this.dead },
      overtalk: { ...this.over },
      interruptions: this.interruptions,
      holdMs: this.holdMs,
      onHold: this.onHold,
    };
  }

  private settledUntil(c: ChannelState): number {
    if (!c.available) return Number.POSITIVE_INFINITY;
    return c.queue.length > 0 ? c.queue[c.queue.length - 1]!.end : this.t;
  }

  private advance(): CallEvent[] {
    const out: CallEvent[] = [];
    // Neither side available (a call tapped before it is answered): time runs only as far as seen.
    const until = Math.min(
      this.settledUntil(this.ch.agent),
      this.settledUntil(this.ch.customer),
      this.horizon,
    );
    while (this.t < until) {
      // The next piece ends at the first boundary of either channel or a hold toggle.
      let end = until;
      const state = {} as Record<CallChannel, boolean>;
      for (const name of ['agent', 'customer'] as const) {
        const c = this.ch[name];
        while (c.queue.length > 0 && c.queue[0]!.end <= this.t) c.queue.shift();
        const s = c.queue[0];
        if (!c.available || !s) state[name] = false;
        else {
          state[name] = s.speech && s.start <= this.t;
          end = Math.min(end, s.start > this.t ? s.start : s.end);
        }
      }
      const nextHold = this.holds[0];
      if (nextHold && nextHold.t <= this.t) {
        this.holds.shift();
        this.onHold = nextHold.on;
        if (this.onHold) this.closeSilence(this.t, out);
        continue;
      }
      if (nextHold) end = Math.min(end, nextHold.t);
      if (end <= this.t) break;
      this.piece(this.t, end, state, out);
      this.t = end;
    }
    return out;
  }

  private piece(a: number, b: number, s: Record<CallChannel, boolean>, out: CallEvent[]): void {
    const dur = b - a;
    for (const name of ['agent', 'customer'] as const) {
      if (s[name]) {
        this.talkMs[name] += dur;
        this.ch[name].since ??= a;
      } else this.ch[name].since = undefined;
    }
    this.speakingNow = { ...s };
    if (this.onHold) this.holdMs += dur;
    const bothSilent = !s.agent && !s.customer;
    // Silence before anyone has spoken is ringing or set-up, not dead air.
    const spoke = this.talkMs.agent + this.talkMs.customer > 0;
    if (bothSilent && !this.onHold && spoke) {
      if (this.silenceStart === undefined) {
        this.silenceStart = a;
        this.silencePartial = false;
      }
      if (!this.ch.agent.available || !this.ch.customer.available) this.silencePartial = true;
    } else this.closeSilence(a, out);
    if (s.agent && s.customer) {
      if (this.overStart === undefined) {
        this.overStart = a;
        // The one whose run started later made the overlap.
        const aSince = this.ch.agent.since ?? a;
        const cSince = this.ch.customer.since ?? a;
        this.overBy = aSince >= cSince ? 'agent' : 'customer';
      }
    } else this.closeOvertalk(a, out);
  }

  private closeSilence(at: number, out: CallEvent[]): void {
    if (this.silenceStart === undefined) return;
    const d = at - this.silenceStart;
    if (d >= this.o.deadAirMs) {
      out.push({
        type: 'dead-air',
        start: this.silenceStart,
        end: at,
        durationMs: d,
        partial: this.silencePartial,
      });
      this.dead.count++;
      this.dead.totalMs += d;
      this.dead.longestMs = Math.max(this.dead.longestMs, d);
    }
    this.silenceStart = undefined;
  }

  private closeOvertalk(at: number, out: CallEvent[]): void {
    if (this.overStart === undefined) return;
    const d = at - this.overStart;
    const interruption = this.overBy === 'agent' && d >= this.o.interruptMs;
    if (interruption) this.interruptions++;
    if (d >= this.o.overtalkMs || interruption) {
      out.push({
        type: 'overtalk',
        start: this.overStart,
        end: at,
        durationMs: d,
        startedBy: this.overBy,
        interruption,
      });
      if (d >= this.o.overtalkMs) {
        this.over.count++;
        this.over.totalMs += d;
        this.over.longestMs = Math.max(this.over.longestMs, d);
      }
    }
    this.overStart = undefined;
  }
}
