import { describe, expect, it } from 'vitest';
import { type CallEvent, CallMetrics } from '../../../lib/audio/call-metrics';
import { Segmenter, type Span } from '../../../lib/audio/segmenter';

const F = 32;

/** Probabilities per 32 ms frame from speech intervals in ms (clean edges). */
function probs(speech: [number, number][], totalMs: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < totalMs; t += F) {
    const mid = t + F / 2;
    out.push(speech.some(([a, b]) => mid >= a && mid < b) ? 0.95 : 0.02);
  }
  return out;
}

function segmentsOf(spans: Span[]): [number, number][] {
  const out: [number, number][] = [];
  for (const s of spans) {
    if (!s.speech) continue;
    const last = out[out.length - 1];
    if (last && last[1] === s.start) last[1] = s.end;
    else out.push([s.start, s.end]);
  }
  return out;
}

const at0 = (x: number | undefined, t: number) => x !== undefined && t >= x && t - F < x;

/** Drives the engine frame by frame with two channels' scripted speech. */
function run(
  agent: [number, number][],
  customer: [number, number][],
  totalMs: number,
  opts: { hold?: [number, number]; unplugAgentAt?: number; bothFrom?: number } = {},
): { events: CallEvent[]; m: CallMetrics } {
  const m = new CallMetrics({ deadAirMs: 2000, overtalkMs: 500, interruptMs: 300 });
  const sa = new Segmenter();
  const sc = new Segmenter();
  const pa = probs(agent, totalMs);
  const pc = probs(customer, totalMs);
  const events: CallEvent[] = [];
  // A call tapped before it is answered: neither side has a source until `bothFrom`.
  if (opts.bothFrom !== undefined)
    for (const ch of ['agent', 'customer'] as const) events.push(...m.setAvailable(ch, false, 0));
  for (let i = 0; i < pa.length; i++) {
    const t = i * F;
    if (at0(opts.bothFrom, t))
      for (const ch of ['agent', 'customer'] as const) events.push(...m.setAvailable(ch, true, t));
    // Console events land at the first frame at or after their time.
    const at = (x: number | undefined) => x !== undefined && t >= x && t - F < x;
    if (at(opts.hold?.[0])) events.push(...m.setHold(true, t));
    if (at(opts.hold?.[1])) events.push(...m.setHold(false, t));
    if (at(opts.unplugAgentAt)) events.push(...m.setAvailable('agent', false, t));
    events.push(...m.push('agent', sa.push(pa[i]!)));
    events.push(...m.push('customer', sc.push(pc[i]!)));
  }
  events.push(...m.push('agent', sa.flush()), ...m.push('customer', sc.flush()), ...m.finish());
  return { events, m };
}

describe('segmenter', () => {
  it('ends a segment at its last speech frame and bridges pauses shorter than the redemption time', () => {
    const s = new Segmenter();
    const spans: Span[] = [];
    for (const p of probs(
      [
        [320, 1600],
        [1792, 2400], // 192 ms pause: bridged
        [4000, 4800],
      ],
      6000,
    ))
      spans.push(...s.push(p));
    spans.push(...s.flush());
    expect(segmentsOf(spans)).toEqual([
      [320, 2400],
      [4000, 4800],
    ]);
    // Spans tile time without gaps or overlaps.
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBe(spans[i - 1]!.end);
    expect(spans[spans.length - 1]!.end).toBe(6016);
  });

  it('drops blips shorter than the minimum speech time', () => {
    const s = new Segmenter();
    const spans: Span[] = [];
    for (const p of probs([[640, 704]], 2000)) spans.push(...s.push(p));
    spans.push(...s.flush());
    expect(segmentsOf(spans)).toEqual([]);
  });
});

describe('call metrics', () => {
  it('finds dead air where both are silent longer than the threshold, at the scripted times', () => {
    const { events, m } = run(
      [
        [0, 2000],
        [7000, 9000],
      ],
      [
        [2500, 4000],
        [9500, 10_000],
      ],
      12_000,
    );
    const dead = events.filter((e) => e.type === 'dead-air');
    // 2000–2500 and 9000–9500 are short pauses, not dead air; the 2 s tail is settled by finish().
    expect(dead).toHaveLength(2);
    expect(Math.abs(dead[0]!.start - 4000)).toBeLessThanOrEqual(F);
    expect(Math.abs(dead[0]!.end - 7000)).toBeLessThanOrEqual(F);
    expect(Math.abs(dead[1]!.start - 10_000)).toBeLessThanOrEqual(F);
    const snap = m.snapshot();
    expect(snap.deadAir.count).toBe(2);
    expect(snap.talkMs.agent).toBeGreaterThan(3900);
    expect(snap.talkRatio).toBeGreaterThan(0.5);
  });

  it('does not count silence before anyone spoke (ringing) as dead air', () => {
    const { events } = run([[5000, 6000]], [[6500, 7000]], 7500);
    expect(events.filter((e) => e.type === 'dead-air')).toEqual([]);
  });

  it('excludes time on hold from dead air', () => {
    const { events } = run([[0, 1000]], [[20_000, 21_000]], 22_000, { hold: [1500, 19_000] });
    const dead = events.filter((e) => e.type === 'dead-air');
    // Only the 1 s before hold (below threshold) and 19–20 s (below threshold): nothing.
    expect(dead).toEqual([]);
  });

  it('reports over-talk longer than N ms and flags the agent starting over the customer as an interruption', () => {
    const { events, m } = run(
      [
        [3000, 5000], // starts during the customer's turn: 1 s overlap
        [8000, 8200], // too short to matter
      ],
      [
        [0, 4000],
        [6000, 9000],
      ],
      10_000,
    );
    const over = events.filter((e) => e.type === 'overtalk');
    expect(over).toHaveLength(1);
    expect(over[0]).toMatchObject({ startedBy: 'agent', interruption: true });
    expect(Math.abs(over[0]!.start - 3000)).toBeLessThanOrEqual(F);
    expect(Math.abs(over[0]!.end - 4000)).toBeLessThanOrEqual(F);
    expect(m.snapshot().interruptions).toBe(1);
  });

  it('does not call it an interruption when the customer talks over the agent', () => {
    const { events, m } = run([[0, 4000]], [[3000, 5000]], 6000);
    const over = events.filter((e) => e.type === 'overtalk');
    expect(over).toHaveLength(1);
    expect(over[0]).toMatchObject({ startedBy: 'customer', interruption: false });
    expect(m.snapshot().interruptions).toBe(0);
  });

  it('keeps working on the customer channel when the microphone is unplugged, marking dead air partial', () => {
    const { events, m } = run(
      [
        [0, 1000],
        [6000, 8000], // lost: the agent is unplugged at 3 s
      ],
      [
        [1000, 2000],
        [9000, 10_000],
      ],
      11_000,
      { unplugAgentAt: 3000 },
    );
    const dead = events.filter((e) => e.type === 'dead-air');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ partial: true });
    expect(Math.abs(dead[0]!.start - 2000)).toBeLessThanOrEqual(F);
    expect(Math.abs(dead[0]!.end - 9000)).toBeLessThanOrEqual(F);
    // Metrics from before the unplug are kept.
    expect(m.snapshot().talkMs.agent).toBeGreaterThan(900);
  });

  it('shows the live silence timer while the silence is still open', () => {
    const m = new CallMetrics();
    const sa = new Segmenter();
    const sc = new Segmenter();
    const pa = probs([[0, 1000]], 5000);
    for (let i = 0; i < pa.length; i++) {
      m.push('agent', sa.push(pa[i]!));
      m.push('customer', sc.push(0.01));
    }
    const s = m.snapshot();
    expect(s.silenceMs).toBeGreaterThan(3900);
    expect(s.speaking).toEqual({ agent: false, customer: false });
  });
});

describe('call metrics with sources that arrive late', () => {
  it('keeps its clock when neither side is available, then measures once both arrive', () => {
    const { events, m } = run(
      [[6000, 8000]],
      [
        [3000, 4000], // before the call has sources: not heard
        [11000, 13000],
      ],
      14000,
      { bothFrom: 5000 },
    );
    const dead = events.filter((e) => e.type === 'dead-air');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ start: expect.closeTo(8000, -2), end: expect.closeTo(11000, -2) });
    expect(m.snapshot().talkMs.agent).toBeGreaterThan(1500);
    expect(m.snapshot().talkMs.customer).toBeGreaterThan(1500);
    expect(m.snapshot().talkMs.customer).toBeLessThan(2600);
  });
});
