/**
 * The live rule session (lib/analysis/rule-sessions.ts) settles a conversation with `finish()`:
 * must-say and absence rules fire only then. The batch analysis relies on it instead of a copy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileAll, ruleSession, ruleSessions } from '../../../lib/analysis/rule-sessions';
import type { Utterance } from '../../../lib/utterance';

const ROOT = new URL('../../../', import.meta.url).pathname;
const { compiled } = compileAll(
  Object.fromEntries(
    readdirSync(join(ROOT, 'rulebooks'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, JSON.parse(readFileSync(join(ROOT, 'rulebooks', f), 'utf8'))]),
  ),
);
const u = (seq: number, speaker: Utterance['speaker'], text: string): Utterance => ({
  conversationId: 'c1',
  seq,
  speaker,
  text,
  ts: seq * 5000,
  channel: 'chat',
  source: 'unit',
});

describe('live rule session finish()', () => {
  it('settles end-of-conversation rules once, with findings like the ones push() makes', () => {
    let n = 0;
    const s = ruleSessions(compiled, () => `id-${n++}`)('c1');
    const during = [...s.push(u(0, 'customer', '我的订单还没到'), {}), ...s.push(u(1, 'agent', '好的'), {})];
    expect(during.every((f) => f.at === 'utterance')).toBe(true);
    const end = s.finish();
    // A two-line conversation without greeting or closing misses what the shipped rulebooks require.
    expect(end.length).toBeGreaterThan(0);
    for (const f of end) {
      expect(f.at).toBe('finish');
      expect(f.conversationId).toBe('c1');
      expect(f.names?.en).toBeTruthy();
    }
    expect(new Set([...during, ...end].map((f) => f.id)).size).toBe(during.length + end.length);
    expect(s.finish()).toEqual([]);
  });

  it('finds nothing more at the end of a conversation that said everything it had to', () => {
    const said = ruleSession(compiled, 'c1', () => 'x');
    const missed = ruleSession(compiled, 'c1', () => 'x');
    missed.push(u(0, 'customer', '我的订单还没到'), {});
    said.push(u(0, 'agent', '您好，请问有什么可以帮您？'), {});
    said.push(u(1, 'customer', '我的订单还没到'), {});
    said.push(u(2, 'agent', '请问还有其他可以帮您的吗？感谢您的来电，再见。'), {});
    const a = said.finish().map((f) => f.ruleId);
    const b = missed.finish().map((f) => f.ruleId);
    expect(a.length).toBeLessThan(b.length);
    for (const id of a) expect(b).toContain(id);
  });
});
