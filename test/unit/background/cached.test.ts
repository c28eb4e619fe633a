import { describe, expect, it } from 'vitest';
import { Cached } from '../../../lib/background/cached';

describe('Cached', () => {
  it('reads once until invalidated, then reads again', async () => {
    let reads = 0;
    const c = new Cached(async () => ++reads);
    expect(await c.get()).toBe(1);
    expect(await c.get()).toBe(1);
    expect(reads).toBe(1);
    c.invalidate();
    expect(await c.get()).toBe(2);
    expect(await c.get()).toBe(2);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const c = new Cached(async () => {
      if (fail) throw new Error('storage unavailable');
      return 'ok';
    });
    await expect(c.get()).rejects.toThrow('storage unavailable');
    fail = false;
    expect(await c.get()).toBe('ok');
  });

  it('a read in flight when invalidated is not served afterwards', async () => {
    let value = 'old';
    const pending: (() => void)[] = [];
    const c = new Cached(
      () =>
        new Promise<string>((resolve) => {
          const v = value;
          pending.push(() => resolve(v));
        }),
    );
    const first = c.get();
    c.invalidate();
    value = 'new';
    const second = c.get();
    for (const release of pending) release();
    expect(await first).toBe('old');
    expect(await second).toBe('new');
    expect(await c.get()).toBe('new');
    expect(pending).toHaveLength(2);
  });
});
