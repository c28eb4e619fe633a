/**
 * The messages that carry team rulebooks between the background and the offscreen analysis
 * worker: declared once in lib/messages, sender-checked by the router like every other message.
 */
import { describe, expect, it } from 'vitest';
import { Router, type SessionStore } from '../../../lib/background/router';
import { parseMessage } from '../../../lib/messages';

const ID = 'ajhkiadnojbmcphcihpelckmpfafcenb';
const ORIGIN = `chrome-extension://${ID}`;
const offscreen = { id: ID, url: `${ORIGIN}/offscreen.html` };
const content = { id: ID, url: 'http://127.0.0.1/desk/', tabId: 7 };
const foreign = { id: 'someoneelse', url: 'chrome-extension://someoneelse/x.html' };

const emptyStore: SessionStore = {
  putUtterances: async () => [],
  putAnalyses: async () => [],
  snapshot: async () => ({ utterances: [], analyses: [] }),
  putAttach: async () => {},
  attachStates: async () => [],
  unanalysed: async () => [],
};

function router(teamRulebooks?: () => Promise<unknown[] | undefined>) {
  const logs: string[] = [];
  const r = new Router({
    store: emptyStore,
    analyse: async () => {},
    broadcast: () => {},
    log: (_level, msg) => logs.push(msg),
    extensionId: ID,
    extensionOrigin: ORIGIN,
    ...(teamRulebooks ? { teamRulebooks } : {}),
  });
  return { r, logs };
}

describe('team rulebook messages', () => {
  const book = { id: 'team-a', version: '3' };

  it('answer the offscreen document with the stored team rulebooks', async () => {
    const { r } = router(async () => [book]);
    expect(await r.handle({ type: 'team-rulebooks' }, offscreen)).toEqual({
      ok: true,
      reply: { rulebooks: [book] },
    });
  });

  it('answer with none when not enrolled or when reading them fails (the shipped set runs)', async () => {
    expect(await router(async () => undefined).r.handle({ type: 'team-rulebooks' }, offscreen)).toEqual({
      ok: true,
      reply: {},
    });
    const failing = router(async () => {
      throw new Error('storage gone');
    });
    expect(await failing.r.handle({ type: 'team-rulebooks' }, offscreen)).toEqual({ ok: true, reply: {} });
    expect(failing.logs.some((l) => l.includes('storage gone'))).toBe(true);
  });

  it('are refused from content scripts and other extensions', async () => {
    const { r, logs } = router(async () => [book]);
    expect((await r.handle({ type: 'team-rulebooks' }, content)).ok).toBe(false);
    expect((await r.handle({ type: 'team-rulebooks' }, foreign)).ok).toBe(false);
    expect(logs.filter((l) => l.startsWith('rejected')).length).toBe(2);
  });

  it('rulebooks-update is for the offscreen document only and bounded', async () => {
    expect(parseMessage({ type: 'rulebooks-update', target: 'offscreen', rulebooks: [book] }).ok).toBe(true);
    expect(parseMessage({ type: 'rulebooks-update', target: 'offscreen' }).ok).toBe(true);
    expect(parseMessage({ type: 'rulebooks-update', rulebooks: [book] }).ok).toBe(false);
    const tooMany = Array.from({ length: 51 }, () => book);
    expect(parseMessage({ type: 'rulebooks-update', target: 'offscreen', rulebooks: tooMany }).ok).toBe(
      false,
    );
    // The background does not take it: it is the offscreen document's to act on.
    const { r } = router(async () => [book]);
    expect((await r.handle({ type: 'rulebooks-update', target: 'offscreen' }, offscreen)).ok).toBe(false);
  });
});
