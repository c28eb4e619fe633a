/**
 * Call metrics as rule conditions, with the shipped general rulebook: silence, over-talk and pace
 * rules fire from live call readings when their condition becomes true, once per episode.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CallReading } from '../../../lib/audio/call-analyser';
import { CallRuleWatch, isMetricOnly } from '../../../lib/audio/call-rules';
import { Rulebook } from '../../../lib/rules/schema';

const general = Rulebook.parse(JSON.parse(readFileSync('rulebooks/general.json', 'utf8')));
let n = 0;
const newId = () => `01J${String(n++).padStart(23, '0')}`;

function channel(speaking: boolean, rateSps = 0) {
  return {
    levelDbfs: speaking ? -20 : -100,
    speaking,
    loudness: { levelDbfs: -20, baselineDbfs: -20, riseDb: 0, shouting: false },
    rateSps,
    pitchHz: undefined,
    pitchRiseSemitones: 0,
    segments: 1,
    available: true,
  };
}

function reading(
  at: number,
  o: {
    silenceMs?: number;
    overtalkMs?: number;
    agent?: [boolean, number];
    customer?: [boolean, number];
  } = {},
): CallReading {
  const a = o.agent ?? [false, 0];
  const c = o.customer ?? [false, 0];
  return {
    settledMs: at,
    processedMs: at,
    speaking: { agent: a[0], customer: c[0] },
    talkMs: { agent: 1000, customer: 1000 },
    talkRatio: 0.5,
    silenceMs: o.silenceMs ?? 0,
    overtalkMs: o.overtalkMs ?? 0,
    deadAir: { count: 0, totalMs: 0, longestMs: 0 },
    overtalk: { count: 0, totalMs: 0, longestMs: 0 },
    interruptions: 0,
    holdMs: 0,
    onHold: false,
    channels: { agent: channel(a[0], a[1]), customer: channel(c[0], c[1]) },
  };
}

describe('call metric rules', () => {
  it('watches the voice rules made of metric conditions only', () => {
    const w = new CallRuleWatch([general]);
    expect(w.rules).toEqual(
      expect.arrayContaining([
        'general.long-silence',
        'general.overtalk',
        'general.speaking-too-fast',
        'general.agent-pace-sustained',
      ]),
    );
    for (const r of general.rules.filter((x) => w.rules.includes(x.id)))
      expect(isMetricOnly(r.when)).toBe(true);
    expect(w.rules).not.toContain('general.empathy-hint');
  });

  it('fires the silence rule while the line is still silent, once per silence', () => {
    const w = new CallRuleWatch([general]);
    const fired = (r: CallReading) =>
      w.check(r, 'call-1', 1_000_000 + r.processedMs, newId).map((f) => f.ruleId);
    expect(fired(reading(20_000, { silenceMs: 14_000 }))).toEqual([]);
    const f = w.check(reading(21_250, { silenceMs: 15_250 }), 'call-1', 1_021_250, newId);
    expect(f.map((x) => x.ruleId)).toEqual(['general.long-silence']);
    expect(f[0]).toMatchObject({
      conversationId: 'call-1',
      at: 'tick',
      kind: 'hint',
      severity: 'hint',
      ts: 1_021_250,
    });
    expect(f[0]!.title).toContain('6–21.3 s');
    expect(f[0]!.actions?.hint?.text.zh_CN).toBe('正在为您查询，请稍候。');
    // Still the same silence: no second finding.
    expect(fired(reading(25_000, { silenceMs: 19_000 }))).toEqual([]);
    // Someone spoke, then a new long silence: fires again.
    expect(fired(reading(26_000, { customer: [true, 4] }))).toEqual([]);
    expect(fired(reading(45_000, { silenceMs: 16_000 }))).toEqual(['general.long-silence']);
  });

  it('fires over-talk for the agent only, and the pace rules from the agent pace', () => {
    const w = new CallRuleWatch([general]);
    const fired = (r: CallReading) =>
      w
        .check(r, 'call-2', r.processedMs, newId)
        .map((f) => f.ruleId)
        .sort();
    expect(fired(reading(5000, { overtalkMs: 3500, agent: [true, 4], customer: [true, 4] }))).toEqual([
      'general.overtalk',
    ]);
    // Customer speaking fast is not the agent's pace.
    expect(fired(reading(6000, { customer: [true, 7] }))).toEqual([]);
    // 5.5 syllables/s = 330 per minute: both pace rules.
    expect(fired(reading(7000, { agent: [true, 5.5] }))).toEqual([
      'general.agent-pace-sustained',
      'general.speaking-too-fast',
    ]);
    // A pause is not slow speech and not a new episode of fast speech.
    expect(fired(reading(8000, { agent: [false, 5.5] }))).toEqual([]);
    // `once`: speaking-too-fast never again; the sustained rule fires on a new episode.
    expect(fired(reading(9000, { agent: [true, 5.6] }))).toEqual(['general.agent-pace-sustained']);
  });
});
