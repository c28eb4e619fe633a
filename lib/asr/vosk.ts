/**
 * Client for the Vosk server's WebSocket protocol (alphacep/vosk-server, websocket/asr_server.py;
 * https://alphacephei.com/vosk/server), the open, self-hosted streaming recogniser:
 * - the client sends a text frame `{"config": {"sample_rate": 16000}}`, then binary frames of
 *   16-bit little-endian mono PCM, and finally the text frame `{"eof" : 1}`;
 * - the server answers every audio frame with JSON: `{"partial": "…"}` while a phrase is open,
 *   `{"result": [{"word","start","end","conf"}…], "text": "…"}` when it closes one; after `eof`
 *   it sends the last result and closes the connection.
 */
import { type AsrHandlers, type AsrResult, type StreamingAsr, type WebSocketFactory, toPcm16 } from './types';

const OPEN = 1;
/** Audio is batched to about 100 ms per frame, as the server's own samples send it. */
const FRAME_SAMPLES = 1600;

interface VoskWord {
  word?: string;
  start?: number;
  end?: number;
  conf?: number;
}

export interface VoskOptions {
  url: string;
  sampleRate?: number;
  connect: WebSocketFactory;
  /** How long `open()` and `end()` wait for the server, ms. */
  timeoutMs?: number;
}

export class VoskClient implements StreamingAsr {
  private ws: ReturnType<WebSocketFactory> | undefined;
  private pending: Float32Array[] = [];
  private pendingLength = 0;
  private ended = false;
  private closed: Promise<void> | undefined;
  /** Seconds of audio sent, for results the server sends without word times. */
  private sentS = 0;
  private lastEnd = 0;

  constructor(
    private readonly opts: VoskOptions,
    private readonly on: AsrHandlers,
  ) {}

  open(): Promise<void> {
    const ws = this.opts.connect(this.opts.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.closed = new Promise((done) => {
      ws.onclose = (e) => {
        if (!this.ended) this.on.onError?.(`the speech server closed the connection (${e.code ?? '?'})`);
        this.ended = true;
        done();
      };
    });
    ws.onmessage = (e) => this.onMessage(e.data);
    return new Promise((ok, fail) => {
      const t = setTimeout(
        () => fail(new Error('the speech server did not answer')),
        this.opts.timeoutMs ?? 5000,
      );
      ws.onopen = () => {
        clearTimeout(t);
        ws.send(JSON.stringify({ config: { sample_rate: this.opts.sampleRate ?? 16_000 } }));
        ok();
      };
      ws.onerror = () => {
        clearTimeout(t);
        const reason = `cannot reach the speech server at ${this.opts.url}`;
        this.on.onError?.(reason);
        fail(new Error(reason));
      };
    });
  }

  push(pcm16k: Float32Array): void {
    if (this.ended || !this.ws) return;
    this.pending.push(pcm16k);
    this.pendingLength += pcm16k.length;
    if (this.pendingLength >= FRAME_SAMPLES) this.flush();
  }

  async end(): Promise<void> {
    if (!this.ws || this.ended) return;
    this.flush();
    this.ended = true;
    if (this.ws.readyState === OPEN) this.ws.send('{"eof" : 1}');
    await Promise.race([this.closed, new Promise((ok) => setTimeout(ok, this.opts.timeoutMs ?? 5000))]);
    this.close();
  }

  close(): void {
    this.ended = true;
    this.ws?.close();
  }

  private flush(): void {
    if (this.pendingLength === 0 || this.ws?.readyState !== OPEN) return;
    const all = new Float32Array(this.pendingLength);
    let at = 0;
    for (const p of this.pending) {
      all.set(p, at);
      at += p.length;
    }
    this.pending = [];
    this.pendingLength = 0;
    this.sentS += all.length / (this.opts.sampleRate ?? 16_000);
    this.ws.send(toPcm16(all));
  }

  private onMessage(data: unknown): void {
    let m: { partial?: unknown; text?: unknown; result?: unknown };
    try {
      m = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer));
    } catch {
      return;
    }
    if (typeof m.partial === 'string') {
      this.on.onPartial?.(m.partial);
      return;
    }
    if (typeof m.text !== 'string') return;
    const text = m.text.trim();
    if (!text) return;
    const words = Array.isArray(m.result) ? (m.result as VoskWord[]) : [];
    const timed = words.filter((w) => typeof w.start === 'number' && typeof w.end === 'number');
    const r: AsrResult = {
      text,
      start: timed.length > 0 ? timed[0]!.start! : this.lastEnd,
      end: timed.length > 0 ? timed[timed.length - 1]!.end! : this.sentS,
    };
    const confs = words.map((w) => w.conf).filter((c): c is number => typeof c === 'number');
    if (confs.length > 0) r.confidence = confs.reduce((a, b) => a + b, 0) / confs.length;
    this.lastEnd = r.end;
    this.on.onFinal(r);
  }
}
