/**
 * The compose guard on a small console in happy-dom: block mode stops a send once, warn mode
 * shows a notice and never stops it, IME Enter is left alone, and a check that never answers
 * (a cold worker) holds a send only until the hold deadline, then the host's own send runs.
 */
import { Window } from 'happy-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DraftHit } from '../../../lib/adapters/presend';
import { ComposeGuard, type GuardUi } from '../../../lib/adapters/presend-guard';
import { parseAdapter } from '../../../lib/adapters/spec';

const L = (s: string) => ({ zh_CN: s, zh_TW: s, en: s });
const hit = (ruleId: string, mode: 'block' | 'warn', text: string, draft: string): DraftHit => ({
  ruleId,
  severity: mode === 'block' ? 'critical' : 'warning',
  mode,
  names: L(ruleId),
  evidence: [{ start: draft.indexOf(text), end: draft.indexOf(text) + text.length, text }],
});

const spec = (() => {
  const r = parseAdapter({
    id: 'guard-test',
    name: 'guard test',
    version: 1,
    channel: 'chat',
    matches: ['http://127.0.0.1/*'],
    log: { root: '#log', item: '.msg' },
    speaker: {
      rules: [{ attribute: { name: 'data-who', equals: 'agent' }, speaker: 'agent' }],
      default: 'customer',
    },
    text: {},
    conversation: { from: 'url', pattern: 'c=(\\w+)' },
    compose: { input: '#box', send: '#send', enterSends: true },
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.spec;
})();

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

function page(opts: { check(text: string): Promise<DraftHit[]>; choice?: 'rewrite' | 'send' | 'edit' }) {
  const win = new Window({ url: 'http://127.0.0.1/desk?c=c1' });
  const doc = win.document;
  doc.body.innerHTML = '<ol id="log"></ol><textarea id="box"></textarea><button id="send">Send</button>';
  const box = doc.getElementById('box') as unknown as HTMLTextAreaElement;
  const sent: string[] = [];
  // The host's own send handlers: a click on the button and Enter in the box.
  const hostSend = () => {
    if (box.value.trim()) sent.push(box.value);
    box.value = '';
  };
  doc.getElementById('send')!.addEventListener('click', hostSend);
  box.addEventListener('keydown', (e) => {
    if ((e as unknown as KeyboardEvent).key === 'Enter' && !(e as unknown as KeyboardEvent).isComposing) {
      e.preventDefault();
      hostSend();
    }
  });
  const asked: DraftHit[][] = [];
  const notices: DraftHit[][] = [];
  const overrides: string[] = [];
  let dismissed = 0;
  const ui: GuardUi = {
    ask: async (hits) => {
      asked.push(hits);
      return opts.choice ?? 'send';
    },
    close: () => {},
    notify: (hits) => notices.push(hits),
    dismiss: () => {
      dismissed++;
    },
  };
  const controller = new AbortController();
  controllers.push(controller);
  new ComposeGuard({
    win: win as unknown as globalThis.Window & typeof globalThis,
    spec,
    signal: controller.signal,
    check: opts.check,
    ui,
    rewrite: (d) => d.replace(/\d{16}/, ''),
    onOverride: (d) => overrides.push(d),
    debounceMs: 5,
    holdMs: 20,
  }).start();
  const type = (text: string) => {
    box.value = text;
    box.dispatchEvent(new win.InputEvent('input', { bubbles: true, composed: true }) as unknown as Event);
  };
  const click = () => (doc.getElementById('send') as unknown as HTMLButtonElement).click();
  const enter = (init: Record<string, unknown> = {}) =>
    box.dispatchEvent(
      new win.KeyboardEvent('keydown', {
        key: 'Enter',
        bubbles: true,
        cancelable: true,
        composed: true,
        ...init,
      }) as unknown as Event,
    );
  return { win, box, sent, asked, notices, overrides, type, click, enter, dismissed: () => dismissed };
}

const CARD = '4111111111111111';

describe('ComposeGuard', () => {
  it('block mode: stops the send once, and "send anyway" runs the host send and is reported', async () => {
    const draft = `card ${CARD}`;
    const p = page({ check: async (t) => (t.includes(CARD) ? [hit('card', 'block', CARD, t)] : []) });
    p.type(draft);
    await vi.waitFor(() => expect(p.notices.length + p.dismissed()).toBeGreaterThan(0));
    p.click();
    await vi.waitFor(() => expect(p.sent).toEqual([draft]));
    expect(p.asked.map((hs) => hs.map((h) => h.ruleId))).toEqual([['card']]);
    expect(p.overrides).toEqual([draft]);
    // Intercepted once: the same draft again goes straight through.
    p.type(draft);
    p.click();
    await vi.waitFor(() => expect(p.sent).toEqual([draft, draft]));
    expect(p.asked).toHaveLength(1);
  });

  it('block mode, "edit": nothing is sent and the draft stays', async () => {
    const draft = `card ${CARD}`;
    const p = page({ check: async (t) => [hit('card', 'block', CARD, t)], choice: 'edit' });
    p.type(draft);
    p.enter();
    await vi.waitFor(() => expect(p.asked).toHaveLength(1));
    expect(p.sent).toEqual([]);
    expect(p.box.value).toBe(draft);
  });

  it('warn mode: shows a notice while typing and never stops the send', async () => {
    const draft = 'we guarantee a refund';
    const p = page({ check: async (t) => [hit('promise', 'warn', 'guarantee', t)] });
    p.type(draft);
    await vi.waitFor(() => expect(p.notices.map((hs) => hs.map((h) => h.ruleId))).toEqual([['promise']]));
    const before = p.dismissed();
    p.enter();
    expect(p.sent).toEqual([draft]); // synchronously: the host's own handler ran
    expect(p.asked).toEqual([]);
    expect(p.dismissed()).toBeGreaterThan(before);
  });

  it('IME: Enter during composition is never intercepted', async () => {
    let checks = 0;
    const p = page({
      check: async (t) => {
        checks++;
        return [hit('card', 'block', CARD, t)];
      },
    });
    p.box.value = `卡号 ${CARD}`;
    p.box.dispatchEvent(
      new p.win.CompositionEvent('compositionstart', { bubbles: true }) as unknown as Event,
    );
    const notCancelled = p.enter({ isComposing: true });
    expect(notCancelled).toBe(true);
    expect(p.asked).toEqual([]);
    expect(checks).toBe(0);
  });

  it('cold start: a check that never answers holds the send only until the deadline, then it goes out', async () => {
    const draft = `card ${CARD}`;
    let late: ((hits: DraftHit[]) => void) | undefined;
    const p = page({
      check: () =>
        new Promise<DraftHit[]>((resolve) => {
          late = resolve;
        }),
    });
    p.box.value = draft; // no input event: sent before any check ran
    p.click();
    expect(p.sent).toEqual([]); // held for the check …
    await vi.waitFor(() => expect(p.sent).toEqual([draft])); // … then fails open
    // The answer arriving afterwards changes nothing: no warning for a message already sent.
    late?.([hit('card', 'block', CARD, draft)]);
    await new Promise((r) => setTimeout(r, 10));
    expect(p.asked).toEqual([]);
    expect(p.sent).toEqual([draft]);
  });

  it('a failing check never stands between the agent and a send', async () => {
    const p = page({ check: () => Promise.reject(new Error('Receiving end does not exist')) });
    p.box.value = 'hello';
    p.enter();
    await vi.waitFor(() => expect(p.sent).toEqual(['hello']));
    expect(p.asked).toEqual([]);
  });
});
