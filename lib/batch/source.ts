/**
 * TextSource over any byte stream (a file in the CLI, a Uint8Array in tests): decodes with the
 * sniffed encoding and yields lines with their 1-based numbers. Lines end at LF; a CR before it
 * (Windows exports) is dropped; a lone CR inside a line is kept as data.
 */
import { type Encoding, sniffEncoding } from './decode';
import type { TextSource } from './types';

export const HEAD_BYTES = 64 * 1024;

export interface ByteInput {
  /** The first bytes (up to HEAD_BYTES), for sniffing. */
  head: Uint8Array;
  /** A fresh stream of every byte of the input. */
  chunks(): AsyncIterable<Uint8Array>;
}

export function textSource(input: ByteInput): TextSource & { encoding: Encoding } {
  const { encoding, bom } = sniffEncoding(input.head);
  const headDecoder = new TextDecoder(encoding);
  const head = headDecoder.decode(input.head.subarray(bom), { stream: true });

  async function* decoded(): AsyncIterable<string> {
    const dec = new TextDecoder(encoding);
    let skip = bom;
    for await (const chunk of input.chunks()) {
      let c = chunk;
      if (skip > 0) {
        const drop = Math.min(skip, c.length);
        c = c.subarray(drop);
        skip -= drop;
      }
      const s = decode(dec, c);
      if (s) yield s;
    }
    const tail = decode(dec);
    if (tail) yield tail;
  }

  // Node's GB18030 decoder throws on some invalid sequences even when not fatal: say what happened.
  function decode(dec: TextDecoder, c?: Uint8Array): string {
    try {
      return c ? dec.decode(c, { stream: true }) : dec.decode();
    } catch {
      throw new DecodeError(`bytes that are not valid ${encoding} text`);
    }
  }

  return {
    encoding,
    head,
    async *lines() {
      let carry = '';
      let line = 0;
      const withLine = (e: unknown) =>
        e instanceof DecodeError ? new DecodeError(`line ${line + 1}: ${e.message}`) : e;
      for await (const s of rethrowing(decoded(), withLine)) {
        let text = carry + s;
        let from = 0;
        for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
          const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          yield { line: ++line, text: text.slice(from, end) };
          from = nl + 1;
        }
        text = text.slice(from);
        carry = text;
      }
      if (carry !== '') yield { line: ++line, text: carry.endsWith('\r') ? carry.slice(0, -1) : carry };
    },
    async text(maxBytes: number) {
      const parts: string[] = [];
      let n = 0;
      // Whole-file formats still say where the bad bytes are: the line the decoder had reached.
      let newlines = 0;
      const withLine = (e: unknown) =>
        e instanceof DecodeError ? new DecodeError(`line ${newlines + 1}: ${e.message}`) : e;
      for await (const s of rethrowing(decoded(), withLine)) {
        for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) newlines++;
        n += s.length;
        if (n > maxBytes) throw new Error(`larger than ${Math.round(maxBytes / 1e6)} MB`);
        parts.push(s);
      }
      return parts.join('');
    },
  };
}

/** Text that cannot be decoded in the file's encoding; the runner reports the file and skips it. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

async function* rethrowing<T>(it: AsyncIterable<T>, map: (e: unknown) => unknown): AsyncIterable<T> {
  try {
    yield* it;
  } catch (e) {
    throw map(e);
  }
}

/** A source over bytes already in memory (tests, stdin-sized inputs). */
export function bytesInput(bytes: Uint8Array, chunkSize = 64 * 1024): ByteInput {
  return {
    head: bytes.subarray(0, HEAD_BYTES),
    async *chunks() {
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    },
  };
}
