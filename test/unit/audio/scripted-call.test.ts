/**
 * The whole call analysis in Node on a call synthesised by espeak-ng + sox (Debian packages) at
 * 48 kHz (agent) and 44.1 kHz (customer), through the real Silero VAD: the same path the audio
 * worker runs, minus the browser.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallAnalyserEvent, CallAnalyser } from '../../../lib/audio/call-analyser';
import type { SpeechSegment } from '../../../lib/audio/channel';
import { Resampler } from '../../../lib/audio/resample';
import { SileroVad } from '../../../lib/audio/vad';
import { parseWav } from '../../../lib/audio/wav';
import { expectedDeadAir, expectedOvertalk } from '../../fixtures/audio/expect';
import {
  DEMO_CALL,
  PACE_WPM,
  type RenderedCall,
  renderCall,
  synthesise,
} from '../../fixtures/audio/generate';

const VAD_MODEL = 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx';
let dir: string;
let call: RenderedCall;
let vad: SileroVad;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sotto-call-'));
  // The AudioContext in the browser runs at one rate; here both sides are brought to 48 kHz
  // first, as the AudioContext would, so the analyser sees one source rate.
  call = renderCall(DEMO_CALL, dir);
  ort.env.wasm.numThreads = 1;
  vad = await SileroVad.load(ort, readFileSync(VAD_MODEL));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function at48k(file: string): Float32Array {
  const pcm = parseWav(readFileSync(file));
  const r = new Resampler(pcm.sampleRate, 48_000);
  return pcm.sampleRate === 48_000 ? pcm.channels[0]! : r.push(pcm.channels[0]!);
}

async function analyse(): Promise<{ events: CallAnalyserEvent[]; a: CallAnalyser }> {
  const agent = at48k(call.files.agent);
  const customer = at48k(call.files.customer);
  const n = Math.min(agent.length, customer.length);
  const events: CallAnalyserEvent[] = [];
  const a = new CallAnalyser(
    48_000,
    { agent: vad.channel(), customer: vad.channel() },
    (e) => events.push(e),
    {
      deadAirMs: 3000,
    },
  );
  // 128-sample render quanta, batched to 2048 as the worklet does.
  for (let i = 0; i < n; i += 2048) {
    const j = Math.min(n, i + 2048);
    await a.push({ agent: agent.subarray(i, j), customer: customer.subarray(i, j) });
  }
  await a.finish();
  return { events, a };
}

describe('a scripted call through the real VAD', () => {
  let result: Awaited<ReturnType<typeof analyse>>;
  beforeAll(async () => {
    result = await analyse();
  }, 120_000);

  it('detects each dead-air interval within ±250 ms of the script', () => {
    const want = expectedDeadAir(call.passages, 3);
    const got = result.events.filter(
      (e): e is Extract<CallAnalyserEvent, { type: 'dead-air' }> =>
        e.type === 'dead-air' && e.end / 1000 < call.durationS - 3.5,
    );
    expect(want.length).toBe(2);
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      expect(Math.abs(g.start / 1000 - want[i]!.start)).toBeLessThan(0.25);
      expect(Math.abs(g.end / 1000 - want[i]!.end)).toBeLessThan(0.25);
    });
  });

  it('detects the scripted over-talk as the agent interrupting the customer', () => {
    const want = expectedOvertalk(call.passages);
    const got = result.events.filter((e) => e.type === 'overtalk');
    expect(want.length).toBe(1);
    expect(got.length).toBe(1);
    expect(got[0]).toMatchObject({ startedBy: 'agent', interruption: true });
    expect(Math.abs(got[0]!.start / 1000 - want[0]!.start)).toBeLessThan(0.25);
    expect(result.a.reading().interruptions).toBe(1);
  });

  it('finds every passage as speech on the right side and a talk ratio between the two', () => {
    const r = result.a.reading();
    for (const p of call.passages) {
      const segs = result.a.segments(p.side);
      const covered = segs.some((s) => s.start / 1000 <= p.start + 0.25 && s.end / 1000 >= p.start + 0.5);
      expect(covered, `${p.side} passage at ${p.start.toFixed(2)} s`).toBe(true);
    }
    expect(r.talkRatio).toBeGreaterThan(0.15);
    expect(r.talkRatio).toBeLessThan(0.6);
  });

  it('estimates a pace that rises with the espeak-ng speed', () => {
    const segs = result.a.segments('customer');
    const pace = call.passages
      .filter((p) => p.side === 'customer' && (PACE_WPM as readonly number[]).includes(p.wpm))
      .slice(-3)
      .map((p) => rateWithin(segs, p.start, p.end));
    expect(pace[0]!).toBeLessThan(pace[1]!);
    expect(pace[1]!).toBeLessThan(pace[2]!);
  });
});

/** Syllables per second of the segments inside a passage. */
function rateWithin(segs: readonly SpeechSegment[], startS: number, endS: number): number {
  const inside = segs.filter((s) => s.start / 1000 >= startS - 0.3 && s.end / 1000 <= endS + 0.5);
  const syl = inside.reduce((n, s) => n + s.syllables, 0);
  const ms = inside.reduce((n, s) => n + s.end - s.start, 0);
  return ms > 0 ? (syl * 1000) / ms : 0;
}

describe('syllable rate on espeak-ng speech', () => {
  for (const [voice, text] of [
    ['cmn', '您好，请问有什么可以帮您的吗，我这边马上为您查询订单的物流信息'],
    [
      'en-us',
      'Thank you for waiting, I have checked your order and the parcel will arrive tomorrow morning.',
    ],
  ] as const) {
    it(`rises monotonically across speeds (${voice})`, async () => {
      const rates: number[] = [];
      for (const wpm of [80, 120, 170, 230, 300]) {
        const x = synthesise({ voice, wpm, text }, 16_000, dir);
        const segs: SpeechSegment[] = [];
        const ch = vad.channel();
        const a = new CallAnalyser(16_000, { agent: ch, customer: vad.channel() }, (e) => {
          if (e.type === 'segment' && e.channel === 'agent') segs.push(e.segment);
        });
        await a.push({ agent: x, customer: new Float32Array(x.length) });
        await a.finish();
        rates.push(rateWithin(segs, 0, x.length / 16_000));
      }
      for (let i = 1; i < rates.length; i++)
        expect(rates[i]!, `rates ${rates.map((r) => r.toFixed(2))}`).toBeGreaterThan(rates[i - 1]!);
    }, 60_000);
  }
});
