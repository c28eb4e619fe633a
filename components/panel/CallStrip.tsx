/**
 * The call strip for voice conversations: who is talking, the silence timer, pace and loudness
 * for each side, from the audio worker's call state; start and stop monitoring from here (tab
 * capture needs the agent's gesture).
 */
import type { CallState, ChannelState } from '@/lib/audio/call-state';
import { useT } from './i18n';
import type { PanelStore } from './store';

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
  start(tabId: number): void;
  stop(tabId: number): void;
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
  const call: CallState | undefined = store.calls.value.get(conversationId);
  const tabId = store.tabFor(conversationId);
  const live = call && (call.phase === 'live' || call.phase === 'starting');
  if (!call && (!controls || tabId === undefined)) return null;
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
                <span class="muted" data-testid={`call-status-${s}`} data-status={call[s].status}>
                  {' · '}
                  {t(`callStatus_${STATUS_KEY[call[s].status]}`)}
                  {call[s].reason ? ` (${call[s].reason})` : ''}
                </span>
              ) : null}
            </p>
          ))}
          {call.reason ? <p class="muted">{call.reason}</p> : null}
        </>
      ) : null}
      {controls && tabId !== undefined ? (
        <div class="finding__actions">
          {live ? (
            <button type="button" class="btn" data-testid="call-stop" onClick={() => controls.stop(tabId)}>
              {t('callStop')}
            </button>
          ) : (
            <button type="button" class="btn" data-testid="call-start" onClick={() => controls.start(tabId)}>
              {t('callMonitor')}
            </button>
          )}
        </div>
      ) : null}
    </section>
  );
}
