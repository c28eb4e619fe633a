// @vitest-environment happy-dom
/**
 * Delivery: each callback's messages are posted at once, up to 16 batches unacknowledged; what is
 * read beyond that goes out in one batch on the next acknowledgement; a batch dropped goes back
 * with those after it, in order. Later sends are counted with the next message.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsoleAttachment } from '../../../lib/adapters/attachment';
import { AdapterSpec, type AdapterSpecInput } from '../../../lib/adapters/spec';
import type { Utterance } from '../../../lib/utterance';

const spec = AdapterSpec.parse({
  id: 'delivery-test',
  name: 'Delivery test',
  version: 1,
  matches: ['http://127.0.0.1/*'],
  log: { root: '#log', item: 'li' },
  speaker: { rules: [{ speaker: 'customer', selector: 'li' }] },
  messageKey: { attribute: 'data-id' },
  conversation: { from: 'attribute', selector: '#log', attribute: 'data-conv' },
} satisfies AdapterSpecInput);

const tick = () => new Promise((r) => setTimeout(r, 0));
let controller: AbortController;
afterEach(() => controller?.abort());

function say(id: string, text: string) {
  const li = document.createElement('li');
  li.dataset.id = id;
  li.textContent = text;
  document.getElementById('log')!.append(li);
}

/** An attachment whose sends the test answers one by one (`answers`, oldest first). */
function attachAnswered() {
  document.body.innerHTML = '<ol id="log" data-conv="c1"></ol>';
  controller = new AbortController();
  const batches: string[][] = [];
  const answers: { ok(): void; fail(): void }[] = [];
  const costs: [number, number][] = [];
  const a = new ConsoleAttachment({
    win: window as unknown as Window & typeof globalThis,
    spec,
    signal: controller.signal,
    send: (us: Utterance[]) => {
      batches.push(us.map((u) => u.text));
      return new Promise<void>((ok, no) => answers.push({ ok, fail: () => no(new Error('gone')) }));
    },
    report: () => {},
    cost: (ms, n) => costs.push([ms, n]),
  });
  a.start();
  return { a, batches, answers, costs };
}

function edit(id: string, text: string) {
  document.querySelector(`#log li[data-id="${id}"]`)!.textContent = text;
}

describe('delivery to the background', () => {
  it('posts each message at once without waiting for the previous acknowledgement', async () => {
    const { a, batches, answers, costs } = attachAnswered();
    say('1', 'one');
    await tick();
    say('2', 'two');
    await tick();
    say('3', 'three');
    await tick();
    expect(batches).toEqual([['one'], ['two'], ['three']]);
    expect(a.queued).toBe(3);
    // One acknowledgement answering all three (AckBatcher) settles them together.
    for (const x of answers.splice(0)) x.ok();
    await tick();
    expect(a.queued).toBe(0);
    // Every message was counted by the callback that read it (later work adds to the next).
    expect(costs.reduce((n, c) => n + c[1], 0)).toBe(3);
    say('4', 'four');
    await tick();
    expect(batches.at(-1)).toEqual(['four']);
  });

  it('holds what is read once 16 batches wait, and sends it as one batch on the next answer', async () => {
    const { a, batches, answers } = attachAnswered();
    for (let i = 1; i <= 16; i++) {
      say(String(i), `m${i}`);
      await tick();
    }
    expect(batches).toHaveLength(16);
    say('17', 'm17');
    await tick();
    say('18', 'm18');
    await tick();
    expect(batches).toHaveLength(16);
    expect(a.queued).toBe(18);
    answers.shift()!.ok();
    await tick();
    expect(batches.at(-1)).toEqual(['m17', 'm18']);
    expect(a.queued).toBe(17);
  });

  it('sends a dropped batch again with every batch posted after it, in order, and nothing twice', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { a, batches, answers } = attachAnswered();
      const run = async () => {
        await vi.advanceTimersByTimeAsync(0);
      };
      say('1', 'one');
      await run();
      say('2', 'two');
      await run();
      edit('2', 'two (edited)');
      await run();
      expect(batches).toEqual([['one'], ['two'], ['two (edited)']]);
      // The port went away: the first batch was taken, the others are refused as the port drops.
      answers[0]!.ok();
      answers[1]!.fail();
      answers[2]!.fail();
      await run();
      expect(a.queued).toBe(2);
      say('3', 'three');
      await run();
      expect(batches).toHaveLength(3); // waits for the retry
      await vi.advanceTimersByTimeAsync(50);
      // Again, in page order: the edit is not overtaken by the older text.
      expect(batches.at(-1)).toEqual(['two', 'two (edited)', 'three']);
      answers[3]!.ok();
      await run();
      expect(a.queued).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a late acknowledgement of a batch already given back does not count it as delivered', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { a, batches, answers } = attachAnswered();
      say('1', 'one');
      await vi.advanceTimersByTimeAsync(0);
      say('2', 'two');
      await vi.advanceTimersByTimeAsync(0);
      // The first is refused; the second was taken anyway: both go again, once.
      answers[0]!.fail();
      answers[1]!.ok();
      await vi.advanceTimersByTimeAsync(0);
      expect(a.queued).toBe(2);
      await vi.advanceTimersByTimeAsync(50);
      expect(batches).toEqual([['one'], ['two'], ['one', 'two']]);
      answers[2]!.ok();
      await vi.advanceTimersByTimeAsync(0);
      expect(a.queued).toBe(0);
      expect(batches).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds what is read while the background has not answered for 300 ms, and sends it as one batch', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { a, batches, answers } = attachAnswered();
      say('1', 'one');
      await vi.advanceTimersByTimeAsync(0);
      say('2', 'two');
      await vi.advanceTimersByTimeAsync(100);
      expect(batches).toEqual([['one'], ['two']]); // keeping up: posted at once
      await vi.advanceTimersByTimeAsync(250);
      say('3', 'three');
      await vi.advanceTimersByTimeAsync(0);
      say('4', 'four');
      await vi.advanceTimersByTimeAsync(0);
      expect(batches).toHaveLength(2);
      expect(a.queued).toBe(4);
      answers[0]!.ok();
      await vi.advanceTimersByTimeAsync(0);
      expect(batches.at(-1)).toEqual(['three', 'four']);
      // Answered again: the next message goes at once.
      say('5', 'five');
      await vi.advanceTimersByTimeAsync(0);
      expect(batches.at(-1)).toEqual(['five']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends many messages read at once beside a batch in flight only on its answer, as one batch', async () => {
    const { batches, answers } = attachAnswered();
    say('1', 'one');
    await tick();
    for (let i = 2; i <= 6; i++) say(String(i), `m${i}`);
    await tick();
    expect(batches).toEqual([['one']]);
    answers.shift()!.ok();
    await tick();
    expect(batches.at(-1)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6']);
  });
});
