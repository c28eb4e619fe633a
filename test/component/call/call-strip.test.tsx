/**
 * The call strip under bad input, rendered with the real locale files: the reason codes the
 * offscreen document sends become the agent's language, the working side keeps its meters, a
 * refused start says why, and the speech server's state shows; the options page's speech server
 * field refuses what is not a WebSocket address and says when policy set it.
 */
import { cleanup, fireEvent, waitFor } from '@testing-library/preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { AsrOption } from '../../../components/call/AsrOption';
import { CallStrip } from '../../../components/call/CallStrip';
import type { CallState, ChannelState } from '../../../lib/audio/call-state';
import { makeStore, renderIn, T0 } from '../panel/helpers';

afterEach(cleanup);

const side = (over: Partial<ChannelState> = {}): ChannelState => ({
  status: 'live',
  speaking: false,
  levelDbfs: -30,
  loudnessRiseDb: 0,
  shouting: false,
  rateSps: 4,
  talkMs: 1000,
  ...over,
});

function callState(over: Partial<CallState> = {}): CallState {
  return {
    tabId: 7,
    conversationId: 'c1',
    phase: 'live',
    startedAt: T0,
    elapsedMs: 30_000,
    agent: side(),
    customer: side({ speaking: true }),
    silenceMs: 0,
    overtalkMs: 0,
    talkRatio: 0.4,
    interruptions: 0,
    deadAir: { count: 1, totalMs: 4000, longestMs: 4000 },
    overtalk: { count: 0, totalMs: 0, longestMs: 0 },
    ...over,
  };
}

function attached() {
  const store = makeStore();
  store.apply({
    type: 'attach-changed',
    state: { tabId: 7, adapterId: 'softphone', url: 'http://x/', attached: true, activeConversationId: 'c1' },
  });
  return store;
}

describe('call strip under bad input', () => {
  it.each([
    ['en', 'headset unplugged?'],
    ['zh_CN', '耳机被拔出'],
    ['zh_TW', '耳機被拔除'],
  ] as const)(
    'an unplugged microphone reads as such in %s, and the customer side keeps its meter',
    (lang, gone) => {
      const store = attached();
      const r = renderIn(<CallStrip store={store} conversationId="c1" />, lang);
      act(() =>
        store.apply({
          type: 'call-state',
          state: callState({ agent: side({ status: 'ended', reasonKey: 'micGone', talkMs: 12_000 }) }),
        }),
      );
      const status = r.getByTestId('call-status-agent');
      expect(status.dataset.status).toBe('ended');
      expect(r.getByTestId('call-reason-agent').dataset.reason).toBe('micGone');
      expect(status.textContent).toContain(gone);
      expect(r.queryByTestId('call-status-customer')).toBeNull();
      expect(r.getByTestId('call-strip').dataset.phase).toBe('live');
      const meters = r.container.querySelectorAll('meter');
      expect(meters).toHaveLength(2);
      // Customer first: still measured (−30 dBFS reads as half).
      expect(meters[0]!.getAttribute('value')).toBe('50');
    },
  );

  it('no microphone permission and a silent tab each name their fix; a browser error text stays beside it', () => {
    const store = attached();
    const r = renderIn(<CallStrip store={store} conversationId="c1" />);
    act(() =>
      store.apply({
        type: 'call-state',
        state: callState({
          agent: side({ status: 'no-permission', reasonKey: 'micDenied' }),
          customer: side({ status: 'silent', reasonKey: 'tabSilent' }),
        }),
      }),
    );
    expect(r.getByTestId('call-status-agent').textContent).toMatch(/allow it when the side panel asks/);
    expect(r.getByTestId('call-status-customer').textContent).toMatch(/not playing any audio/);
    act(() =>
      store.apply({
        type: 'call-state',
        state: callState({
          phase: 'error',
          reasonKey: 'audioFailed',
          detail: 'NotSupportedError: sample rate',
          agent: side({ status: 'unavailable', reasonKey: 'micFailed', detail: 'NotReadableError: busy' }),
        }),
      }),
    );
    expect(r.getByTestId('call-reason').textContent).toBe(
      'call audio analysis could not start (NotSupportedError: sample rate)',
    );
    expect(r.getByTestId('call-reason-agent').textContent).toBe(
      'the microphone could not be opened (NotReadableError: busy)',
    );
  });

  it('a refused start says why in the agent language', async () => {
    const store = attached();
    const r = renderIn(
      <CallStrip
        store={store}
        conversationId="c1"
        controls={{ start: async () => ({ ok: false, reason: 'policyOff' }), stop: () => {} }}
      />,
      'zh_TW',
    );
    fireEvent.click(r.getByTestId('call-start'));
    await waitFor(() =>
      expect(r.getByTestId('call-refused').textContent).toContain('您的組織已關閉通話音訊分析'),
    );
    expect(r.getByTestId('call-refused').getAttribute('role')).toBe('alert');
  });

  it('shows the speech server state: turns so far, and why it stopped', () => {
    const store = attached();
    const r = renderIn(<CallStrip store={store} conversationId="c1" />, 'zh_CN');
    act(() => store.apply({ type: 'call-state', state: callState({ asr: { status: 'live', turns: 3 } }) }));
    expect(r.getByTestId('call-asr').textContent).toBe('语音转写：进行中（3 句）');
    act(() =>
      store.apply({
        type: 'call-state',
        state: callState({ asr: { status: 'error', turns: 3, reasonKey: 'asrClosed' } }),
      }),
    );
    expect(r.getByTestId('call-asr').dataset.status).toBe('error');
    expect(r.getByTestId('call-asr').textContent).toContain('语音识别服务器已断开连接');
  });
});

describe('speech server option', () => {
  it('says what is sent where, refuses a non-WebSocket address, and saves or clears', async () => {
    const saved: string[] = [];
    const r = renderIn(
      <AsrOption endpoint="" byPolicy={undefined} onSave={async (e) => void saved.push(e)} />,
    );
    expect(r.getByTestId('asr-option').textContent).toMatch(
      /ships no speech model.*16 kHz.*send no audio anywhere/,
    );
    const input = r.getByTestId('opt-asr-endpoint') as HTMLInputElement;
    fireEvent.input(input, { target: { value: 'https://asr.example.com' } });
    fireEvent.click(r.getByTestId('opt-asr-save'));
    await waitFor(() => expect(r.getByTestId('opt-asr-status').textContent).toMatch(/ws:\/\/ or wss:\/\//));
    expect(saved).toEqual([]);
    fireEvent.input(input, { target: { value: 'wss://asr.example.com/vosk' } });
    fireEvent.click(r.getByTestId('opt-asr-save'));
    await waitFor(() => expect(saved).toEqual(['wss://asr.example.com/vosk']));
    fireEvent.input(input, { target: { value: '' } });
    fireEvent.click(r.getByTestId('opt-asr-save'));
    await waitFor(() => expect(r.getByTestId('opt-asr-status').textContent).toMatch(/sent nowhere/));
    expect(saved).toEqual(['wss://asr.example.com/vosk', '']);
  });

  it('shows the policy server locked', () => {
    const r = renderIn(
      <AsrOption endpoint="ws://mine" byPolicy="wss://corp/asr" onSave={async () => {}} />,
      'zh_CN',
    );
    expect((r.getByTestId('opt-asr-endpoint') as HTMLInputElement).disabled).toBe(true);
    expect((r.getByTestId('opt-asr-endpoint') as HTMLInputElement).value).toBe('wss://corp/asr');
    expect(r.getByTestId('locked-asr').textContent).toBe('您的组织已设置语音服务器：wss://corp/asr');
    expect(r.queryByTestId('opt-asr-save')).toBeNull();
  });
});
