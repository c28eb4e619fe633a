import { describe, expect, it } from 'vitest';
import type { DraftHit } from '../../../lib/adapters/presend';
import { draftRelay } from '../../../lib/adapters/presend-relay';
import { reachable } from '../../../lib/background/reachable';

const HIT: DraftHit = {
  ruleId: 'no-promise',
  severity: 'critical',
  names: { zh_CN: '承诺', zh_TW: '承諾', en: 'Promise' },
  evidence: [{ start: 0, end: 2, text: '保本' }],
};

/** A background with counters: settings reads, offscreen look-ups and questions to the document. */
function background(opts: { off?: boolean; alive?: boolean } = {}) {
  const calls = { settings: 0, ensure: 0, ask: 0 };
  const state = { off: opts.off ?? false, alive: opts.alive ?? true };
  let t = 0;
  const relay = draftRelay({
    presendOff: async () => {
      calls.settings++;
      return state.off;
    },
    offscreen: reachable(async () => {
      calls.ensure++;
      state.alive = true;
    }),
    ask: async (text) => {
      calls.ask++;
      if (!state.alive) throw new Error('Could not establish connection. Receiving end does not exist.');
      return { ok: true, hits: text.includes('保本') ? [HIT] : [] };
    },
    retry: {
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    },
  });
  return { relay, calls, state };
}

describe('draftRelay (the background relaying a draft check)', () => {
  it('reads the switch and looks the document up once, then asks the document straight away', async () => {
    const b = background();
    expect(await b.relay.check('您好', 'c1')).toEqual([]);
    expect(await b.relay.check('保本保息', 'c1')).toEqual([HIT]);
    expect(await b.relay.check('保本', 'c1')).toEqual([HIT]);
    expect(b.calls).toEqual({ settings: 1, ensure: 1, ask: 3 });
  });

  it('reads the switch again after the settings change (a cached "on" would keep checking)', async () => {
    const b = background();
    expect(await b.relay.check('保本', 'c1')).toEqual([HIT]);
    b.state.off = true;
    b.relay.settingsChanged();
    expect(await b.relay.check('保本', 'c1')).toEqual([]);
    expect(b.calls.settings).toBe(2);
    b.state.off = false;
    b.relay.settingsChanged();
    expect(await b.relay.check('保本', 'c1')).toEqual([HIT]);
  });

  it('tells the switch from the same read the checks use (the presend port asks it)', async () => {
    const b = background({ off: true });
    expect(await b.relay.presendOn()).toBe(false);
    expect(await b.relay.check('保本', 'c1')).toEqual([]);
    expect(b.calls.settings).toBe(1);
    b.state.off = false;
    expect(await b.relay.presendOn()).toBe(false);
    b.relay.settingsChanged();
    expect(await b.relay.presendOn()).toBe(true);
    expect(await b.relay.check('保本', 'c1')).toEqual([HIT]);
    expect(b.calls.settings).toBe(2);
  });

  it('looks the document up (and creates it) again when it stops answering', async () => {
    const b = background();
    await b.relay.check('您好', 'c1');
    b.state.alive = false; // the offscreen document was closed
    expect(await b.relay.check('保本', 'c1')).toEqual([HIT]);
    expect(b.calls.ensure).toBe(2);
    expect(b.calls.ask).toBe(3); // one failed question, then the answer after the look-up
  });

  it('turned off: no question to the document at all', async () => {
    const b = background({ off: true });
    expect(await b.relay.check('保本', 'c1')).toEqual([]);
    expect(b.calls.ask).toBe(0);
  });

  it('fails open past the deadline and says so', async () => {
    let timedOut = 0;
    let t = 0;
    const relay = draftRelay({
      presendOff: async () => false,
      offscreen: reachable(async () => {}),
      ask: async () => ({ ok: false }),
      onTimeout: () => timedOut++,
      retry: {
        deadlineMs: 1000,
        now: () => t,
        sleep: async (ms) => {
          t += ms;
        },
      },
    });
    expect(await relay.check('保本', 'c1')).toEqual([]);
    expect(timedOut).toBe(1);
  });
});
