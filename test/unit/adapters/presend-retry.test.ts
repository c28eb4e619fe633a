import { describe, expect, it } from 'vitest';
import { untilReady } from '../../../lib/adapters/presend-retry';

/** A virtual clock: sleeping advances it, so no test waits on the wall clock. */
function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe('untilReady (pre-send check on a cold browser)', () => {
  it('retries while the offscreen document is not listening yet, then returns its answer', async () => {
    let calls = 0;
    const r = await untilReady(
      async () => {
        calls++;
        if (calls < 4) throw new Error('Could not establish connection. Receiving end does not exist.');
        return ['hit'];
      },
      [] as string[],
      clock(),
    );
    expect(r).toEqual({ value: ['hit'], attempts: 4, ready: true });
  });

  it('treats an answer that is not ready (undefined) like a missing listener', async () => {
    const answers = [undefined, undefined, 7];
    const r = await untilReady(async () => answers.shift(), 0, clock());
    expect(r.value).toBe(7);
    expect(r.attempts).toBe(3);
  });

  it('fails open at the deadline: the fallback, never an exception or a hang', async () => {
    const c = clock();
    const r = await untilReady(
      async () => {
        throw new Error('no worker');
      },
      'no-hits',
      { ...c, deadlineMs: 1000 },
    );
    expect(r.ready).toBe(false);
    expect(r.value).toBe('no-hits');
    expect(c.now()).toBeLessThanOrEqual(1000);
    expect(r.attempts).toBeGreaterThan(3);
  });
});
