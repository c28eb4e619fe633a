import { describe, expect, it } from 'vitest';
import { offscreenWhenEnrolled } from '../../../lib/background/offscreen-start';

/** A browser with at most one offscreen document, which refuses a second creation as Chrome does. */
function browser(opts: { fail?: string } = {}) {
  const calls = { ensure: 0, created: 0, errors: [] as string[] };
  let exists = false;
  const start = offscreenWhenEnrolled({
    async ensure() {
      calls.ensure++;
      await Promise.resolve();
      if (opts.fail) throw new Error(opts.fail);
      if (exists) return;
      exists = true;
      calls.created++;
    },
    log: (_, msg) => calls.errors.push(msg),
  });
  return { start, calls, close: () => (exists = false) };
}

describe('offscreenWhenEnrolled', () => {
  it('not enrolled: no offscreen document is started', async () => {
    const b = browser();
    await b.start(false);
    expect(b.calls).toEqual({ ensure: 0, created: 0, errors: [] });
  });

  it('enrolled: started once, however many syncs ask at the same time', async () => {
    const b = browser();
    await Promise.all([b.start(true), b.start(true), b.start(true)]);
    expect(b.calls.ensure).toBe(1);
    expect(b.calls.created).toBe(1);
    await b.start(true); // the next sync: looked up, not created again
    expect(b.calls).toEqual({ ensure: 2, created: 1, errors: [] });
  });

  it('a document that went away is started again at the next sync', async () => {
    const b = browser();
    await b.start(true);
    b.close();
    await b.start(true);
    expect(b.calls.created).toBe(2);
  });

  it('a browser without offscreen documents: logged once, never thrown', async () => {
    const b = browser({ fail: 'this browser has no offscreen documents' });
    await b.start(true);
    await b.start(true);
    expect(b.calls.ensure).toBe(2);
    expect(b.calls.errors).toEqual([
      'offscreen document not started at enrolment: Error: this browser has no offscreen documents',
    ]);
  });
});
