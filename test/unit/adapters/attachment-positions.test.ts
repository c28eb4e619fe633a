// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { Utterance } from '../../../lib/utterance';
import { attachTo, detachAfterEach, testSpec, tick as flush } from './attach-harness';

// A console without message ids (as the react-chat-elements ticket chat): messages are known by position.
const spec = testSpec('no-key-desk', {
  log: { root: '#log', item: '.row' },
  speaker: {
    rules: [
      { speaker: 'agent', selector: '.box.right' },
      { speaker: 'customer', selector: '.box' },
    ],
  },
  text: { selector: '.text', ignore: ['time'] },
  conversation: { from: 'text', selector: '#title', pattern: '#(\\d+)' },
});

function row(text: string, agent = false): HTMLElement {
  const el = document.createElement('div');
  el.className = 'row';
  el.innerHTML = `<div class="box${agent ? ' right' : ''}"><span class="text"></span><time>10:00</time></div>`;
  el.querySelector('.text')!.textContent = text;
  return el;
}

function page(texts: string[]) {
  document.body.innerHTML = '<h1 id="title">Ticket #42</h1><div id="log"></div>';
  const log = document.getElementById('log')!;
  for (const [i, t] of texts.entries()) log.append(row(t, i % 2 === 1));
  return log;
}

detachAfterEach();
const attach = () => attachTo(spec);

const view = (us: Utterance[]) => us.map((u) => [u.seq, u.speaker, u.text]);

describe('console attachment without message keys', () => {
  it('reads appended messages at their positions, edits in place, and re-reads the log when positions shift', async () => {
    const log = page(['a', 'b', 'c']);
    const { sent } = attach();
    await flush();
    expect(view(sent)).toEqual([
      [0, 'customer', 'a'],
      [1, 'agent', 'b'],
      [2, 'customer', 'c'],
    ]);

    sent.length = 0;
    log.append(row('d', true), row('e'));
    await flush();
    expect(view(sent)).toEqual([
      [3, 'agent', 'd'],
      [4, 'customer', 'e'],
    ]);

    sent.length = 0;
    log.children[1]!.querySelector('.text')!.textContent = 'b2';
    await flush();
    expect(view(sent)).toEqual([[1, 'agent', 'b2']]);

    // The first message leaves the DOM: every position after it now shows the next message.
    sent.length = 0;
    log.firstElementChild!.remove();
    await flush();
    expect(view(sent)).toEqual([
      [0, 'agent', 'b2'],
      [1, 'customer', 'c'],
      [2, 'agent', 'd'],
      [3, 'customer', 'e'],
    ]);

    // An insertion above the end shifts positions too (position 4 showed 'e' before the removal,
    // and shows it again now: no change there).
    sent.length = 0;
    log.insertBefore(row('x'), log.children[1]!);
    await flush();
    expect(view(sent)).toEqual([
      [1, 'customer', 'x'],
      [2, 'customer', 'c'],
      [3, 'agent', 'd'],
    ]);
  });

  it('reads only the appended message of a long log, and reports that callback as one utterance', async () => {
    const log = page(Array.from({ length: 500 }, (_, i) => `message ${i}`));
    const { sent, costs } = attach();
    await flush();
    expect(sent).toHaveLength(500);

    // Each message read looks into it with querySelector (text, speaker rules): count them.
    const proto = Object.getPrototypeOf(Object.getPrototypeOf(log)) as Element;
    const qs = vi.spyOn(proto, 'querySelector');
    costs.length = 0;
    log.append(row('where is my refund?'));
    await flush();
    expect(view(sent.slice(500))).toEqual([[500, 'customer', 'where is my refund?']]);
    expect(qs.mock.calls.length).toBeGreaterThan(0);
    expect(qs.mock.calls.length).toBeLessThan(20);
    expect(costs).toHaveLength(1);
    expect(costs[0]!.utterances).toBe(1);
    expect(costs[0]!.ms).toBeGreaterThanOrEqual(0);
  });
});
