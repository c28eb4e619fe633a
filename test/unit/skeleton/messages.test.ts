import { describe, expect, it } from 'vitest';
import { CallTapMessage } from '../../../lib/call-tap-message';
import { InsertHint, parsePresendAnswer } from '../../../lib/console-messages';
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
  it('gives the console scripts the same verdict on their own messages as the whole contract', () => {
    const hit = { ruleId: 'r1', severity: 'critical', title: { en: 'x', zh_CN: 'x', zh_TW: 'x' } };
    const samples: unknown[] = [
      { type: 'presend-ready', ok: true },
      { type: 'presend-ready', ok: 'yes' },
      { type: 'draft-checked', id: 3, ok: true, via: 'port', hits: [] },
      { type: 'draft-checked', id: -1, ok: true, via: 'port' },
      { type: 'draft-checked', id: 3, ok: true, via: 'background' },
      { type: 'draft-checked', id: 3, ok: true, via: 'port', hits: [hit] },
      { type: 'utterances', utterances: [u] },
    ];
    for (const raw of samples)
      expect(parsePresendAnswer(raw) !== undefined, JSON.stringify(raw)).toBe(
        parseMessage(raw).ok && ['presend-ready', 'draft-checked'].includes((raw as { type: string }).type),
      );
    const insert = { type: 'insert-hint', tabId: 1, conversationId: 'c1', hintId: 'h', text: '您好' };
    for (const raw of [insert, { ...insert, tabId: -1 }, { ...insert, text: '' }])
      expect(InsertHint.safeParse(raw).success).toBe(parseMessage(raw).ok);
    const tap = { type: 'call-tap', action: 'start', tabId: 1, conversationId: 'c1' };
    for (const raw of [tap, { ...tap, action: 'pause' }, { ...tap, conversationId: '' }])
      expect(CallTapMessage.safeParse(raw).success).toBe(parseMessage(raw).ok);
  });

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
