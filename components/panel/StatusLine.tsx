/** Attached console, what the analysis runs (models, rulebooks), capture and sync state. */
import { useT } from './i18n';
import type { PanelStore } from './store';

export interface SyncView {
  configured: boolean;
  /** Items in the device's outbox (findings and feedback), as the service worker reports them. */
  queued?: number;
  lastSuccessAt?: number;
  lastError?: string;
  needsEnrolment?: boolean;
}

/** The sync error in words an agent can act on; the raw reason stays in the tooltip. */
export function syncProblemKey(lastError: string, needsEnrolment = false): string | undefined {
  if (needsEnrolment || /not enrolled|device token|revoked|HTTP 401/i.test(lastError))
    return 'panelSyncErrEnrol';
  if (/^network|timed out|failed to fetch|ECONN/i.test(lastError)) return 'panelSyncErrOffline';
  if (/HTTP 429|rate/i.test(lastError)) return 'panelSyncErrBusy';
  if (/HTTP 403|forbidden/i.test(lastError)) return 'panelSyncErrForbidden';
  if (/HTTP 5\d\d|unavailable|unreadable/i.test(lastError)) return 'panelSyncErrServer';
  return undefined;
}

function clock(ts: number): string {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function StatusLine({ store, sync }: { store: PanelStore; sync: SyncView }) {
  const t = useT();
  const states = store.attach.value;
  const s = states[states.length - 1];
  const p = store.pipeline.value;
  const queued = store.queued.value;
  const attachText = !s
    ? t('statusNoConsole')
    : s.attached
      ? t('statusAttached', s.adapterId)
      : t('statusNotAttached', [s.adapterId, s.reason ?? '']);
  // One "Sync:" prefix, whatever is combined: state, what waits, when it last worked.
  const waiting = sync.configured ? (sync.queued ?? 0) : queued;
  const last = sync.configured && sync.lastSuccessAt ? t('statusSyncLast', clock(sync.lastSuccessAt)) : '';
  const problem = sync.lastError ? syncProblemKey(sync.lastError, sync.needsEnrolment) : undefined;
  const head = !sync.configured
    ? t('statusSyncOff')
    : sync.lastError
      ? t('statusSyncError', problem ? t(problem) : sync.lastError)
      : waiting > 0
        ? t('statusSyncQueued', String(waiting))
        : t('statusSyncIdle');
  const syncText = [
    head,
    waiting > 0 && (!sync.configured || sync.lastError) ? t('panelSyncWaiting', String(waiting)) : '',
    last,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <footer class="status" data-testid="status" data-attached={s?.attached ? 'yes' : 'no'}>
      <p class="status__line" role="status">
        <span class={`dot ${s?.attached ? 'dot--on' : ''}`} aria-hidden="true" />
        {attachText}
      </p>
      <p class="status__line" data-testid="status-pipeline">
        {p
          ? [
              t('statusModels', p.models.join(', ') || '—'),
              p.rulebooks.length > 0 ? t('statusRulebooks', p.rulebooks.join(', ')) : '',
            ]
              .filter(Boolean)
              .join(' · ')
          : t('statusModelsUnknown')}
      </p>
      <p class="status__line">
        <span data-testid="status-capture">
          {[...store.calls.value.values()].some((c) => c.phase === 'live')
            ? t('statusCaptureVoice')
            : s?.attached
              ? t('statusCaptureChat')
              : t('statusCaptureOff')}
        </span>
        {' · '}
        <span
          data-testid="status-sync"
          data-queued={waiting}
          data-error={sync.lastError ? 'yes' : 'no'}
          title={sync.lastError ?? ''}
        >
          {syncText}
        </span>
      </p>
    </footer>
  );
}
