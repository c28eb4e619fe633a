/**
 * One monitored call: both channels at the source rate in, call events and a live reading out.
 * Channels arrive interleaved from one AudioWorklet (agent = microphone, customer = the tab), so
 * their frames are aligned by construction and the call metrics see one clock.
 */
import {
  type CallChannel,
  type CallEvent,
  CallMetrics,
  type CallMetricsOptions,
  type CallSnapshot,
} from './call-metrics';
import { ChannelAnalyser, type ChannelReading, type SpeechSegment } from './channel';
import { FRAME_MS, Framer } from './frames';
import { Resampler } from './resample';
import type { VadChannel } from './vad';

export type CallAnalyserEvent = CallEvent | { type: 'segment'; channel: CallChannel; segment: SpeechSegment };

export interface CallReading extends CallSnapshot {
  channels: Record<CallChannel, ChannelReading & { available: boolean }>;
  /** Audio processed so far, ms. */
  processedMs: number;
}

interface Side {
  resampler: Resampler;
  framer: Framer;
  analyser: ChannelAnalyser;
  vad: VadChannel;
  /** 16 kHz frames waiting for the VAD, in order. */
  pending: Float32Array[];
  available: boolean;
}

export class CallAnalyser {
  private readonly metrics: CallMetrics;
  private readonly sides: Record<CallChannel, Side>;
  private frames = 0;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    sampleRate: number,
    vad: Record<CallChannel, VadChannel>,
    private readonly onEvent: (e: CallAnalyserEvent) => void,
    opts: Partial<CallMetricsOptions> = {},
  ) {
    this.metrics = new CallMetrics(opts);
    const side = (ch: CallChannel): Side => ({
      resampler: new Resampler(sampleRate, 16_000),
      framer: new Framer(),
      analyser: new ChannelAnalyser(),
      vad: vad[ch],
      pending: [],
      available: true,
    });
    this.sides = { agent: side('agent'), customer: side('customer') };
  }

  /**
   * One chunk of both channels at the source rate (equal lengths). Frames are analysed in
   * order; the returned promise settles when this chunk is done.
   */
  push(chunk: Record<CallChannel, Float32Array>): Promise<void> {
    for (const ch of ['agent', 'customer'] as const) {
      const s = this.sides[ch];
      s.framer.push(s.resampler.push(chunk[ch]), (f) => s.pending.push(f));
    }
    this.busy = this.busy.then(() => this.drain());
    return this.busy;
  }

  /** A channel lost its source (unplugged, permission revoked) or got it back. */
  setAvailable(channel: CallChannel, available: boolean): void {
    this.sides[channel].available = available;
    this.emit(this.metrics.setAvailable(channel, available, this.frames * FRAME_MS));
  }

  setHold(onHold: boolean): void {
    this.emit(this.metrics.setHold(onHold, this.frames * FRAME_MS));
  }

  /** Ends the call: open segments and runs are settled and reported. */
  async finish(): Promise<void> {
    await this.busy;
    for (const ch of ['agent', 'customer'] as const) {
      const { spans, closed } = this.sides[ch].analyser.flush();
      for (const segment of closed) this.onEvent({ type: 'segment', channel: ch, segment });
      this.emit(this.metrics.push(ch, spans));
    }
    this.emit(this.metrics.finish());
  }

  reading(): CallReading {
    const channel = (ch: CallChannel) => ({
      ...this.sides[ch].analyser.reading(),
      available: this.sides[ch].available,
    });
    return {
      ...this.metrics.snapshot(),
      channels: { agent: channel('agent'), customer: channel('customer') },
      processedMs: this.frames * FRAME_MS,
    };
  }

  segments(channel: CallChannel): readonly SpeechSegment[] {
    return this.sides[channel].analyser.segments;
  }

  private async drain(): Promise<void> {
    const a = this.sides.agent;
    const c = this.sides.customer;
    while (a.pending.length > 0 && c.pending.length > 0) {
      const fa = a.pending.shift()!;
      const fc = c.pending.shift()!;
      // An unavailable channel is silence; skip the model for it.
      const [pa, pc] = await Promise.all([
        a.available ? a.vad.prob(fa) : 0,
        c.available ? c.vad.prob(fc) : 0,
      ]);
      this.frames++;
      this.step('agent', fa, pa);
      this.step('customer', fc, pc);
    }
  }

  private step(ch: CallChannel, frame: Float32Array, prob: number): void {
    const { spans, closed } = this.sides[ch].analyser.frame(frame, prob);
    for (const segment of closed) this.onEvent({ type: 'segment', channel: ch, segment });
    this.emit(this.metrics.push(ch, spans));
  }

  private emit(events: CallEvent[]): void {
    for (const e of events) this.onEvent(e);
  }
}
