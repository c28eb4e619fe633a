// @vitest-environment happy-dom
/**
 * What one mutation callback costs: the observer asks only for the changes the adapter reads
 * (text and message attributes inside the log; structure and the selection around it), and a
 * message appended to the log is read without looking the log or the conversation up again.
 */
import { describe, expect, it, vi } from 'vitest';
import { attachTo, detachAfterEach, testSpec, tick } from './attach-harness';

const spec = testSpec('observe-test', {
  log: { root: '#log', item: 'li.m' },
  speaker: {
    rules: [
      { speaker: 'agent', attribute: { name: 'data-who', equals: 'a' } },
      { speaker: 'customer', attribute: { name: 'data-who', equals: 'c' } },
    ],
  },
  text: { selector: '.t', ignore: [] },
  messageKey: { attribute: 'data-id' },
  conversation: { from: 'attribute', selector: '#list [aria-selected="true"]', attribute: 'data-conv' },
});

function page() {
  document.body.innerHTML =
    '<ul id="list"><li data-conv="c1" aria-selected="true">Li</li><li data-conv="c2" aria-selected="false">Noah</li></ul>' +
    '<header><span id="clock">10:00</span><img id="me" data-who="a" src="me.png" title="online"></header>' +
    '<ol id="log"></ol>';
}

function add(id: string, text: string, who = 'c'): HTMLElement {
  const li = document.createElement('li');
  li.className = 'm';
  li.dataset.id = id;
  li.dataset.who = who;
  li.innerHTML = '<p class="t"></p><small class="receipt">sent</small>';
  li.querySelector('.t')!.textContent = text;
  document.getElementById('log')!.append(li);
  return li;
}

detachAfterEach();

describe('what the console script observes', () => {
  it('queues nothing for the page’s own text and attribute changes outside the log', async () => {
    page();
    const { costs, sent } = attachTo(spec);
    await tick();
    costs.length = 0;
    // A clock ticking, a presence title, an avatar loading, a speaker-like attribute in the header.
    (document.getElementById('clock')!.firstChild as Text).data = '10:01';
    const me = document.getElementById('me')!;
    me.setAttribute('title', 'away');
    me.setAttribute('src', 'me-2.png');
    me.setAttribute('data-who', 'c');
    await tick();
    expect(costs).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('ignores attribute-only changes in the log it does not read, yet catches an edited message', async () => {
    page();
    const li = add('1', 'where is my order');
    const { costs, sent } = attachTo(spec);
    await tick();
    costs.length = 0;
    li.querySelector('.receipt')!.setAttribute('data-read', 'true');
    await tick();
    expect(costs).toEqual([]);
    // Edited in place: the text node's data changes (no node added or removed).
    (li.querySelector('.t')!.firstChild as Text).data = 'where is my order 123?';
    await tick();
    expect(sent.map((u) => [u.seq, u.text])).toEqual([
      [0, 'where is my order'],
      [0, 'where is my order 123?'],
    ]);
    expect(costs.map((c) => c.utterances)).toEqual([1]);
  });

  it('reads an appended message without looking up the log or the conversation again', async () => {
    page();
    add('1', 'hello');
    const { sent } = attachTo(spec);
    await tick();
    const lookups = vi.spyOn(document, 'querySelector');
    add('2', 'is anyone there?');
    await tick();
    expect(sent.map((u) => [u.conversationId, u.text])).toEqual([
      ['c1', 'hello'],
      ['c1', 'is anyone there?'],
    ]);
    expect(lookups).not.toHaveBeenCalled();
    // Another conversation selected (outside the log), its log rendered: looked up and followed.
    const [c1, c2] = Array.from(document.querySelectorAll('#list li'));
    c1!.setAttribute('aria-selected', 'false');
    c2!.setAttribute('aria-selected', 'true');
    document.getElementById('log')!.replaceChildren();
    add('9', 'hi, Noah here');
    await tick();
    expect(lookups).toHaveBeenCalled();
    expect(sent.at(-1)).toMatchObject({ conversationId: 'c2', seq: 0, text: 'hi, Noah here' });
  });
});
