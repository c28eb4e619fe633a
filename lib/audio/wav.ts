/** PCM WAV reading and writing (16-bit or float, any rate, mono or interleaved channels). */

export interface Pcm {
  sampleRate: number;
  /** One array per channel, floats in [-1, 1]. */
  channels: Float32Array[];
}

export function parseWav(bytes: Uint8Array): Pcm {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let o = 12;
  while (o + 8 <= bytes.length) {
    const id = tag(o);
    // espeak-ng writes 0x7fffffff as the data size when it streams to a pipe.
    let size = v.getUint32(o + 4, true);
    const body = o + 8;
    if (id === 'fmt ') {
      fmt = {
        format: v.getUint16(body, true),
        channels: v.getUint16(body + 2, true),
        rate: v.getUint32(body + 4, true),
        bits: v.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      size = Math.min(size, bytes.length - body);
      const { channels: nc, bits, format } = fmt;
      const width = bits / 8;
      const frames = Math.floor(size / (width * nc));
      const channels = Array.from({ length: nc }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++)
        for (let c = 0; c < nc; c++) {
          const at = body + (i * nc + c) * width;
          channels[c]![i] =
            format === 3 && bits === 32
              ? v.getFloat32(at, true)
              : bits === 16
                ? v.getInt16(at, true) / 32768
                : bits === 8
                  ? (bytes[at]! - 128) / 128
                  : v.getInt32(at, true) / 2147483648;
        }
      return { sampleRate: fmt.rate, channels };
    }
    o = body + size + (size & 1);
  }
  throw new Error('no data chunk');
}

/** 16-bit PCM WAV. */
export function encodeWav(pcm: Pcm): Uint8Array {
  const nc = pcm.channels.length;
  const frames = pcm.channels[0]?.length ?? 0;
  const data = frames * nc * 2;
  const out = new Uint8Array(44 + data);
  const v = new DataView(out.buffer);
  const put = (o: number, s: string) => {
    for (let i = 0; i < 4; i++) out[o + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  v.setUint32(4, 36 + data, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, nc, true);
  v.setUint32(24, pcm.sampleRate, true);
  v.setUint32(28, pcm.sampleRate * nc * 2, true);
  v.setUint16(32, nc * 2, true);
  v.setUint16(34, 16, true);
  put(36, 'data');
  v.setUint32(40, data, true);
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < nc; c++) {
      const x = Math.max(-1, Math.min(1, pcm.channels[c]![i]!));
      v.setInt16(44 + (i * nc + c) * 2, Math.round(x * 32767), true);
    }
  return out;
}
