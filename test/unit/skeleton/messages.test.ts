import { describe, expect, it } from 'vitest';
import { isAllowed, parseMessage, senderKind } from '../../../lib/messages';

const ID = 'ajhkiadnojbmcphcihpelckmpfafcenb';
const ORIGIN = `chrome-extension://${ID}`;
const u = {
  conversationId: 'c1',
  seq: 0,
  speaker: 'customer',
  text: '你好',
  ts: 1,
  channel: 'chat',
  source: 'demo-desk',
};

describe('message contract', () => {
  it('accepts a well-formed batch of utterances', () => {
    const r = parseMessage({ type: 'utterances', utterances: [u] });
    expect(r.ok).toBe(true);
  });

  it('rejects unknown types and bad fields with their paths', () => {
    const bad = parseMessage({ type: 'utterances', utterances: [{ ...u, seq: -1, speaker: 'robot' }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.reason).toContain('utterances.0.seq');
      expect(bad.reason).toContain('utterances.0.speaker');
    }
    expect(parseMessage({ type: 'drop-tables' }).ok).toBe(false);
    expect(parseMessage(null).ok).toBe(false);
    expect(parseMessage({ type: 'utterances', utterances: [] }).ok).toBe(false);
  });

  it('classifies senders and what each may send', () => {
    expect(senderKind({ id: ID, url: `${ORIGIN}/offscreen.html` }, ID, ORIGIN)).toBe('extension-page');
    expect(senderKind({ id: ID, url: 'http://127.0.0.1:5173/desk/', tabId: 3 }, ID, ORIGIN)).toBe('content');
    expect(senderKind({ id: 'someone-else', url: `${ORIGIN}/x.html` }, ID, ORIGIN)).toBe('foreign');
    expect(senderKind({ id: ID, url: 'http://127.0.0.1/desk/' }, ID, ORIGIN)).toBe('foreign'); // no tab
    expect(isAllowed('content', 'utterances')).toBe(true);
    expect(isAllowed('content', 'analyses')).toBe(false);
    expect(isAllowed('extension-page', 'utterances')).toBe(false);
    expect(isAllowed('foreign', 'ping')).toBe(false);
  });
});
