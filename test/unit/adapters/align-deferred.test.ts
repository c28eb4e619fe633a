// @vitest-environment happy-dom
/**
 * Speakers told apart by alignment (spa-messenger) are read without forcing layout in the
 * mutation callback: the attachment waits for an IntersectionObserver's report of the bubble's and
 * the row's boxes (computed by the browser in its own rendering step), reads batches in page
 * order, counts the callbacks' time with the messages they produce, and falls back to asking
 * layout itself when no report comes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachTo, detachAll, testSpec, tick } from './attach-harness';

const spec = testSpec('align-test', {
  log: { root: '#log', item: '.row[data-key]' },
  speaker: {
    rules: [
      { speaker: 'agent', selector: '.bubble', align: 'right' },
      { speaker: 'customer', selector: '.bubble', align: 'left' },
    ],
  },
  text: { selector: '.content', ignore: [] },
  messageKey: { attribute: 'data-key' },
  conversation: { from: 'attribute', selector: '#log', attribute: 'data-conv' },
});

/** An IntersectionObserver whose reports the test delivers, with the boxes it chooses. */
class FakeIO {
  static all: FakeIO[] = [];
  readonly observed = new Set<Element>();
  constructor(readonly callback: (entries: IntersectionObserverEntry[]) => void) {
    FakeIO.all.push(this);
  }
  observe(el: Element) {
    this.observed.add(el);
  }
  unobserve(el: Element) {
    this.observed.delete(el);
  }
  disconnect() {
    this.observed.clear();
  }
  takeRecords() {
    return [];
  }
  /** Reports the observed elements among `els`, each with the box `box` gives it. */
  report(els: Element[], box: (el: Element) => { left: number; width: number }) {
    const entries = els
      .filter((el) => this.observed.has(el))
      .map((target) => ({ target, boundingClientRect: { ...box(target), top: 0, height: 20 } }));
    this.callback(entries as unknown as IntersectionObserverEntry[]);
  }
}

let layoutReads: ReturnType<typeof vi.spyOn>;
const realIO = (window as unknown as { IntersectionObserver: unknown }).IntersectionObserver;

beforeEach(() => {
  FakeIO.all = [];
  (window as unknown as { IntersectionObserver: unknown }).IntersectionObserver = FakeIO;
  layoutReads = vi.spyOn(Element.prototype, 'getBoundingClientRect');
  document.body.innerHTML = '<div id="log" data-conv="c1"></div>';
});
afterEach(() => {
  detachAll();
  layoutReads.mockRestore();
  (window as unknown as { IntersectionObserver: unknown }).IntersectionObserver = realIO;
});

function row(key: string, text: string): { row: Element; bubble: Element } {
  const r = document.createElement('div');
  r.className = 'row';
  r.dataset.key = key;
  r.innerHTML = '<div class="bubble"><span class="content"></span><time>10:00</time></div>';
  r.querySelector('.content')!.textContent = text;
  document.getElementById('log')!.append(r);
  return { row: r, bubble: r.firstElementChild! };
}

/** A row 600 wide at 0; a bubble 200 wide on the right (agent) or the left (customer). */
const boxes = (agentBubbles: Element[]) => (el: Element) =>
  el.classList.contains('row')
    ? { left: 0, width: 600 }
    : { left: agentBubbles.includes(el) ? 390 : 10, width: 200 };

const attach = () => attachTo(spec);

describe('speaker by alignment, from the browser’s own layout', () => {
  it('reads a new message once its boxes are reported, without asking layout in the callback', async () => {
    const { sent, costs } = attach();
    const a = row('m1', 'Hello, how can I help?');
    await tick();
    // The mutation callback only asked for the boxes.
    expect(sent).toEqual([]);
    expect(costs).toEqual([]);
    const io = FakeIO.all[0]!;
    expect([...io.observed]).toEqual(expect.arrayContaining([a.row, a.bubble]));
    io.report([a.row, a.bubble], boxes([a.bubble]));
    expect(sent.map((u) => [u.seq, u.speaker, u.text])).toEqual([[0, 'agent', 'Hello, how can I help?']]);
    // One cost for the message: the mutation callback's time and the report's, together.
    expect(costs).toHaveLength(1);
    expect(costs[0]!.utterances).toBe(1);
    expect(io.observed.size).toBe(0);
    expect(layoutReads).not.toHaveBeenCalled();
  });

  it('keeps page order when a later message’s boxes come first', async () => {
    const { sent } = attach();
    const a = row('m1', 'first');
    await tick();
    const b = row('m2', 'second');
    await tick();
    const io = FakeIO.all[0]!;
    io.report([b.row, b.bubble], boxes([]));
    expect(sent).toEqual([]);
    io.report([a.row, a.bubble], boxes([a.bubble]));
    await tick(); // the second goes out once the first batch is acknowledged
    expect(sent.map((u) => [u.seq, u.speaker, u.text])).toEqual([
      [0, 'agent', 'first'],
      [1, 'customer', 'second'],
    ]);
    expect(layoutReads).not.toHaveBeenCalled();
  });

  it('drops a batch whose conversation the console left before the boxes came', async () => {
    const { sent } = attach();
    const a = row('m1', 'old conversation');
    await tick();
    document.getElementById('log')!.setAttribute('data-conv', 'c2');
    a.row.querySelector('.content')!.textContent = 'new conversation';
    await tick();
    const io = FakeIO.all[0]!;
    io.report([a.row, a.bubble], boxes([]));
    expect(sent.map((u) => [u.conversationId, u.speaker, u.text])).toEqual([
      ['c2', 'customer', 'new conversation'],
    ]);
  });

  it('asks no boxes for rows re-bound to messages it has read (a virtualised list scrolling)', async () => {
    const { sent } = attach();
    const a = row('m1', 'first');
    const b = row('m2', 'second');
    await tick();
    const io = FakeIO.all[0]!;
    io.report([a.row, a.bubble, b.row, b.bubble], boxes([a.bubble]));
    await tick();
    expect(sent.map((u) => u.text)).toEqual(['first', 'second']);
    // One message on: the first row now shows the second message, the second row a new one.
    const rebind = (r: { row: Element }, key: string, text: string) => {
      r.row.setAttribute('data-key', key);
      r.row.querySelector('.content')!.textContent = text;
    };
    rebind(a, 'm2', 'second');
    rebind(b, 'm3', 'third');
    await tick();
    expect(io.observed).toEqual(new Set([b.row, b.bubble]));
    io.report([b.row, b.bubble], boxes([]));
    await tick();
    // An edit of a message it has read is read again, boxes and all.
    rebind(a, 'm2', 'second, edited');
    await tick();
    expect(io.observed).toEqual(new Set([a.row, a.bubble]));
    io.report([a.row, a.bubble], boxes([]));
    await tick();
    expect(sent.map((u) => [u.seq, u.speaker, u.text])).toEqual([
      [0, 'agent', 'first'],
      [1, 'customer', 'second'],
      [2, 'customer', 'third'],
      [1, 'customer', 'second, edited'],
    ]);
    expect(layoutReads).not.toHaveBeenCalled();
  });

  it('asks layout itself when no report comes', async () => {
    vi.useFakeTimers();
    try {
      const { sent } = attach();
      const a = row('m1', 'no rendering step');
      const agent = boxes([a.bubble]);
      layoutReads.mockImplementation(function (this: Element) {
        return { ...agent(this), top: 0, height: 20 } as DOMRect;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(sent).toEqual([]);
      await vi.advanceTimersByTimeAsync(600);
      expect(sent.map((u) => [u.speaker, u.text])).toEqual([['agent', 'no rendering step']]);
      expect(layoutReads).toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});
