/** The lead's live alert list: agent, conversation, evidence, age; acknowledge, take over, note. */
import { useEffect, useState } from 'preact/hooks';
import type { Severity } from '@/lib/finding';
import type { Alert } from '@/lib/sync/protocol';
import { useT } from '../i18n';
import type { PanelStore } from '../store';
import { type AlertState, type LeadStore, ageText } from './store';

const SEVERITIES: Severity[] = ['hint', 'warning', 'critical', 'auto-fail'];

function AlertCard({
  alert: a,
  state,
  store,
  now,
  onOpen,
}: {
  alert: Alert;
  state: AlertState | undefined;
  store: PanelStore;
  now: number;
  onOpen: (url: string) => void;
}) {
  const t = useT();
  const [noting, setNoting] = useState(false);
  const [note, setNote] = useState('');
  const base = { conversationId: a.conversationId, alertId: a.id, ruleId: a.ruleKey };
  return (
    <li
      class={`alert finding finding--${a.severity}${state?.acked ? ' finding--acked' : ''}`}
      data-testid="alert"
      data-alert={a.id}
      data-severity={a.severity}
      tabIndex={-1}
      aria-labelledby={`alert-${a.id}`}
    >
      <div class="finding__head">
        <span class={`sev sev--${a.severity}`}>{t(`severity_${a.severity.replace('-', '_')}`)}</span>
        <span class="finding__title" id={`alert-${a.id}`}>
          {a.kind === 'repeat-contact' ? `${t('leadRepeat')}: ` : ''}
          {a.title}
        </span>
      </div>
      <p class="alert__meta">
        {a.agentId ? t('leadAgent', a.agentId) : ''} · {a.conversationId} ·{' '}
        <span data-testid="alert-age">{t('leadAge', ageText(t, now - a.createdAt))}</span>
      </p>
      {state?.notes.map((n, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: notes are append-only
        <p key={i} class="alert__note" data-testid="alert-note-text">
          {n}
        </p>
      ))}
      <div class="finding__actions">
        {state?.acked ? (
          <span class="chip">{t('leadAcked')}</span>
        ) : (
          <button
            type="button"
            class="btn btn--primary"
            data-testid="alert-ack"
            onClick={() => store.record({ type: 'lead-ack', ...base })}
          >
            {t('leadAck')}
          </button>
        )}
        {state?.tookOver ? (
          <span class="chip">{t('leadTookOver')}</span>
        ) : (
          <button
            type="button"
            class="btn"
            data-testid="alert-takeover"
            onClick={() => store.record({ type: 'take-over', ...base })}
          >
            {t('leadTakeOver')}
          </button>
        )}
        <button
          type="button"
          class="btn"
          data-testid="alert-note"
          aria-expanded={noting}
          onClick={() => setNoting(!noting)}
        >
          {t('leadNote')}
        </button>
        <button
          type="button"
          class="btn btn--quiet"
          data-testid="alert-evidence"
          onClick={() => onOpen(a.evidenceUrl)}
        >
          {t('leadEvidence')}
        </button>
      </div>
      {noting ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!note.trim()) return;
            store.record({ type: 'note', ...base, reason: note.trim() });
            setNote('');
            setNoting(false);
          }}
        >
          <label>
            {t('leadNoteLabel')}
            <input
              type="text"
              maxLength={1000}
              data-testid="alert-note-input"
              value={note}
              onInput={(e) => setNote((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="btn btn--primary" data-testid="alert-note-save">
            {t('leadNoteSave')}
          </button>
        </form>
      ) : null}
    </li>
  );
}

export function LeadView({
  store,
  lead,
  configured,
  now,
  onOpen,
}: {
  store: PanelStore;
  lead: LeadStore;
  configured: boolean;
  now: () => number;
  onOpen: (url: string) => void;
}) {
  const t = useT();
  const [tick, setTick] = useState(now());
  useEffect(() => {
    const id = setInterval(() => setTick(now()), 5000); // ages move slowly; no need for 1 s
    return () => clearInterval(id);
  }, [now]);
  const list = lead.visible.value;
  const states = lead.states.value;
  const conn = lead.connection.value;
  return (
    <section class="card" aria-labelledby="lead-title" data-testid="lead">
      <h2 class="card__title" id="lead-title">
        {t('leadAlerts')} <span class="count">{list.length}</span>
      </h2>
      <p class="muted" role="status" data-testid="lead-connection">
        {!configured
          ? t('leadStreamSetup')
          : conn?.connected
            ? t('leadStreamOn')
            : t('leadStreamOff', conn?.error ?? '…')}
      </p>
      <label class="field">
        {t('leadFilter')}{' '}
        <select
          data-testid="lead-filter"
          value={lead.minSeverity.value}
          onChange={(e) => {
            lead.minSeverity.value = (e.target as HTMLSelectElement).value as Severity | 'all';
          }}
        >
          <option value="all">{t('leadFilterAll')}</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {t(`severity_${s.replace('-', '_')}`)}
            </option>
          ))}
        </select>
      </label>
      {list.length === 0 ? (
        <p class="muted">{t('leadNoAlerts')}</p>
      ) : (
        <ul class="findings">
          {list.map((a) => (
            <AlertCard
              key={a.id}
              alert={a}
              state={states.get(a.id)}
              store={store}
              now={Math.max(tick, now())}
              onOpen={onOpen}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
