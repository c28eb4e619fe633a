/** RowGrouper: rows of a conversation that come back after it was emitted are reported, in bounded memory. */
import { describe, expect, it } from 'vitest';
import { type Row, RowGrouper } from '../../../lib/batch/group';

const row = (conversationId: string, line: number): Row => ({
  conversationId,
  speaker: 'customer',
  text: `line ${line}`,
  ts: line,
  channel: 'chat',
  line,
});

describe('RowGrouper', () => {
  it('reports a row of an already emitted conversation with its line, and keeps the rest', () => {
    const g = new RowGrouper('f.csv', 'import', 1);
    const items = [row('a', 2), row('a', 3), row('b', 4), row('a', 5)].flatMap((r) => g.add(r));
    items.push(...g.finish());
    expect(
      items.map((i) => (i.kind === 'problem' ? `${i.problem.line}:${i.problem.reason}` : i.conversation.id)),
    ).toEqual(['a', '5:conversation rows not together', 'b']);
    const a = items.find((i) => i.kind === 'conversation' && i.conversation.id === 'a');
    expect(a?.kind === 'conversation' && a.conversation.turns.map((t) => t.text)).toEqual([
      'line 2',
      'line 3',
    ]);
  });

  it('remembers at most two generations of emitted ids', () => {
    const g = new RowGrouper('f.csv', 'import', 1, 2);
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const [i, id] of ids.entries()) g.add(row(id, i + 2));
    g.finish();
    // 'e' and 'f' are in the current generation, 'c' and 'd' in the one before; 'a' is forgotten.
    const late = (id: string) => g.add(row(id, 99)).some((i) => i.kind === 'problem');
    expect(late('f')).toBe(true);
    expect(late('c')).toBe(true);
    expect(late('a')).toBe(false);
  });
});
