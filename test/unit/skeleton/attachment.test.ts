// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { type AdapterSpecInput, AdapterSpec } from '../../../lib/adapters/spec';
import type { Utterance } from '../../../lib/utterance';
import { attachTo, detachAll, tick as flush } from '../adapters/attach-harness';

const spec = AdapterSpec.parse({
  id: 'mini-desk',
  name: 'Mini desk',
  version: 1,
  matches: ['http://127.0.0.1/*'],
  log: { root: '#log', item: 'li.m' },
  speaker: {
    rules: [
      { speaker: 'agent', selector: '.m--agent' },
      { speaker: 'customer', attribute: { name: 'data-who', equals: 'c' } },
    ],
  },
  text: { selector: '.t', ignore: ['time'] },
  messageKey: { attribute: 'data-id' },
  conversation: { from: 'attribute', selector: '#list [aria-selected="true"]', attribute: 'data-conv' },
} satisfies AdapterSpecInput);

function page(conv: string, msgs: [string, 'agent' | 'customer', string][]) {
  document.body.innerHTML = `<ul id="list"><li data-conv="${conv}" aria-selected="true"></li></ul><ol id="log"></ol>`;
  for (const m of msgs) add(...m);
}

function add(id: string, who: 'agent' | 'customer', text: string) {
  const li = document.createElement('li');
  li.className = `m ${who === 'agent' ? 'm--agent' : ''}`;
  li.dataset.id = id;
  if (who === 'customer') li.dataset.who = 'c';
  li.innerHTML = `<p class="t"></p><time>10:0${id}</time>`;
  li.querySelector('.t')!.textContent = text;
  document.getElementById('log')!.append(li);
  return li;
}

afterEach(detachAll);
const attach = () => attachTo(spec);

describe('console attachment', () => {
  it('picks up messages already on the page, without timestamps', async () => {
    page('c1', [
      ['1', 'customer', '我要退款'],
      ['2', 'agent', '好的，请提供订单号'],
    ]);
    const { sent, states } = attach();
    await flush();
    expect(sent.map((u) => [u.seq, u.speaker, u.text])).toEqual([
      [0, 'customer', '我要退款'],
      [1, 'agent', '好的，请提供订单号'],
    ]);
    expect(states[0]).toMatchObject({ attached: true, activeConversationId: 'c1' });
  });

  it('follows new messages and edits, and keeps conversations apart across re-renders', async () => {
    page('c1', [['1', 'customer', 'hello']]);
    const { sent } = attach();
    await flush();
    const li = add('2', 'customer', 'where is my order');
    await flush();
    li.querySelector('.t')!.textContent = 'where is my order 123?';
    await flush();
    // Switch: the desk replaces the list selection and the whole log.
    page('c2', [['9', 'customer', 'hi there']]);
    await flush();
    // And back: c1's messages are re-rendered and must not be sent again.
    page('c1', [
      ['1', 'customer', 'hello'],
      ['2', 'customer', 'where is my order 123?'],
      ['3', 'agent', 'Let me check.'],
    ]);
    await flush();
    expect(sent.map((u) => `${u.conversationId}:${u.seq}:${u.text}`)).toEqual([
      'c1:0:hello',
      'c1:1:where is my order',
      'c1:1:where is my order 123?',
      'c2:0:hi there',
      'c1:2:Let me check.',
    ]);
  });

  it('says why it is not attached when the log is missing', async () => {
    document.body.innerHTML = '<main>nothing here</main>';
    const { sent, states } = attach();
    await flush();
    expect(sent).toEqual([]);
    expect(states[0]).toMatchObject({ attached: false, reason: expect.stringContaining('#log') });
  });

  it('retries a batch the background could not take', async () => {
    page('c1', [['1', 'customer', 'a']]);
    let calls = 0;
    const got: Utterance[] = [];
    attachTo(spec, {
      send: async (us) => {
        if (calls++ === 0) throw new Error('Could not establish connection');
        got.push(...us);
      },
    });
    await new Promise((r) => setTimeout(r, 120));
    expect(calls).toBe(2);
    expect(got.map((u) => u.text)).toEqual(['a']);
  });
});
