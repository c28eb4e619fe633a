/**
 * The Vosk client against a loopback WebSocket server that speaks the Vosk server's protocol and
 * replays scripted results: what the client sends (config, PCM, eof) and what it makes of the
 * answers (partials, finals with times, errors).
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { asrConfig, createAsr } from '../../../lib/asr/config';
import type { AsrResult, WebSocketFactory } from '../../../lib/asr/types';
import { toPcm16 } from '../../../lib/asr/types';
import { ASR_SEQ_BASE, asrSeq, asrUtterance } from '../../../lib/asr/utterances';

const connect: WebSocketFactory = (url) => new WebSocket(url) as unknown as ReturnType<WebSocketFactory>;

interface Replay {
  /** Sent after this many bytes of audio have arrived. */
  afterBytes: number;
  msg: unknown;
}

let server: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  server = undefined;
});

/** A Vosk-protocol server that records what it got and replays `script`, then the final on eof. */
async function voskServer(script: Replay[], final: unknown) {
  const got = { texts: [] as string[], audio: [] as Buffer[], closedByClient: false };
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws) => {
    let bytes = 0;
    const left = [...script];
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const b = data as Buffer;
        got.audio.push(b);
        bytes += b.length;
        while (left.length > 0 && bytes >= left[0]!.afterBytes) ws.send(JSON.stringify(left.shift()!.msg));
        if (left.length === 0 || bytes < left[0]!.afterBytes) ws.send(JSON.stringify({ partial: '' }));
        return;
      }
      const text = data.toString();
      got.texts.push(text);
      if (JSON.parse(text).eof === 1) {
        ws.send(JSON.stringify(final));
        ws.close();
      }
    });
  });
  await new Promise((ok) => server!.once('listening', ok));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

/** 16 kHz tone in 20 ms chunks, like the audio worker's frames. */
function chunks(seconds: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let t = 0; t < seconds * 16_000; t += 320) {
    const c = new Float32Array(320);
    for (let i = 0; i < c.length; i++) c[i] = 0.5 * Math.sin((2 * Math.PI * 220 * (t + i)) / 16_000);
    out.push(c);
  }
  return out;
}

describe('asr configuration', () => {
  it('makes no client and sends nothing unless an endpoint is configured', () => {
    expect(asrConfig(undefined, undefined)).toBeUndefined();
    expect(asrConfig({ endpoint: 'http://not-a-websocket' }, {})).toBeUndefined();
    let dialled = 0;
    const c = createAsr(
      asrConfig({}, {}),
      (u) => {
        dialled++;
        return connect(u);
      },
      { onFinal: () => {} },
    );
    expect(c).toBeUndefined();
    expect(dialled).toBe(0);
  });

  it('takes the policy endpoint over the local one', () => {
    expect(asrConfig({ endpoint: 'ws://local:2700' }, { endpoint: 'wss://asr.corp.example/vosk' })).toEqual({
      endpoint: 'wss://asr.corp.example/vosk',
      protocol: 'vosk',
      byPolicy: true,
    });
    expect(asrConfig({ endpoint: 'ws://local:2700' }, {})).toMatchObject({
      endpoint: 'ws://local:2700',
      byPolicy: false,
    });
  });
});

describe('vosk websocket client', () => {
  it('sends the config, 16-bit PCM and eof, and reports partials and finals with their times', async () => {
    const { url, got } = await voskServer(
      [
        { afterBytes: 6400, msg: { partial: '你好' } },
        {
          afterBytes: 32_000,
          msg: {
            result: [
              { word: '你好', start: 0.12, end: 0.5, conf: 0.9 },
              { word: '请问', start: 0.52, end: 0.98, conf: 0.7 },
            ],
            text: '你好 请问',
          },
        },
        { afterBytes: 38_400, msg: { partial: 'my order' } },
      ],
      { result: [{ word: 'order', start: 1.3, end: 1.9, conf: 1 }], text: 'my order' },
    );
    const partials: string[] = [];
    const finals: AsrResult[] = [];
    const errors: string[] = [];
    const asr = createAsr(asrConfig({ endpoint: url }, undefined), connect, {
      onPartial: (t) => partials.push(t),
      onFinal: (r) => finals.push(r),
      onError: (e) => errors.push(e),
    })!;
    await asr.open();
    const audio = chunks(1.5);
    for (const c of audio) asr.push(c);
    await asr.end();

    expect(JSON.parse(got.texts[0]!)).toEqual({ config: { sample_rate: 16_000 } });
    expect(JSON.parse(got.texts.at(-1)!)).toEqual({ eof: 1 });
    // Every sample arrived, in order, as little-endian 16-bit PCM.
    const sent = Buffer.concat(got.audio);
    expect(sent.length).toBe(audio.length * 320 * 2);
    const all = new Float32Array(audio.length * 320);
    for (const [i, c] of audio.entries()) all.set(c, i * 320);
    expect(Buffer.from(toPcm16(all)).equals(sent)).toBe(true);
    expect(sent.readInt16LE(2 * 40)).toBe(Math.round(all[40]! * 0x7fff));
    expect(partials).toContain('你好');
    expect(partials).toContain('my order');
    expect(finals.map((f) => f.text)).toEqual(['你好 请问', 'my order']);
    expect(finals[0]).toMatchObject({ start: 0.12, end: 0.98 });
    expect(finals[0]!.confidence).toBeCloseTo(0.8, 5);
    expect(errors).toEqual([]);

    const u = asrUtterance(finals[1]!, {
      conversationId: 'call-1',
      speaker: 'customer',
      startedAt: 1_000_000,
    });
    expect(u).toEqual({
      conversationId: 'call-1',
      seq: ASR_SEQ_BASE + 1_001_900 * 2 + 1,
      speaker: 'customer',
      text: 'my order',
      ts: 1_001_900,
      channel: 'voice',
      source: 'asr',
    });
    // The agent's words ending in the same millisecond take the other slot; later words sort later.
    expect(asrSeq(1_001_900, 'agent')).toBe(u.seq - 1);
    expect(asrSeq(1_001_901, 'agent')).toBeGreaterThan(u.seq);
    expect(Number.isSafeInteger(asrSeq(Date.UTC(2099, 0, 1), 'customer'))).toBe(true);
  });

  it('says so when the server cannot be reached or drops the call', async () => {
    const errors: string[] = [];
    const dead = createAsr(asrConfig({ endpoint: 'ws://127.0.0.1:9' }, {}), connect, {
      onFinal: () => {},
      onError: (e) => errors.push(e),
    })!;
    await expect(dead.open()).rejects.toThrow(/cannot reach the speech server/);
    expect(errors[0]).toMatch(/ws:\/\/127\.0\.0\.1:9/);

    // A server that hangs up mid-stream.
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (ws) => ws.on('message', (_d, bin) => bin && ws.close(1011)));
    await new Promise((ok) => server!.once('listening', ok));
    const dropped: string[] = [];
    const asr = createAsr(
      asrConfig({ endpoint: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` }, {}),
      connect,
      { onFinal: () => {}, onError: (e) => dropped.push(e) },
    )!;
    await asr.open();
    for (const c of chunks(0.2)) asr.push(c);
    await new Promise<void>((ok) => {
      const t = setInterval(() => {
        if (dropped.length === 0) return;
        clearInterval(t);
        ok();
      }, 20);
    });
    expect(dropped[0]).toMatch(/closed the connection \(1011\)/);
    // Audio after the drop goes nowhere and throws nothing.
    for (const c of chunks(0.2)) asr.push(c);
  });
});
