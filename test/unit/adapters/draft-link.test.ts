import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { DraftLink, type LinkPort, serveDraftLink } from '../../../lib/adapters/draft-link';
import type { DraftHit } from '../../../lib/adapters/presend';

const HIT: DraftHit = {
  ruleId: 'no-promise',
  severity: 'critical',
  names: { zh_CN: '承诺', zh_TW: '承諾', en: 'Promise' },
  evidence: [{ start: 0, end: 2, text: '保本' }],
};

const open: { close(): void }[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** A real MessageChannel, as the offscreen document makes it (Node's ports behave alike). */
function channel(): [LinkPort, LinkPort] {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  return [port1 as unknown as LinkPort, port2 as unknown as LinkPort];
}

/** Timers fire only when the test says so. */
function clock() {
  let t = 0;
  const timers: { fn: () => void; at: number }[] = [];
  return {
    now: () => t,
    setTimeout: (fn: () => void, ms: number) => {
      const x = { fn, at: t + ms };
      timers.push(x);
      return x;
    },
    clearTimeout: (x: unknown) => {
      const i = timers.indexOf(x as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number) {
      t += ms;
      for (const x of timers.filter((y) => y.at <= t)) {
        timers.splice(timers.indexOf(x), 1);
        x.fn();
      }
    },
  };
}

describe('the draft link (service worker ↔ analysis worker)', () => {
  it("answers a check with the worker's hits and its time, with the conversation passed on", async () => {
    const [sw, worker] = channel();
    const seen: [string, string | undefined][] = [];
    serveDraftLink(worker, (text, conv) => {
      seen.push([text, conv]);
      return { hits: text.includes('保本') ? [HIT] : [], ms: 0.25 };
    });
    const link = new DraftLink({ request: () => {} });
    link.attach(sw);
    expect(await link.ask('保本保息', 'c1')).toEqual({ hits: [HIT], workerMs: 0.25 });
    expect(await link.ask('您好', undefined)).toEqual({ hits: [], workerMs: 0.25 });
    expect(seen).toEqual([
      ['保本保息', 'c1'],
      ['您好', undefined],
    ]);
  });

  it('answers concurrent checks each with its own result', async () => {
    const [sw, worker] = channel();
    serveDraftLink(worker, (text) => ({ hits: text.includes('保本') ? [HIT] : [], ms: 0 }));
    const link = new DraftLink({ request: () => {} });
    link.attach(sw);
    const texts = ['a', '保本', 'b', '保本保息', 'c'];
    const answers = await Promise.all(texts.map((t) => link.ask(t, 'c1')));
    expect(answers.map((a) => a?.hits.length)).toEqual([0, 1, 0, 1, 0]);
  });

  it('without a link: undefined at once (the caller goes the other way) and a link is asked for, at most once a second', async () => {
    const c = clock();
    let requests = 0;
    const link = new DraftLink({ request: () => requests++, ...c });
    expect(await link.ask('您好', 'c1')).toBeUndefined();
    expect(await link.ask('您好呀', 'c1')).toBeUndefined();
    expect(requests).toBe(1);
    c.advance(1000);
    expect(await link.ask('您好', 'c1')).toBeUndefined();
    expect(requests).toBe(2);
    expect(link.linked).toBe(false);
  });

  it('a worker that has not started refuses: undefined, and the link is kept', async () => {
    const [sw, worker] = channel();
    let started = false;
    serveDraftLink(worker, () => (started ? { hits: [HIT], ms: 0 } : undefined));
    const link = new DraftLink({ request: () => {} });
    link.attach(sw);
    expect(await link.ask('保本', 'c1')).toBeUndefined();
    expect(link.linked).toBe(true);
    started = true;
    expect(await link.ask('保本', 'c1')).toEqual({ hits: [HIT], workerMs: 0 });
  });

  it('a check that throws in the worker is refused, not left unanswered', async () => {
    const [sw, worker] = channel();
    serveDraftLink(worker, () => {
      throw new Error('rule state broken');
    });
    const link = new DraftLink({ request: () => {} });
    link.attach(sw);
    expect(await link.ask('保本', 'c1')).toBeUndefined();
    expect(link.linked).toBe(true);
  });

  it('a silent link (the document went away) is dropped at the deadline and a new one asked for', async () => {
    const c = clock();
    const [sw] = channel(); // nobody serves the other end
    let requests = 0;
    const link = new DraftLink({ request: () => requests++, timeoutMs: 1000, ...c });
    link.attach(sw);
    const answer = link.ask('保本', 'c1');
    c.advance(999);
    expect(link.linked).toBe(true);
    c.advance(1);
    expect(await answer).toBeUndefined();
    expect(link.linked).toBe(false);
    expect(requests).toBe(1);
  });

  it('a link that cannot be posted on (its port closed) answers undefined at once and is dropped', async () => {
    let requests = 0;
    const link = new DraftLink({ request: () => requests++ });
    link.attach({
      postMessage: () => {
        throw new Error('port closed');
      },
      onmessage: null,
      close: () => {},
    });
    expect(await link.ask('保本', 'c1')).toBeUndefined();
    expect(link.linked).toBe(false);
    expect(requests).toBe(0);
    expect(await link.ask('保本', 'c1')).toBeUndefined();
    expect(requests).toBe(1);
  });

  it('a new link replaces the old one: checks waiting on the old one are answered undefined at once', async () => {
    const [oldSw] = channel(); // silent
    const [sw, worker] = channel();
    serveDraftLink(worker, () => ({ hits: [HIT], ms: 0 }));
    const link = new DraftLink({ request: () => {} });
    link.attach(oldSw);
    const waiting = link.ask('保本', 'c1');
    link.attach(sw);
    expect(await waiting).toBeUndefined();
    expect(await link.ask('保本', 'c1')).toEqual({ hits: [HIT], workerMs: 0 });
  });

  it('the worker ignores anything but a link-check; the service worker ignores answers it did not ask for', async () => {
    const [sw, worker] = channel();
    const seen: string[] = [];
    serveDraftLink(worker, (text) => {
      seen.push(text);
      return { hits: [], ms: 0 };
    });
    const link = new DraftLink({ request: () => {} });
    link.attach(sw);
    sw.postMessage({ type: 'draft-check', id: 0, text: 'not on this port' });
    sw.postMessage({ type: 'link-check', id: 1, text: 7 });
    (worker as LinkPort).postMessage({ type: 'link-checked', id: 99, ok: true, hits: [HIT] });
    expect(await link.ask('您好', 'c1')).toEqual({ hits: [], workerMs: 0 });
    expect(seen).toEqual(['您好']);
  });
});
