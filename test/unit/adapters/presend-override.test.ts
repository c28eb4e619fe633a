import { describe, expect, it } from 'vitest';
import type { DraftHit } from '../../../lib/adapters/presend';
import {
  memoryOverrideStore,
  type OverrideStore,
  SENT_ANYWAY,
  SentAnywayQueue,
  StoredSentAnyway,
  sentAnywayFinding,
  WAIT_MS,
} from '../../../lib/adapters/presend-override';
import type { Analysis } from '../../../lib/analysis/types';
import { type AttachRecord, Router, type SessionStore } from '../../../lib/background/router';
import { syncItems } from '../../../lib/background/sync-items';
import { newId } from '../../../lib/ids';
import type { Message } from '../../../lib/messages';
import type { FindingItem } from '../../../lib/sync/protocol';
import type { Utterance } from '../../../lib/utterance';

const ID = 'ajhkiadnojbmcphcihpelckmpfafcenb';
const ORIGIN = `chrome-extension://${ID}`;
const content = { id: ID, url: 'http://127.0.0.1/desk/', tabId: 7 };
const L = (s: string) => ({ zh_CN: s, zh_TW: s, en: s });

const CARD = '4111111111111111';
const draft = `好的，您的卡号 ${CARD} 已登记`;
const hit: DraftHit = {
  ruleId: 'finance.card-number',
  severity: 'critical',
  mode: 'block',
  names: L('Full card number'),
  evidence: [{ start: draft.indexOf(CARD), end: draft.indexOf(CARD) + CARD.length, text: CARD }],
};

const u = (seq: number, speaker: Utterance['speaker'], text: string, conversationId = 'c1'): Utterance => ({
  conversationId,
  seq,
  speaker,
  text,
  ts: 1000 + seq,
  channel: 'chat',
  source: 'test',
});

class Store implements SessionStore {
  us = new Map<string, Utterance>();
  async putUtterances(list: readonly Utterance[]) {
    for (const x of list) this.us.set(`${x.conversationId}#${x.seq}`, x);
    return { stored: [...list], fresh: [...list] };
  }
  async putAnalyses(list: readonly Analysis[]) {
    return list.map(() => undefined);
  }
  async snapshot() {
    return { utterances: [...this.us.values()], analyses: [] };
  }
  async putAttach(_r: AttachRecord) {}
  async attachStates() {
    return [];
  }
  async unanalysed() {
    return [];
  }
}

function setup(overrides?: OverrideStore, store = new Store()) {
  const synced: FindingItem[] = [];
  const out: Message[] = [];
  const router = new Router({
    store,
    analyse: async () => {},
    broadcast: (m) => out.push(m),
    log: () => {},
    extensionId: ID,
    extensionOrigin: ORIGIN,
    ...(overrides ? { overrides } : {}),
    // The real sync path: what the outbox gets is what syncItems makes of the analyses.
    async sync(batch) {
      const r = await syncItems({
        analyses: batch,
        utterance: async (c, s) => store.us.get(`${c}#${s}`),
        newId,
        now: Date.now(),
      });
      synced.push(...r.findings);
    },
  });
  return { router, synced, out };
}

describe('send anyway', () => {
  const finding = sentAnywayFinding({
    id: newId(5000),
    conversationId: 'c1',
    draft,
    hits: [hit],
    lang: 'en',
    ts: 5000,
  });

  it('is a finding naming the rule, shown live and synced with redacted evidence once the turn is sent', async () => {
    const { router, synced, out } = setup();
    expect(finding).toMatchObject({ ruleId: hit.ruleId, category: SENT_ANYWAY, kind: 'violation' });
    await router.handle(
      { type: 'utterances', utterances: [u(0, 'customer', '我想登记银行卡'), u(1, 'agent', '请提供卡号')] },
      content,
    );
    const r = await router.handle({ type: 'presend-override', finding, hits: [hit], draft }, content);
    expect(r.ok).toBe(true);
    expect(out.some((m) => m.type === 'presend-finding' && m.finding.id === finding.id)).toBe(true);
    expect(synced).toEqual([]); // the draft is not a turn yet
    // The host sends it; the content script reads it back as the agent's next turn.
    await router.handle({ type: 'utterances', utterances: [u(2, 'agent', draft)] }, content);
    expect(synced).toHaveLength(1);
    const f = synced[0]!.finding;
    expect(f.id).toBe(finding.id);
    expect(f.ruleId).toBe(hit.ruleId);
    expect(f.category).toBe(SENT_ANYWAY);
    expect(f.evidence).toHaveLength(1);
    expect(f.evidence[0]!.seq).toBe(2);
    // Redacted from the stored turn: the card number never leaves the device.
    expect(f.evidence[0]!.text).not.toContain(CARD);
    expect(f.evidence[0]!.text).not.toMatch(/\d{12}/);
  });

  it('matches the sent turn in its own conversation even when the host reflows the text', () => {
    const q = new SentAnywayQueue();
    q.add(finding, draft, 0);
    expect(q.take([u(2, 'agent', draft, 'other'), u(2, 'customer', draft)], 10)).toEqual([]);
    const [f] = q.take([u(3, 'agent', `  ${draft.replace('，', '， ')}\n`)], 20);
    expect(f!.evidence[0]!.seq).toBe(3);
    expect(q.size).toBe(0);
  });

  it('reports the override without any evidence text when the turn never shows up', () => {
    const q = new SentAnywayQueue();
    q.add(finding, draft, 0);
    expect(q.take([], WAIT_MS)).toEqual([]);
    const [f] = q.take([], WAIT_MS + 1);
    expect(f).toMatchObject({ id: finding.id, ruleId: hit.ruleId, evidence: [] });
  });

  it('keeps a bounded queue', () => {
    const q = new SentAnywayQueue();
    for (let i = 0; i < 1000; i++) q.add({ ...finding, id: newId(i) }, `${draft} ${i}`, 0);
    expect(q.size).toBeLessThanOrEqual(100);
  });

  it('survives a service-worker restart between the override and the sent turn', async () => {
    const kept = memoryOverrideStore();
    const store = new Store();
    const first = setup(kept, store);
    await first.router.handle({ type: 'presend-override', finding, hits: [hit], draft }, content);
    // The worker is stopped; a new one (new router, same session storage) gets the sent turn.
    const second = setup(kept, store);
    await second.router.handle({ type: 'utterances', utterances: [u(4, 'agent', draft)] }, content);
    expect(second.synced.map((x) => [x.finding.id, x.finding.evidence[0]?.seq])).toEqual([[finding.id, 4]]);
    expect(await kept.load()).toEqual([]);
    // A third worker life does not report it again.
    const third = setup(kept, store);
    await third.router.handle({ type: 'utterances', utterances: [u(4, 'agent', draft)] }, content);
    expect(third.synced).toEqual([]);
  });

  it('keeps the waiting overrides as data a new worker restores, dropping what it cannot read', async () => {
    const kept = memoryOverrideStore();
    const a = new StoredSentAnyway(kept);
    await a.add(finding, draft, 0);
    const saved = (await kept.load()) as unknown[];
    expect(saved).toHaveLength(1);
    // A damaged entry beside the good one (an older format, a partial write) is skipped.
    await kept.save([{ finding: { id: 'x' }, draft: 1, at: 'y' } as never, ...(saved as never[])]);
    const b = new StoredSentAnyway(kept);
    expect(await b.take([u(1, 'agent', 'unrelated')], 10)).toEqual([]);
    const [f] = await b.take([u(2, 'agent', draft)], 20);
    expect(f).toMatchObject({ id: finding.id, evidence: [{ seq: 2, text: CARD }] });
    expect(await kept.load()).toEqual([]);
  });

  it('applies calls one at a time: adds racing a take lose nothing', async () => {
    const kept = memoryOverrideStore();
    const q = new StoredSentAnyway(kept);
    const second = { ...finding, id: newId(6000), conversationId: 'c2' };
    const [, , due] = await Promise.all([
      q.add(finding, draft, 0),
      q.add(second, `${draft}!`, 0),
      q.take([u(3, 'agent', draft)], 10),
    ]);
    expect(due!.map((x) => x.id)).toEqual([finding.id]);
    expect(((await kept.load()) as { finding: { id: string } }[]).map((x) => x.finding.id)).toEqual([
      second.id,
    ]);
  });

  it('a store that fails to load starts empty instead of breaking the router', async () => {
    const q = new StoredSentAnyway({ load: () => Promise.reject(new Error('gone')), save: async () => {} });
    expect(await q.take([u(1, 'agent', draft)], 0)).toEqual([]);
    await q.add(finding, draft, 0);
    expect((await q.take([u(1, 'agent', draft)], 1)).map((x) => x.id)).toEqual([finding.id]);
  });
});
