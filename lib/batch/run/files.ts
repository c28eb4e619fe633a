/** Node file access for the batch runner: expanding folders and reading files as TextSources. */
import { createReadStream, openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ByteInput, HEAD_BYTES } from '../source';

export interface InputFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Files named on the command line, and every non-hidden file under named folders, in a stable order. */
export function expandInputs(paths: readonly string[], exclude: readonly string[] = []): InputFile[] {
  const out: InputFile[] = [];
  const skip = new Set(exclude.map((p) => resolve(p)));
  const walk = (p: string, named: boolean) => {
    if (skip.has(resolve(p))) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!name.startsWith('.')) walk(join(p, name), false);
    } else if (st.isFile() && (named || st.size > 0)) {
      out.push({ path: p, size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
    }
  };
  for (const p of paths) walk(p, true);
  return out;
}

/** A file as a ByteInput; `onBytes` counts what was read, for progress and ETA. */
export function fileInput(path: string, onBytes: (n: number) => void): ByteInput {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(HEAD_BYTES);
  let n: number;
  try {
    n = readSync(fd, head, 0, HEAD_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  return {
    head: new Uint8Array(head.buffer, head.byteOffset, n),
    async *chunks() {
      for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
        const b = chunk as Buffer;
        onBytes(b.length);
        yield new Uint8Array(b.buffer, b.byteOffset, b.length);
      }
    },
  };
}
