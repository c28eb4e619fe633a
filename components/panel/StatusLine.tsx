/** Attached console, what the analysis runs (models, rulebooks), capture and sync state. */
import { useT } from './i18n';
import type { PanelStore } from './store';

export interface SyncView {
  configured: boolean;
  lastSuccessAt?: number;
  lastError?: string;
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
  const syncText = sync.lastError
    ? t('statusSyncError', sync.lastError)
    : !sync.configured
      ? queued > 0
        ? `${t('statusSyncQueued', String(queued))} · ${t('statusSyncOff')}`
        : t('statusSyncOff')
      : queued > 0
        ? t('statusSyncQueued', String(queued))
        : `${t('statusSyncIdle')}${sync.lastSuccessAt ? ` · ${t('statusSyncLast', clock(sync.lastSuccessAt))}` : ''}`;
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
        <span data-testid="status-sync" data-queued={queued}>
          {syncText}
        </span>
      </p>
    </footer>
  );
}
