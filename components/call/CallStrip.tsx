/**
 * The call strip for voice conversations: who is talking, the silence timer, pace and loudness
 * for each side, from the audio worker's call state; start and stop monitoring from here (tab
 * capture needs the agent's gesture). Why a side is not live (no microphone permission, a tab
 * with no audio, an unplugged headset) comes as a reason code and is translated here.
 */
import { useState } from 'preact/hooks';
import { type CallReason, parseReason } from '@/lib/audio/call-reasons';
import type { CallState, ChannelState } from '@/lib/audio/call-state';
import { type Translate, useT } from '../panel/i18n';
import type { PanelStore } from '../panel/store';

/** Locale key suffix per channel status (message names cannot hold '-'). */
const STATUS_KEY: Record<CallState['agent']['status'], string> = {
  live: 'live',
  silent: 'silent',
  'no-permission': 'noPermission',
  unavailable: 'unavailable',
  ended: 'ended',
  off: 'off',
};

export interface CallControls {
  /** Resolves with the background's answer; a refusal's reason is a code (lib/audio/call-reasons). */
  start(tabId: number): unknown;
  stop(tabId: number): void;
}

/** A reason code in the agent's language, with the browser's own words after it when there are some. */
function Reason({
  t,
  reasonKey,
  detail,
  testid,
}: {
  t: Translate;
  reasonKey: CallReason | undefined;
  detail: string | undefined;
  testid: string;
}) {
  if (!reasonKey && !detail) return null;
  return (
    <span data-testid={testid} data-reason={reasonKey ?? ''}>
      {reasonKey ? t(`callReason_${reasonKey}`) : ''}
      {detail ? <span class="muted"> ({detail})</span> : null}
    </span>
  );
}

function Meter({ side, label }: { side: ChannelState; label: string }) {
  // -60 dBFS and below reads as empty, 0 dBFS as full.
  const pct = Math.max(0, Math.min(100, Math.round(((side.levelDbfs + 60) / 60) * 100)));
  return (
    <meter class="call__meter" min={0} max={100} value={pct} aria-label={label}>
      {pct}
    </meter>
  );
}

export function CallStrip({
  store,
  conversationId,
  controls,
}: {
  store: PanelStore;
  conversationId: string;
  controls?: CallControls | undefined;
}) {
  const t = useT();
  const [refused, setRefused] = useState<{ reasonKey?: CallReason; detail?: string } | undefined>();
  const call: CallState | undefined = store.calls.value.get(conversationId);
  const tabId = store.tabFor(conversationId);
  const live = call && (call.phase === 'live' || call.phase === 'starting');
  if (!call && (!controls || tabId === undefined)) return null;
  const start = async (id: number) => {
    setRefused(undefined);
    const r = (await controls?.start(id)) as { ok?: unknown; reason?: string } | undefined;
    if (r && typeof r === 'object' && r.ok === false) setRefused(parseReason(r.reason));
  };
  const who = (s: 'agent' | 'customer') => t(`speaker_${s}`);
  const talking = call
    ? (['agent', 'customer'] as const)
        .filter((s) => call[s].speaking)
        .map(who)
        .join(' + ')
    : '';
  return (
    <section
      class="card call"
      aria-labelledby="call-title"
      data-testid="call-strip"
      data-phase={call?.phase ?? 'off'}
    >
      <h2 class="card__title" id="call-title">
        {t('callStrip')} {call ? <span class="count">{t(`callPhase_${call.phase}`)}</span> : null}
      </h2>
      {call ? (
        <>
          <p class="call__row" aria-live="off">
            <span data-testid="call-talking">{talking ? t('callTalking', talking) : t('callNobody')}</span>
            {' · '}
            <span data-testid="call-silence">
              {t('callSilence', String(Math.floor(call.silenceMs / 1000)))}
            </span>
          </p>
          {(['customer', 'agent'] as const).map((s) => (
            <p key={s} class="call__row">
              <Meter side={call[s]} label={who(s)} /> {t('callPace', [who(s), call[s].rateSps.toFixed(1)])}
              {call[s].shouting ? <strong class="call__loud"> · {t('callLoud', who(s))}</strong> : null}
              {call[s].status !== 'live' ? (
                <span class="call__status" data-testid={`call-status-${s}`} data-status={call[s].status}>
                  {' · '}
                  {t(`callStatus_${STATUS_KEY[call[s].status]}`)}
                  {call[s].reasonKey || call[s].detail ? ': ' : ''}
                  <Reason
                    t={t}
                    reasonKey={call[s].reasonKey}
                    detail={call[s].detail}
                    testid={`call-reason-${s}`}
                  />
                </span>
              ) : null}
            </p>
          ))}
          {call.reasonKey || call.detail ? (
            <p class="call__status" role="status">
              <Reason t={t} reasonKey={call.reasonKey} detail={call.detail} testid="call-reason" />
            </p>
          ) : null}
          {call.asr ? (
            <p class="call__row" data-testid="call-asr" data-status={call.asr.status}>
              {t(`callAsr_${call.asr.status}`, String(call.asr.turns))}
              {call.asr.reasonKey || call.asr.detail ? ': ' : ''}
              <Reason
                t={t}
                reasonKey={call.asr.reasonKey}
                detail={call.asr.detail}
                testid="call-asr-reason"
              />
            </p>
          ) : null}
        </>
      ) : null}
      {refused && !live ? (
        <p class="call__status" role="alert" data-testid="call-refused">
          {t('callRefused')}{' '}
          <Reason t={t} reasonKey={refused.reasonKey} detail={refused.detail} testid="call-refused-reason" />
        </p>
      ) : null}
      {controls && tabId !== undefined ? (
        <div class="finding__actions">
          {live ? (
            <button type="button" class="btn" data-testid="call-stop" onClick={() => controls.stop(tabId)}>
              {t('callStop')}
            </button>
          ) : (
            <button type="button" class="btn" data-testid="call-start" onClick={() => void start(tabId)}>
              {t('callMonitor')}
            </button>
          )}
        </div>
      ) : null}
    </section>
  );
}
