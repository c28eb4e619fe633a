// @vitest-environment happy-dom
/**
 * Records the page queues around the log in the same callback as a new message (a conversation
 * list re-sorted, its preview and clock rewritten) are skipped before any item lookup: nothing
 * outside the log is read as a message, and the message inside it still is.
 */
import { describe, expect, it } from 'vitest';
import { attachTo, detachAfterEach, testSpec, tick } from './attach-harness';

const spec = testSpec('outside-test', {
  log: { root: '#log', item: 'li.msg' },
  speaker: { rules: [{ speaker: 'customer', selector: 'li.msg' }] },
  messageKey: { attribute: 'data-id' },
  conversation: { from: 'attribute', selector: '#list [aria-selected="true"]', attribute: 'data-conv' },
});

detachAfterEach();

function msg(id: string, text: string): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'msg';
  li.dataset.id = id;
  li.textContent = text;
  return li;
}

describe('records outside the log', () => {
  it('reads the new message and nothing the page changed around the log in the same callback', async () => {
    document.body.innerHTML =
      '<ul id="list"><li data-conv="c1" aria-selected="true"><time>09:00</time></li></ul><ol id="log"></ol><ul id="preview"></ul>';
    const { sent, costs } = attachTo(spec);
    await tick();
    // One callback: the message in the log, and page chrome that happens to look like one.
    document.getElementById('log')!.append(msg('1', 'where is my parcel'));
    document.getElementById('preview')!.append(msg('p1', 'where is my parcel (preview)'));
    document.querySelector('#list time')!.textContent = '09:01';
    document.querySelector('#list li')!.setAttribute('aria-selected', 'true');
    await tick();
    expect(sent.map((u) => [u.conversationId, u.text])).toEqual([['c1', 'where is my parcel']]);
    expect(costs.at(-1)?.utterances).toBe(1);
  });

  it('still follows another conversation selected outside the log', async () => {
    document.body.innerHTML =
      '<ul id="list"><li data-conv="c1" aria-selected="true"></li><li data-conv="c2" aria-selected="false"></li></ul><ol id="log"></ol>';
    const { sent } = attachTo(spec);
    document.getElementById('log')!.append(msg('1', 'first'));
    await tick();
    const [a, b] = document.querySelectorAll('#list li');
    a!.setAttribute('aria-selected', 'false');
    b!.setAttribute('aria-selected', 'true');
    document.getElementById('log')!.replaceChildren(msg('9', 'other'));
    await tick();
    expect(sent.map((u) => [u.conversationId, u.text])).toEqual([
      ['c1', 'first'],
      ['c2', 'other'],
    ]);
  });
});
