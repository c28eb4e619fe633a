import { normalise } from '../../lib/featurise';
import type { Example } from '../data/check';

export type Split = 'train' | 'dev' | 'test';

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Fixed split by a stable hash of the normalised text: an example never moves between splits as
 * the data grows, and a Traditional line and its Simplified twin (same text after t2cn) always
 * land together, so the test split cannot be memorised through the other script. 80/10/10.
 */
export function splitOf(text: string): Split {
  const bucket = fnv1a('sotto-split-v1|' + normalise(text)) % 10;
  return bucket === 0 ? 'test' : bucket === 1 ? 'dev' : 'train';
}

export function splitExamples(examples: Example[]): Record<Split, Example[]> {
  const out: Record<Split, Example[]> = { train: [], dev: [], test: [] };
  for (const e of examples) out[splitOf(e.text)].push(e);
  return out;
}
