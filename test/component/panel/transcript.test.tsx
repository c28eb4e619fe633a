import { fireEvent } from '@testing-library/preact';
import { options } from 'preact';
import { act } from 'preact/test-utils';
import { cleanup } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { segments, Transcript, updateOffsets, VIRTUALISE_FROM } from '../../../components/panel/Transcript';
import type { Turn } from '../../../components/panel/store';
import { MoodStrip } from '../../../components/panel/MoodStrip';
import { analysis, finding, makeStore, renderIn, utterance } from './helpers';

afterEach(cleanup);

const isRow = (t: unknown) =>
  typeof t === 'function' && ((t as { displayName?: string }).displayName ?? t.name).includes('TurnRow');

describe('Transcript', () => {
  it('shows speaker, emotion colour, intent chip and highlights the evidence in the turn', () => {
    const store = makeStore();
    act(() => {
      store.apply({ type: 'utterance-added', utterance: utterance(0, 'customer', '我要去12315投诉你们') });
      store.apply({
        type: 'analysis-added',
        analysis: analysis(0, {
          emotion: 'angry',
          intent: 'complaint_escalation',
          findings: [finding(0, 'general.customer-threat', { start: 3, end: 8, text: '12315' })],
        }),
      });
    });
    const c = store.current.value!;
    const r = renderIn(<Transcript turns={c.turns} />);
    const turn = r.getByTestId('turn');
    expect(turn.dataset.emotion).toBe('angry');
    expect(turn.className).toContain('turn--angry');
    expect(r.getByTestId('intent').textContent).toBe('Complaint / escalation');
    expect(r.getByTestId('highlight').textContent).toBe('12315');
    expect(r.getByTestId('turn-text').textContent).toBe('我要去12315投诉你们');
  });

  it('keeps the narrowest mark where findings overlap', () => {
    const whole = { start: 0, end: 10, severity: 'critical' as const, findingId: 'a' };
    const word = { start: 3, end: 8, severity: 'critical' as const, findingId: 'b' };
    expect(segments('0123456789', [whole, word]).map((s) => [s.text, s.mark?.findingId])).toEqual([
      ['012', 'a'],
      ['34567', 'b'],
      ['89', 'a'],
    ]);
  });

  it('renders only a window of a 1,000-turn conversation and a new turn renders one row', () => {
    const store = makeStore();
    act(() => {
      store.apply({
        type: 'snapshot',
        utterances: Array.from({ length: 1000 }, (_, i) =>
          utterance(i, i % 2 ? 'agent' : 'customer', `turn ${i}`),
        ),
        analyses: [],
        attach: [],
      });
    });
    const c = store.current.value!;
    const r = renderIn(<Transcript turns={c.turns} />);
    const rows = r.getAllByTestId('turn');
    expect(1000).toBeGreaterThan(VIRTUALISE_FROM);
    expect(rows.length).toBeLessThan(100);
    expect(r.getByTestId('transcript').dataset.virtual).toBe('yes');
    // Existing rows are not touched when a turn is added: no DOM change inside any of them.
    const list = r.getByTestId('transcript');
    const mo = new MutationObserver(() => {});
    mo.observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
    act(() => {
      store.apply({ type: 'utterance-added', utterance: utterance(1000, 'customer', 'the new one') });
    });
    const touched = mo
      .takeRecords()
      .map((m) =>
        (m.target instanceof Element ? m.target : m.target.parentElement)?.closest('[data-testid="turn"]'),
      )
      .filter((row) => row && row.getAttribute('data-seq') !== '1000');
    mo.disconnect();
    expect(touched).toEqual([]);
    expect(c.turns.value).toHaveLength(1001);
  });

  it('a late emotion label re-renders only its own row', () => {
    const store = makeStore();
    act(() => {
      for (let i = 0; i < 10; i++)
        store.apply({ type: 'utterance-added', utterance: utterance(i, 'customer', `t${i}`) });
    });
    const r = renderIn(<Transcript turns={store.current.value!.turns} />);
    let rendered = 0;
    const prev = options.diffed;
    options.diffed = (vnode) => {
      if (isRow(vnode.type)) rendered += 1;
      prev?.(vnode);
    };
    act(() => {
      store.apply({ type: 'analysis-added', analysis: analysis(3, { emotion: 'positive' }) });
    });
    options.diffed = prev;
    expect(rendered).toBe(1);
    expect(r.getAllByTestId('turn')[3]!.dataset.emotion).toBe('positive');
    fireEvent.scroll(r.getByTestId('transcript').parentElement!);
  });
});

describe('row offsets', () => {
  const turnsOf = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ key: `c#${from + i}` }) as unknown as Turn);

  it('an appended turn costs one height, not a walk over the conversation', () => {
    const cache = { list: [] as readonly Turn[], offsets: [0], valid: 1 };
    const list = turnsOf(1000);
    let calls = 0;
    const h = () => {
      calls++;
      return 10;
    };
    expect(updateOffsets(cache, list, h)[1000]).toBe(10_000);
    expect(calls).toBe(1000);
    calls = 0;
    const longer = [...list, ...turnsOf(1, 1000)];
    const off = updateOffsets(cache, longer, h);
    expect(calls).toBe(1);
    expect(off[1001]).toBe(10_010);
    expect(off[500]).toBe(5000);
  });

  it('recomputes from a re-measured row on, and from the start for another list', () => {
    const cache = { list: [] as readonly Turn[], offsets: [0], valid: 1 };
    const list = turnsOf(100);
    const heights = new Map<Turn, number>();
    const h = (t: Turn) => heights.get(t) ?? 10;
    updateOffsets(cache, list, h);
    heights.set(list[90]!, 50);
    cache.valid = 91; // what the transcript does after measuring row 90
    const off = updateOffsets(cache, list, h);
    expect(off[90]).toBe(900);
    expect(off[91]).toBe(950);
    expect(off[100]).toBe(1040);
    // An insertion in the middle (out-of-order turn) is not an append: everything is redone.
    const other = [...list.slice(0, 50), ...turnsOf(1, 500), ...list.slice(50)];
    expect(updateOffsets(cache, other, h)[101]).toBe(1050);
  });
});

describe('MoodStrip', () => {
  it('an agent turn does not touch the strip; a customer turn renders one new cell', () => {
    const store = makeStore();
    act(() => {
      for (let i = 0; i < 100; i++)
        store.apply({
          type: 'utterance-added',
          utterance: utterance(i, i % 2 ? 'agent' : 'customer', `t${i}`),
        });
    });
    const c = store.current.value!;
    const r = renderIn(<MoodStrip conversation={c} />);
    const before = c.mood.value;
    expect(r.getAllByTestId('mood-cell')).toHaveLength(40);
    let cells = 0;
    const prev = options.diffed;
    options.diffed = (vnode) => {
      if (typeof vnode.type === 'function' && vnode.type.name.includes('MoodCell')) cells += 1;
      prev?.(vnode);
    };
    act(() => {
      store.apply({ type: 'utterance-added', utterance: utterance(101, 'agent', 'agent says') });
    });
    expect(c.mood.value).toBe(before);
    expect(cells).toBe(0);
    act(() => {
      store.apply({ type: 'utterance-added', utterance: utterance(102, 'customer', 'customer says') });
    });
    options.diffed = prev;
    expect(cells).toBe(1);
    const shown = r.getAllByTestId('mood-cell');
    expect(shown).toHaveLength(40);
    expect(shown[39]!.title).toContain('103');
  });

  it('shows customer emotions over time and the current intent', () => {
    const store = makeStore();
    act(() => {
      store.apply({ type: 'utterance-added', utterance: utterance(0, 'customer', 'hi') });
      store.apply({ type: 'utterance-added', utterance: utterance(1, 'agent', 'hello') });
      store.apply({ type: 'utterance-added', utterance: utterance(2, 'customer', 'where is it') });
      store.apply({
        type: 'analysis-added',
        analysis: analysis(0, { emotion: 'neutral', intent: 'greeting_closing' }),
      });
      store.apply({
        type: 'analysis-added',
        analysis: analysis(2, { emotion: 'frustrated', intent: 'order_status' }),
      });
    });
    const r = renderIn(<MoodStrip conversation={store.current.value!} />, 'zh_CN');
    expect(r.getAllByTestId('mood-cell').map((e) => e.dataset.emotion)).toEqual(['neutral', 'frustrated']);
    expect(r.getByTestId('current-intent').dataset.intent).toBe('order_status');
    expect(r.getByTestId('current-intent').textContent).toContain('查询订单物流');
  });
});
