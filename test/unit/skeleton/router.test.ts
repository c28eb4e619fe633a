import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../../lib/analysis/types';
import { type AttachRecord, Router, type SessionStore } from '../../../lib/background/router';
import type { Message } from '../../../lib/messages';
import type { Utterance } from '../../../lib/utterance';
import { IdbSessionStore } from '../../../platform/session-store';

const ID = 'ajhkiadnojbmcphcihpelckmpfafcenb';
const ORIGIN = `chrome-extension://${ID}`;
const content = { id: ID, url: 'http://127.0.0.1/desk/', tabId: 7 };
const page = { id: ID, url: `${ORIGIN}/offscreen.html` };

/** The IndexedDB store's semantics for turns without a message key, in memory: upsert by (conversationId, seq). */
class MemoryStore implements SessionStore {
  us = new Map<string, Utterance & { analysed: boolean }>();
  as = new Map<string, Analysis>();
  attach = new Map<number, AttachRecord>();
  async putUtterances(list: readonly Utterance[]) {
    const fresh: Utterance[] = [];
    for (const u of list) {
      const k = `${u.conversationId}#${u.seq}`;
      const old = this.us.get(k);
      if (old && old.text === u.text) continue;
      this.us.set(k, { ...u, analysed: false });
      fresh.push(u);
    }
    return { stored: [...list], fresh };
  }
  async putAnalyses(list: readonly Analysis[]) {
    const previous: (Analysis | undefined)[] = [];
    for (const a of list) {
      const k = `${a.conversationId}#${a.seq}`;
      previous.push(this.as.get(k));
      this.as.set(k, a);
      const u = this.us.get(k);
      if (u) u.analysed = true;
    }
    return previous;
  }
  async snapshot() {
    return {
      utterances: [...this.us.values()].map(({ analysed: _, ...u }) => u),
      analyses: [...this.as.values()],
    };
  }
  async putAttach(r: AttachRecord) {
    this.attach.set(r.tabId, r);
  }
  async attachStates() {
    return [...this.attach.values()];
  }
  async unanalysed() {
    return [...this.us.values()].filter((u) => !u.analysed).map(({ analysed: _, ...u }) => u);
  }
}

/** A router over `store` (in memory unless given), recording what it analyses, shows and logs. */
function setup<S extends SessionStore = MemoryStore>(store: S = new MemoryStore() as unknown as S) {
  const sent: Utterance[][] = [];
  const out: Message[] = [];
  const logs: string[] = [];
  const router = new Router({
    store,
    analyse: async (us) => {
      sent.push([...us]);
    },
    broadcast: (m) => out.push(m),
    log: (_l, m) => logs.push(m),
    extensionId: ID,
    extensionOrigin: ORIGIN,
  });
  return { store, sent, out, logs, router };
}

const u = (seq: number, text: string): Utterance => ({
  conversationId: 'c1',
  seq,
  speaker: 'customer',
  text,
  ts: seq,
  channel: 'chat',
  source: 'demo-desk',
});

describe('background router', () => {
  it('stores and analyses each utterance once, even when a batch is resent', async () => {
    const { router, sent, out } = setup();
    await router.handle({ type: 'utterances', utterances: [u(0, 'a'), u(1, 'b')] }, content);
    await router.handle({ type: 'utterances', utterances: [u(0, 'a'), u(1, 'b'), u(2, 'c')] }, content);
    expect(sent.flat().map((x) => x.seq)).toEqual([0, 1, 2]);
    // Resends are neither shown again (the panel has them, from the store's snapshot or an
    // earlier message) nor analysed again.
    expect(out.flatMap((m) => (m.type === 'utterance-added' ? [m.utterance.seq] : []))).toEqual([0, 1, 2]);
  });

  it('shows and analyses keyed turns at the seq the store keeps them under after a reload', async () => {
    const { router, sent, out } = setup(new IdbSessionStore(`router-test-${Math.random()}`));
    const k = (seq: number, key: string, text: string): Utterance => ({ ...u(seq, text), key });
    await router.handle({ type: 'utterances', utterances: [k(0, 'm0', 'a'), k(1, 'm1', 'b')] }, content);
    // Reloaded, the desk shows m1 only (page seq 0), then a new message m2 (page seq 1).
    await router.handle({ type: 'utterances', utterances: [k(0, 'm1', 'b'), k(1, 'm2', 'c')] }, content);
    expect(sent.flat().map((x) => `${x.seq}:${x.text}`)).toEqual(['0:a', '1:b', '2:c']);
    expect(
      out.flatMap((m) => (m.type === 'utterance-added' ? [`${m.utterance.seq}:${m.utterance.text}`] : [])),
    ).toEqual(['0:a', '1:b', '2:c']);
  });

  it('treats new text under the same key as an edit', async () => {
    const { router, sent } = setup();
    await router.handle({ type: 'utterances', utterances: [u(0, 'a')] }, content);
    await router.handle({ type: 'utterances', utterances: [u(0, 'a, edited')] }, content);
    expect(sent.flat().map((x) => x.text)).toEqual(['a', 'a, edited']);
  });

  it('re-sends utterances that were stored but never analysed after a restart', async () => {
    const first = setup();
    await first.router.handle({ type: 'utterances', utterances: [u(0, 'a'), u(1, 'b')] }, content);
    await first.router.handle(
      { type: 'analyses', analyses: [{ conversationId: 'c1', seq: 0, findings: [], workerMs: 1 }] },
      page,
    );
    // A new router over the same store stands for the restarted service worker.
    const sent: Utterance[][] = [];
    const restarted = new Router({
      store: first.store,
      analyse: async (us) => {
        sent.push([...us]);
      },
      broadcast: () => {},
      log: () => {},
      extensionId: ID,
      extensionOrigin: ORIGIN,
    });
    expect(await restarted.resume()).toBe(1);
    expect(sent.flat().map((x) => x.seq)).toEqual([1]);
  });

  it('rejects malformed messages and wrong senders with a logged reason', async () => {
    const { router, logs, sent } = setup();
    const bad = await router.handle({ type: 'utterances', utterances: 'lots' }, content);
    expect(bad).toMatchObject({ ok: false });
    const spoof = await router.handle({ type: 'analyses', analyses: [] }, content);
    expect(spoof.ok).toBe(false);
    const foreign = await router.handle(
      { type: 'utterances', utterances: [u(0, 'x')] },
      { id: 'evil', url: 'https://evil.example/', tabId: 1 },
    );
    expect(foreign.ok).toBe(false);
    expect(sent).toHaveLength(0);
    expect(logs).toHaveLength(3);
    expect(logs[0]).toMatch(/rejected: malformed message: utterances/);
  });

  it('records attach state per tab and gives a snapshot', async () => {
    const { router, out } = setup();
    await router.handle(
      {
        type: 'attach-state',
        state: { adapterId: 'demo-desk', url: content.url, attached: true, activeConversationId: 'c1' },
      },
      content,
    );
    await router.handle({ type: 'utterances', utterances: [u(0, 'a')] }, content);
    const snap = await router.snapshot();
    expect(snap.attach).toEqual([
      { adapterId: 'demo-desk', url: content.url, attached: true, activeConversationId: 'c1', tabId: 7 },
    ]);
    expect(snap.utterances).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: 'attach-changed' });
  });
});
