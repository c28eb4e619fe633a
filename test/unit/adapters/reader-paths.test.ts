// @vitest-environment happy-dom
/**
 * The additive adapter features: `>>>` paths through open shadow roots, speakers told by
 * attribute pattern, avatar and alignment, conversation ids narrowed by a pattern, and an
 * attachment that follows mutations inside shadow roots.
 */
import { describe, expect, it } from 'vitest';
import { queryPath, queryPathAll, scopesOnPath } from '../../../lib/adapters/path';
import { itemSpeaker, readConversationId, readItem } from '../../../lib/adapters/reader';
import { AdapterSpec, type AdapterSpecInput, parseAdapter } from '../../../lib/adapters/spec';
import { attachTo, detachAfterEach, specInput, tick } from './attach-harness';

const base = specInput('shadow-test', {
  log: { root: 'chat-app >>> .log', item: 'chat-msg' },
  speaker: {
    rules: [
      { speaker: 'agent', attribute: { name: 'from', matches: '^agent:' } },
      { speaker: 'customer', avatar: { selector: '>>> img', matches: 'customer\\.png$' } },
    ],
  },
  text: { selector: '>>> .text', ignore: [] },
  messageKey: { attribute: 'data-id' },
  conversation: { from: 'attribute', selector: 'chat-app', attribute: 'href', pattern: '/c/(\\w+)' },
});

function build(): { app: HTMLElement; log: HTMLElement } {
  document.body.innerHTML = '';
  const app = document.createElement('chat-app');
  app.setAttribute('href', '/inbox/c/c42');
  const shadow = app.attachShadow({ mode: 'open' });
  shadow.innerHTML = '<header>Inbox</header><div class="log"></div>';
  document.body.append(app);
  return { app, log: shadow.querySelector('.log') as HTMLElement };
}

function msg(log: HTMLElement, id: string, from: string, text: string, avatar = 'agent.png'): HTMLElement {
  const m = document.createElement('chat-msg');
  m.setAttribute('data-id', id);
  m.setAttribute('from', from);
  const s = m.attachShadow({ mode: 'open' });
  s.innerHTML = `<img src="/img/${avatar}"><span class="text"></span><time>10:00</time>`;
  (s.querySelector('.text') as HTMLElement).textContent = text;
  log.append(m);
  return m;
}

detachAfterEach();

describe('paths through shadow roots', () => {
  it('finds the log, lists items and reads text inside each item’s own shadow root', () => {
    const spec = AdapterSpec.parse(base);
    const { log } = build();
    msg(log, '1', 'agent:lin', 'Hello, how can I help?');
    msg(log, '2', 'visitor', 'My parcel is late', 'customer.png');
    expect(queryPath(document, spec.log.root)).toBe(log);
    expect(scopesOnPath(document, spec.log.root)).toHaveLength(1);
    expect(queryPathAll(document, 'chat-app >>> .log chat-msg')).toHaveLength(2);
    const read = Array.from(log.querySelectorAll('chat-msg')).map((el, i) => readItem(el, i, spec));
    expect(read).toEqual([
      { key: '1', keyed: true, speaker: 'agent', text: 'Hello, how can I help?' },
      { key: '2', keyed: true, speaker: 'customer', text: 'My parcel is late' },
    ]);
  });

  it('narrows a conversation id with a pattern, and reports none when it does not match', () => {
    const spec = AdapterSpec.parse(base);
    const { app } = build();
    expect(readConversationId(document, spec, 'http://x/')).toBe('c42');
    app.setAttribute('href', '/inbox');
    expect(readConversationId(document, spec, 'http://x/')).toBeUndefined();
  });

  it('a closed shadow root cannot be entered', () => {
    document.body.innerHTML = '';
    const host = document.createElement('div');
    host.id = 'closed';
    host.attachShadow({ mode: 'closed' }).innerHTML = '<div class="log"></div>';
    document.body.append(host);
    expect(queryPath(document, '#closed >>> .log')).toBeNull();
  });

  it('follows new messages and edits inside shadow roots without duplicates', async () => {
    const spec = AdapterSpec.parse(base);
    const { log } = build();
    msg(log, '1', 'agent:lin', 'Hello');
    const { sent } = attachTo(spec, { now: () => 1 });
    const m2 = msg(log, '2', 'visitor', 'Where is my order?', 'customer.png');
    await tick();
    (m2.shadowRoot!.querySelector('.text') as HTMLElement).textContent = 'Where is order 77?';
    await tick();
    expect(sent.map((u) => [u.conversationId, u.seq, u.speaker, u.text])).toEqual([
      ['c42', 0, 'agent', 'Hello'],
      ['c42', 1, 'customer', 'Where is my order?'],
      ['c42', 1, 'customer', 'Where is order 77?'],
    ]);
  });
});

describe('speaker by alignment', () => {
  it('reads the bubble’s side of its row', () => {
    const spec = AdapterSpec.parse({
      ...base,
      log: { root: '#log', item: '.row' },
      speaker: {
        rules: [
          { speaker: 'agent', selector: '.bubble', align: 'right' },
          { speaker: 'customer', selector: '.bubble', align: 'left' },
        ],
      },
      text: { ignore: [] },
    } satisfies AdapterSpecInput);
    document.body.innerHTML =
      '<div id="log"><div class="row"><div class="bubble">hi</div></div><div class="row"><div class="bubble">yo</div></div></div>';
    const rows = Array.from(document.querySelectorAll('.row'));
    const rect = (left: number, width: number) => ({ left, width, top: 0, height: 10 }) as DOMRect;
    for (const r of rows) r.getBoundingClientRect = () => rect(0, 600);
    (rows[0]!.firstElementChild as HTMLElement).getBoundingClientRect = () => rect(400, 180);
    (rows[1]!.firstElementChild as HTMLElement).getBoundingClientRect = () => rect(10, 180);
    expect(rows.map((r) => itemSpeaker(r, spec)?.speaker)).toEqual(['agent', 'customer']);
    // Without layout (width 0) no side is claimed and no rule holds.
    (rows[0]!.firstElementChild as HTMLElement).getBoundingClientRect = () => rect(0, 0);
    expect(itemSpeaker(rows[0]!, spec)).toBeUndefined();
  });
});

describe('schema', () => {
  it('rejects a speaker rule with nothing to test and a pattern that does not compile', () => {
    const bad = parseAdapter({
      ...base,
      speaker: {
        rules: [{ speaker: 'agent' }, { speaker: 'customer', attribute: { name: 'x', matches: '(' } }],
      },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.some((e) => e.includes('speaker.rules.0'))).toBe(true);
      expect(bad.errors.some((e) => e.includes('not a valid regular expression'))).toBe(true);
    }
  });
});
