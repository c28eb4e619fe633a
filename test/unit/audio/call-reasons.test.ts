/**
 * Bad call input as the side panel is told about it: the pure state machine from what the
 * capture saw (getUserMedia errors, a track's `ended`, digital silence) to a side's status and a
 * reason code, and every code translated in the three UI languages.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CALL_REASONS,
  carries,
  micError,
  parseReason,
  reasonText,
  reportedSide,
  SILENT_AFTER_MS,
  sideEnded,
  tabError,
  tabStreamError,
  tapSide,
} from '../../../lib/audio/call-reasons';
import { CallState } from '../../../lib/audio/call-state';
import { parseMessage } from '../../../lib/messages';

describe('call side status', () => {
  it('maps microphone failures to what the agent can do about them', () => {
    expect(micError('NotAllowedError')).toEqual({ status: 'no-permission', reasonKey: 'micDenied' });
    expect(micError('SecurityError')).toEqual({ status: 'no-permission', reasonKey: 'micDenied' });
    expect(micError('NotFoundError')).toEqual({ status: 'unavailable', reasonKey: 'micMissing' });
    expect(micError('NotReadableError', 'Device in use')).toEqual({
      status: 'unavailable',
      reasonKey: 'micFailed',
      detail: 'NotReadableError: Device in use',
    });
    expect(tabError('AbortError', 'x')).toMatchObject({ status: 'unavailable', reasonKey: 'tabFailed' });
  });

  it("reads tabCapture's refusal: not invoked, not supported, anything else kept as detail", () => {
    expect(
      tabStreamError('Extension has not been invoked for the current page (see activeTab permission).'),
    ).toEqual({ reasonKey: 'tabNotInvoked' });
    expect(tabStreamError(undefined)).toEqual({ reasonKey: 'tabUnsupported' });
    expect(tabStreamError('Cannot capture a tab with an active stream.')).toEqual({
      reasonKey: 'tabFailed',
      detail: 'Cannot capture a tab with an active stream.',
    });
  });

  it('a side that ends mid-call stops feeding the analysis; the other side still does', () => {
    const mic = sideEnded('agent');
    const tab = { status: 'live' as const };
    expect(mic).toEqual({ status: 'ended', reasonKey: 'micGone' });
    expect(sideEnded('customer')).toEqual({ status: 'ended', reasonKey: 'tabGone' });
    expect(carries(mic)).toBe(false);
    expect(carries(tab)).toBe(true);
    expect(carries({ status: 'silent' })).toBe(true);
    expect(carries({ status: 'no-permission' })).toBe(false);
  });

  it('turns a live side that only ever gave digital silence into "silent", and back at its first sound', () => {
    const live = { status: 'live' as const };
    expect(reportedSide('customer', live, false, SILENT_AFTER_MS - 32)).toEqual(live);
    expect(reportedSide('customer', live, false, SILENT_AFTER_MS + 32)).toEqual({
      status: 'silent',
      reasonKey: 'tabSilent',
    });
    expect(reportedSide('agent', live, false, SILENT_AFTER_MS + 32)).toEqual({
      status: 'silent',
      reasonKey: 'micSilent',
    });
    expect(reportedSide('customer', live, true, 60_000)).toEqual(live);
    // An ended side stays ended: its reason is the one to show.
    expect(reportedSide('agent', sideEnded('agent'), false, 60_000)).toEqual(sideEnded('agent'));
  });

  it('reads the call tap: a console call with no track for a side names which', () => {
    expect(tapSide('agent', 0)).toEqual({ status: 'unavailable', reasonKey: 'tapNoMic' });
    expect(tapSide('customer', 0)).toEqual({ status: 'unavailable', reasonKey: 'tapNoCustomer' });
    expect(tapSide('customer', 1)).toEqual({ status: 'live' });
    // Had a track and lost it: unplugged, not "not yet".
    expect(tapSide('agent', 0, { status: 'live' })).toEqual({ status: 'ended', reasonKey: 'micGone' });
    expect(tapSide('customer', 0, { status: 'silent' })).toEqual({ status: 'ended', reasonKey: 'tabGone' });
    expect(tapSide('agent', 0, { status: 'unavailable', reasonKey: 'tapNoMic' })).toEqual({
      status: 'unavailable',
      reasonKey: 'tapNoMic',
    });
    expect(tapSide('agent', 1, sideEnded('agent'))).toEqual({ status: 'live' });
  });

  it('a refusal crosses the router as text and is read back as its code', () => {
    expect(parseReason(reasonText('policyOff'))).toEqual({ reasonKey: 'policyOff' });
    expect(parseReason(reasonText('audioFailed', 'AudioContext: boom'))).toEqual({
      reasonKey: 'audioFailed',
      detail: 'AudioContext: boom',
    });
    expect(parseReason('something: else')).toEqual({ detail: 'something: else' });
    expect(parseReason(undefined)).toEqual({});
  });

  it('a call state with a reason code passes the message contract; an English sentence as code does not', () => {
    const side = {
      status: 'no-permission',
      reasonKey: 'micDenied',
      speaking: false,
      levelDbfs: -100,
      loudnessRiseDb: 0,
      shouting: false,
      rateSps: 0,
      talkMs: 0,
    };
    const state = {
      tabId: 3,
      conversationId: 'call-1',
      phase: 'live',
      startedAt: 1,
      elapsedMs: 5000,
      agent: side,
      customer: { ...side, status: 'live', reasonKey: undefined },
      silenceMs: 0,
      overtalkMs: 0,
      talkRatio: 0.5,
      interruptions: 0,
      deadAir: { count: 0, totalMs: 0, longestMs: 0 },
      overtalk: { count: 0, totalMs: 0, longestMs: 0 },
      asr: { status: 'error', turns: 2, reasonKey: 'asrUnreachable' },
    };
    expect(CallState.safeParse(state).success).toBe(true);
    expect(parseMessage({ type: 'call-state', state }).ok).toBe(true);
    const english = { ...state, agent: { ...side, reasonKey: 'allow the microphone' } };
    expect(CallState.safeParse(english).success).toBe(false);
  });
});

describe('call reason translations', () => {
  const locale = (lang: string) =>
    JSON.parse(
      readFileSync(new URL(`../../../public/_locales/${lang}/messages.json`, import.meta.url), 'utf8'),
    ) as Record<string, { message: string }>;

  it.each(['en', 'zh_CN', 'zh_TW'])('every reason code and transcript status has a %s message', (lang) => {
    const m = locale(lang);
    for (const key of CALL_REASONS) expect(m[`callReason_${key}`]?.message, key).toBeTruthy();
    expect(m.callAsr_connecting?.message).toBeTruthy();
    // The others name the number of recognised turns.
    for (const s of ['live', 'error', 'closed']) expect(m[`callAsr_${s}`]?.message).toMatch(/\$1/);
  });

  it('the Chinese messages are translations, not copies of the English', () => {
    const en = locale('en');
    for (const lang of ['zh_CN', 'zh_TW']) {
      const m = locale(lang);
      for (const key of CALL_REASONS) {
        expect(m[`callReason_${key}`]!.message).not.toBe(en[`callReason_${key}`]!.message);
        expect(m[`callReason_${key}`]!.message).toMatch(/[\u4e00-\u9fff]/);
      }
    }
    expect(locale('zh_CN').callReason_micGone!.message).not.toBe(locale('zh_TW').callReason_micGone!.message);
  });
});
