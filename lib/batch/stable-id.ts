/**
 * Finding ids for batch runs: valid ULIDs whose time part is the finding's time and whose random
 * part is a hash of (conversation, n-th finding). The engine is deterministic, so running the
 * same export twice (or resuming) makes the same ids and the endpoint's idempotent ingest stores
 * each finding once.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32) so near-identical inputs differ in every bit.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export function stableUlid(ts: number, key: string): string {
  let t = Math.max(0, Math.min(2 ** 48 - 1, Math.floor(ts)));
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  // 16 characters × 5 bits = 80 bits, from three 32-bit hashes (96 bits, the rest dropped).
  const words = [fnv1a(key, 1), fnv1a(key, 2), fnv1a(key, 3)];
  let bits = 0;
  let acc = 0;
  for (const w of words) {
    for (let b = 31; b >= 0 && rand.length < 16; b--) {
      acc = (acc << 1) | ((w >>> b) & 1);
      if (++bits === 5) {
        rand += CROCKFORD[acc]!;
        acc = 0;
        bits = 0;
      }
    }
  }
  return time + rand;
}

/** A `newId(ts)` for one conversation: the n-th call gets the n-th stable id. */
export function stableIdFactory(conversationKey: string): (ts: number) => string {
  let n = 0;
  return (ts) => stableUlid(ts, `${conversationKey}\u0000${n++}`);
}
