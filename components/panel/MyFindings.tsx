/**
 * The agent's own recent findings across open conversations and a running score (100 plus the
 * rules' score points, never below 0), with an appeal (reason required) queued for the QA endpoint.
 */
import { useState } from 'preact/hooks';
import type { Finding } from '@/lib/finding';
import { useLang, useT } from './i18n';
import { type PanelStore, isWarning } from './store';

export function runningScore(findings: readonly Finding[], dismissed: ReadonlySet<string>): number {
  let s = 100;
  for (const f of findings) {
    if (dismissed.has(f.id)) continue;
    for (const v of Object.values(f.scores)) s += v;
  }
  return Math.max(0, Math.min(100, Math.round(s)));
}

function AppealForm({ onSend, onCancel }: { onSend: (reason: string) => void; onCancel: () => void }) {
  const t = useT();
  const [reason, setReason] = useState('');
  return (
    <form
      class="appeal"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) onSend(reason.trim());
      }}
    >
      <label>
        {t('appealReason')}
        <input
          type="text"
          required
          maxLength={1000}
          data-testid="appeal-reason"
          value={reason}
          onInput={(e) => setReason((e.target as HTMLInputElement).value)}
        />
      </label>
      <div class="finding__actions">
        <button type="submit" class="btn btn--primary" data-testid="appeal-send">
          {t('appealSend')}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function dateOf(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Where an appeal stands: queued on this device, refused, sent, or as QA decided it. */
function AppealState({ store, findingId }: { store: PanelStore; findingId: string }) {
  const t = useT();
  const remote = store.appeals.value.get(findingId);
  const event = store.feedback.value.find((e) => e.type === 'appeal' && e.findingId === findingId);
  let state: string;
  let text: string;
  let comment: string | undefined;
  if (remote) {
    state = remote.state === 'open' ? 'pending' : remote.state;
    text =
      remote.state === 'open'
        ? t('panelAppealPending', dateOf(remote.deadlineAt ?? Date.now()))
        : t(remote.state === 'accepted' ? 'panelAppealAccepted' : 'panelAppealRejected');
    comment = remote.decisionComment ?? undefined;
  } else if (event?.refused !== undefined) {
    state = 'refused';
    text = t('panelAppealRefused', event.refused);
  } else if (event?.synced) {
    state = 'sent';
    text = t('panelAppealSent');
  } else {
    state = 'queued';
    text = t('appealQueued');
  }
  return (
    <span class={`appeal-state appeal-state--${state}`} data-testid="appeal-state" data-state={state}>
      <span class="chip" data-testid={state === 'queued' ? 'appeal-queued' : undefined}>
        {text}
      </span>
      {comment ? (
        <span class="appeal-state__comment" data-testid="appeal-comment">
          {t('panelAppealQaComment', comment)}
        </span>
      ) : null}
    </span>
  );
}

export function MyFindings({ store, limit = 8 }: { store: PanelStore; limit?: number }) {
  const t = useT();
  const lang = useLang();
  const [appealing, setAppealing] = useState<string | undefined>();
  const all = store.conversations.value.flatMap((c) =>
    c.findings.value.filter(isWarning).map((f) => ({ f, fb: c.feedback.value })),
  );
  const dismissed = new Set(all.filter(({ f, fb }) => fb.wrong.has(f.id)).map(({ f }) => f.id));
  const score = runningScore(
    all.map(({ f }) => f),
    dismissed,
  );
  const recent = [...all].sort((a, b) => b.f.ts - a.f.ts).slice(0, limit);
  return (
    <section class="card" aria-labelledby="mine-title" data-testid="my-findings">
      <h2 class="card__title" id="mine-title">
        {t('myFindings')}{' '}
        <span class="count" data-testid="my-score" data-score={score} title={t('myScoreLabel')}>
          {t('myScore', String(score))}
        </span>
      </h2>
      {recent.length === 0 ? (
        <p class="muted">{t('noMyFindings')}</p>
      ) : (
        <ul class="mine">
          {recent.map(({ f, fb }) => (
            <li key={f.id} class="mine__item" data-testid="my-finding" data-rule={f.ruleId ?? ''}>
              <span class={`sev sev--${f.severity}`}>{t(`severity_${f.severity.replace('-', '_')}`)}</span>{' '}
              <span>{f.names?.[lang] ?? f.title ?? f.ruleId}</span>{' '}
              <span class="muted">· {f.conversationId}</span>
              {fb.appealed.has(f.id) || store.appeals.value.has(f.id) ? (
                <AppealState store={store} findingId={f.id} />
              ) : appealing === f.id ? (
                <AppealForm
                  onCancel={() => setAppealing(undefined)}
                  onSend={(reason) => {
                    store.record({
                      type: 'appeal',
                      conversationId: f.conversationId,
                      findingId: f.id,
                      ...(f.ruleId ? { ruleId: f.ruleId } : {}),
                      reason,
                    });
                    setAppealing(undefined);
                  }}
                />
              ) : (
                <button
                  type="button"
                  class="btn btn--quiet"
                  data-testid="appeal"
                  onClick={() => setAppealing(f.id)}
                >
                  {t('appeal')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
