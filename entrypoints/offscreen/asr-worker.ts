/**
 * Speech recognition feed, in its own worker: the call's two channels arrive at the source rate
 * on a MessagePort (a copy of what the audio worker gets), are resampled to 16 kHz and streamed,
 * one connection per side, to the organisation's speech server (lib/asr). Only started when a
 * server is configured; final results go back to the call session, which makes voice turns.
 */
import * as Comlink from 'comlink';
import { ASR_PROTOCOLS } from '@/lib/asr/config';
import type { AsrResult, StreamingAsr, WebSocketLike } from '@/lib/asr/types';
import type { CallChannel } from '@/lib/audio/call-metrics';
import { Resampler } from '@/lib/audio/resample';

export type AsrWorkerEvent =
  | { type: 'final'; channel: CallChannel; result: AsrResult }
  | { type: 'open'; channel: CallChannel }
  | { type: 'error'; channel: CallChannel; detail: string };

export interface AsrStart {
  endpoint: string;
  protocol: keyof typeof ASR_PROTOCOLS;
  sampleRate: number;
  /** Receives `{agent, customer}` Float32Array chunks at `sampleRate`. */
  port: MessagePort;
}

interface Stream {
  asr: StreamingAsr;
  resampler: Resampler;
  open: boolean;
  ended: boolean;
}

const streams = new Map<CallChannel, Stream>();
let input: MessagePort | undefined;
let call: { opts: AsrStart; onEvent: (e: AsrWorkerEvent) => void } | undefined;

const api = {
  /** Takes the call's audio; no side is streamed until `openChannel` says it has a source. */
  async start(opts: AsrStart, onEvent: (e: AsrWorkerEvent) => void): Promise<void> {
    await api.stop();
    call = { opts, onEvent };
    input = opts.port;
    input.onmessage = (e: MessageEvent<Record<CallChannel, Float32Array>>) => {
      for (const [channel, s] of streams) {
        if (s.ended) continue;
        const pcm = s.resampler.push(e.data[channel]);
        // Audio before the connection opened is dropped, not queued: a late server must not
        // receive a burst that its timings would misplace.
        if (s.open && pcm.length > 0) s.asr.push(pcm);
      }
    };
  },

  /**
   * A side has a source (at the start, or later: the console's call was answered, a headset was
   * plugged back in): one connection for it, its results that side's turns.
   */
  openChannel(channel: CallChannel): void {
    if (!call) return;
    const running = streams.get(channel);
    if (running && !running.ended) return;
    const { opts, onEvent } = call;
    const connect = (url: string) => new WebSocket(url) as unknown as WebSocketLike;
    const stream: Stream = {
      asr: ASR_PROTOCOLS[opts.protocol](opts.endpoint, connect, {
        onFinal: (result) => onEvent({ type: 'final', channel, result }),
        onError: (detail) => {
          stream.ended = true;
          onEvent({ type: 'error', channel, detail });
        },
      }),
      resampler: new Resampler(opts.sampleRate, 16_000),
      open: false,
      ended: false,
    };
    streams.set(channel, stream);
    stream.asr.open().then(
      () => {
        stream.open = true;
        onEvent({ type: 'open', channel });
      },
      () => {
        // onError has said why; nothing more is sent on this side.
        stream.ended = true;
      },
    );
  },

  /** A side lost its source: its stream ends (the server sends its last result). */
  async endChannel(channel: CallChannel): Promise<void> {
    const s = streams.get(channel);
    if (!s || s.ended) return;
    s.ended = true;
    await s.asr.end();
  },

  /** Ends every stream, waiting for the servers' last results. */
  async stop(): Promise<void> {
    call = undefined;
    if (input) {
      input.onmessage = null;
      input.close();
      input = undefined;
    }
    const all = [...streams.values()];
    streams.clear();
    await Promise.all(
      all.map((s) => {
        if (s.ended) return s.asr.close();
        s.ended = true;
        return s.asr.end();
      }),
    );
  },
};

export type AsrWorkerApi = typeof api;
Comlink.expose(api);
