// @vitest-environment happy-dom
/**
 * Delivery: one batch in flight at a time; what is read meanwhile goes out in one batch when the
 * background acknowledges, and the time of that later send is counted with the next message.
 */
import { afterEach, describe, expect, it } from 'vitest';
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

describe('delivery to the background', () => {
  it('holds what is read while a batch is in flight and sends it as one batch on the answer', async () => {
    document.body.innerHTML = '<ol id="log" data-conv="c1"></ol>';
    controller = new AbortController();
    const batches: string[][] = [];
    const answers: (() => void)[] = [];
    const costs: [number, number][] = [];
    const a = new ConsoleAttachment({
      win: window as unknown as Window & typeof globalThis,
      spec,
      signal: controller.signal,
      send: (us: Utterance[]) => {
        batches.push(us.map((u) => u.text));
        return new Promise<void>((r) => answers.push(r));
      },
      report: () => {},
      cost: (ms, n) => costs.push([ms, n]),
    });
    a.start();
    say('1', 'one');
    await tick();
    say('2', 'two');
    await tick();
    say('3', 'three');
    await tick();
    expect(batches).toEqual([['one']]);
    expect(a.queued).toBe(3);
    answers.shift()!();
    await tick();
    expect(batches).toEqual([['one'], ['two', 'three']]);
    answers.shift()!();
    await tick();
    expect(a.queued).toBe(0);
    // Every message was counted by the callback that read it (the later send adds to the next).
    expect(costs.reduce((n, c) => n + c[1], 0)).toBe(3);
    say('4', 'four');
    await tick();
    expect(batches.at(-1)).toEqual(['four']);
  });
});
