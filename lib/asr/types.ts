/**
 * Pluggable streaming speech recognition: one interface, one implementation per server protocol
 * (vosk.ts). Audio goes in as 16 kHz mono floats (what the audio worker already makes); results
 * come out as partial and final texts with their seconds of audio. Sotto ships no ASR model: the
 * server is the organisation's own, and nothing is sent anywhere unless an endpoint is configured.
 */

/** A final piece of transcript: text and where it lies in the stream, seconds from its start. */
export interface AsrResult {
  text: string;
  start: number;
  end: number;
  /** Mean word confidence when the server reports words (0–1). */
  confidence?: number;
}

export interface AsrHandlers {
  /** The running hypothesis of the current phrase (replaced by the next partial or final). */
  onPartial?(text: string): void;
  onFinal(result: AsrResult): void;
  /** The connection failed or dropped; the client is closed after this. */
  onError?(reason: string): void;
}

export interface StreamingAsr {
  /** Opens the connection and sends the stream's configuration. */
  open(): Promise<void>;
  /** One chunk of 16 kHz mono audio, [-1, 1]. Ignored once ended. */
  push(pcm16k: Float32Array): void;
  /** Ends the stream: the server's last result arrives before this settles. */
  end(): Promise<void>;
  /** Drops the connection without waiting for results. */
  close(): void;
}

/** The part of the WHATWG WebSocket the clients use (browsers; `ws` in Node tests). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

/** Float samples to 16-bit little-endian PCM, clipped. */
export function toPcm16(x: Float32Array): Uint8Array {
  const out = new DataView(new ArrayBuffer(x.length * 2));
  for (let i = 0; i < x.length; i++) {
    const v = Math.max(-1, Math.min(1, x[i]!));
    out.setInt16(i * 2, v < 0 ? Math.round(v * 0x8000) : Math.round(v * 0x7fff), true);
  }
  return new Uint8Array(out.buffer);
}
