/**
 * The messages that carry team rulebooks between the background and the offscreen analysis
 * worker: declared once in lib/messages, sender-checked by the router like every other message.
 */
import { describe, expect, it } from 'vitest';
import { Router, type RouterDeps, type SessionStore } from '../../../lib/background/router';
import { parseMessage } from '../../../lib/messages';

const ID = 'ajhkiadnojbmcphcihpelckmpfafcenb';
const ORIGIN = `chrome-extension://${ID}`;
const offscreen = { id: ID, url: `${ORIGIN}/offscreen.html` };
const content = { id: ID, url: 'http://127.0.0.1/desk/', tabId: 7 };
const foreign = { id: 'someoneelse', url: 'chrome-extension://someoneelse/x.html' };

const emptyStore: SessionStore = {
  putUtterances: async () => ({ stored: [], fresh: [] }),
  putAnalyses: async () => [],
  snapshot: async () => ({ utterances: [], analyses: [] }),
  putAttach: async () => {},
  attachStates: async () => [],
  unanalysed: async () => [],
};

/** A router over an empty session store that records what it logs; `extra` adds the team sources. */
function router(extra: Partial<RouterDeps> = {}) {
  const logs: string[] = [];
  const r = new Router({
    store: emptyStore,
    analyse: async () => {},
    broadcast: () => {},
    log: (_level, msg) => logs.push(msg),
    extensionId: ID,
    extensionOrigin: ORIGIN,
    ...extra,
  });
  return { r, logs };
}

describe('team rulebook messages', () => {
  const book = { id: 'team-a', version: '3' };

  it('answer the offscreen document with the stored team rulebooks', async () => {
    const { r } = router({ teamRulebooks: async () => [book] });
    expect(await r.handle({ type: 'team-rulebooks' }, offscreen)).toEqual({
      ok: true,
      reply: { rulebooks: [book] },
    });
  });

  it('answer with none when not enrolled or when reading them fails (the shipped set runs)', async () => {
    expect(
      await router({ teamRulebooks: async () => undefined }).r.handle({ type: 'team-rulebooks' }, offscreen),
    ).toEqual({
      ok: true,
      reply: {},
    });
    const failing = router({
      teamRulebooks: async () => {
        throw new Error('storage gone');
      },
    });
    expect(await failing.r.handle({ type: 'team-rulebooks' }, offscreen)).toEqual({ ok: true, reply: {} });
    expect(failing.logs.some((l) => l.includes('storage gone'))).toBe(true);
  });

  it('are refused from content scripts and other extensions', async () => {
    const { r, logs } = router({ teamRulebooks: async () => [book] });
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
    const { r } = router({ teamRulebooks: async () => [book] });
    expect((await r.handle({ type: 'rulebooks-update', target: 'offscreen' }, offscreen)).ok).toBe(false);
  });
});

describe('team model manifest and document push messages', () => {
  const manifest = { version: 1, models: [] };
  const change = { kind: 'scripts' as const, teamId: 'team_a', version: 4, etag: '"s4"' };
  const sidePanel = { id: ID, url: `${ORIGIN}/sidepanel.html` };

  function pushRouter() {
    const changed: unknown[] = [];
    const made = router({
      teamModels: async () => manifest,
      documentPush: {
        config: async () => ({ endpoint: 'http://qa.test', token: 'device-token' }),
        changed: async (c) => void changed.push(c),
      },
    });
    return { ...made, changed };
  }

  it('answer the offscreen document with the stored team model manifest', async () => {
    const { r } = pushRouter();
    expect(await r.handle({ type: 'team-models' }, offscreen)).toEqual({ ok: true, reply: { manifest } });
    expect(await router().r.handle({ type: 'team-models' }, offscreen)).toEqual({ ok: true, reply: {} });
    expect((await r.handle({ type: 'team-models' }, content)).ok).toBe(false);
  });

  it('hand the device token to the offscreen document only', async () => {
    const { r, logs } = pushRouter();
    expect(await r.handle({ type: 'document-push-config' }, offscreen)).toEqual({
      ok: true,
      reply: { endpoint: 'http://qa.test', token: 'device-token' },
    });
    for (const sender of [sidePanel, content, foreign]) {
      const got = await r.handle({ type: 'document-push-config' }, sender);
      expect(got.ok).toBe(false);
      expect(JSON.stringify(got)).not.toContain('device-token');
    }
    expect(logs.filter((l) => l.startsWith('rejected')).length).toBe(3);
  });

  it('take pushed changes from the offscreen document and check them', async () => {
    const { r, changed } = pushRouter();
    expect(await r.handle({ type: 'documents-changed', changes: [change] }, offscreen)).toEqual({ ok: true });
    expect(changed).toEqual([[change]]);
    expect((await r.handle({ type: 'documents-changed', changes: [change] }, sidePanel)).ok).toBe(false);
    expect((await r.handle({ type: 'documents-changed', changes: [] }, offscreen)).ok).toBe(false);
    expect(changed).toHaveLength(1);
  });

  it('models-update and document-push are the offscreen document’s to act on', async () => {
    expect(parseMessage({ type: 'models-update', target: 'offscreen-models', manifest }).ok).toBe(true);
    expect(parseMessage({ type: 'models-update', target: 'offscreen' }).ok).toBe(false);
    expect(
      parseMessage({
        type: 'document-push',
        target: 'offscreen-push',
        endpoint: 'http://qa.test',
        token: 't',
      }).ok,
    ).toBe(true);
    expect(parseMessage({ type: 'document-push', target: 'offscreen-push', endpoint: 'not a url' }).ok).toBe(
      false,
    );
    const { r } = pushRouter();
    expect((await r.handle({ type: 'models-update', target: 'offscreen-models' }, offscreen)).ok).toBe(false);
  });
});
