/**
 * The audio worker: a thin comlink shell around lib/audio. Chunks of both call channels arrive
 * on a MessagePort straight from the AudioWorklet; the worker resamples to 16 kHz, runs Silero VAD
 * (onnxruntime-web WASM, the model shipped in the extension) and the call metrics, and reports
 * events through a callback.
 */
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web/wasm';
import { type CallAnalyserEvent, CallAnalyser, type CallReading } from '@/lib/audio/call-analyser';
import type { CallChannel, CallMetricsOptions } from '@/lib/audio/call-metrics';
import { SileroVad } from '@/lib/audio/vad';

export interface AudioWorkerConfig {
  ortWasmUrl: string;
  vadUrl: string;
}

export interface StartOptions {
  sampleRate: number;
  /** Receives `{agent, customer}` Float32Array chunks. */
  port: MessagePort;
  metrics?: Partial<CallMetricsOptions>;
}

let vad: SileroVad | undefined;
let call: { analyser: CallAnalyser; port: MessagePort } | undefined;
/** The last call's final reading, kept after it stops. */
let last: CallReading | undefined;

const api = {
  async init(config: AudioWorkerConfig): Promise<{ coldStartMs: number }> {
    const t0 = performance.now();
    // One thread: two were slower on two cores, and the analysis worker runs beside this one.
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = { wasm: config.ortWasmUrl };
    const bytes = new Uint8Array(await (await fetch(config.vadUrl)).arrayBuffer());
    vad = await SileroVad.load(ort, bytes);
    return { coldStartMs: performance.now() - t0 };
  },

  start(opts: StartOptions, onEvent: (e: CallAnalyserEvent) => void): void {
    if (!vad) throw new Error('audio worker used before init');
    api.stop();
    const analyser = new CallAnalyser(
      opts.sampleRate,
      { agent: vad.channel(), customer: vad.channel() },
      (e) => void onEvent(e),
      opts.metrics,
    );
    opts.port.onmessage = (e: MessageEvent<{ agent: Float32Array; customer: Float32Array }>) => {
      analyser.push(e.data).catch((err: unknown) => console.error('[sotto] audio analysis failed', err));
    };
    call = { analyser, port: opts.port };
  },

  setAvailable(channel: CallChannel, available: boolean): void {
    call?.analyser.setAvailable(channel, available);
  },

  setHold(onHold: boolean): void {
    call?.analyser.setHold(onHold);
  },

  reading(): CallReading | undefined {
    return call?.analyser.reading() ?? last;
  },

  /** Ends the call: open runs are settled (and reported); the final reading stays readable. */
  async stop(): Promise<CallReading | undefined> {
    if (!call) return last;
    const { analyser, port } = call;
    call = undefined;
    port.onmessage = null;
    port.close();
    await analyser.finish();
    last = analyser.reading();
    return last;
  },
};

export type AudioWorkerApi = typeof api;
Comlink.expose(api);
