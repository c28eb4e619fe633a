import { describe, expect, it } from 'vitest';
import { reachable } from '../../../lib/background/reachable';

/** An offscreen document that can be closed, with counters for look-ups and questions. */
function document() {
  const s = { alive: false, ensure: 0, asks: 0 };
  const r = reachable(async () => {
    s.ensure++;
    s.alive = true;
  });
  const ask = () =>
    r.ask(
      async () => {
        s.asks++;
        if (!s.alive) throw new Error('Receiving end does not exist.');
        return { ok: true };
      },
      (a) => a.ok,
    );
  return { s, ask, r };
}

describe('reachable (ask straight away once answered)', () => {
  it('looks the context up before the first question only', async () => {
    const d = document();
    for (let i = 0; i < 3; i++) expect(await d.ask()).toEqual({ ok: true });
    expect(d.s).toMatchObject({ ensure: 1, asks: 3 });
  });

  it('a question that fails rejects, and the next one looks the context up (and creates it) again', async () => {
    const d = document();
    await d.ask();
    d.s.alive = false; // closed
    await expect(d.ask()).rejects.toThrow(/Receiving end/);
    expect(await d.ask()).toEqual({ ok: true });
    expect(d.s).toMatchObject({ ensure: 2, asks: 3 });
  });

  it('a reply that does not count as an answer also makes the next question look it up', async () => {
    let ensure = 0;
    const r = reachable(async () => {
      ensure++;
    });
    expect(
      await r.ask(
        async () => ({ ok: false }),
        (a) => a.ok,
      ),
    ).toEqual({ ok: false });
    await r.ask(
      async () => ({ ok: true }),
      (a) => a.ok,
    );
    await r.ask(
      async () => ({ ok: true }),
      (a) => a.ok,
    );
    expect(ensure).toBe(2);
  });
});
