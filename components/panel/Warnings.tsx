/**
 * Compliance warnings: the evidence quoted with the matched words highlighted, the rule's reason,
 * what to say instead, and — for rules that escalate — a countdown until the lead is alerted that
 * disappears when the agent corrects it. Severity decides prominence (auto-fail and critical first,
 * with a stronger frame). "This is wrong" (optional reason) and snooze are kept per conversation.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Finding } from '@/lib/finding';
import { useLang, useT } from './i18n';
import { segments } from './Transcript';
import type { ConversationView, PanelStore } from './store';

/** Seconds left before a warning escalates to the lead, or undefined when it does not escalate. */
export function secondsLeft(f: Finding, now: number): number | undefined {
  const window = f.actions?.escalate?.selfCorrectSeconds;
  if (window === undefined || window <= 0) return undefined;
  return Math.max(0, Math.ceil((f.ts + window * 1000 - now) / 1000));
}

/** Re-renders every second while some countdown runs; no timer otherwise. */
function useClock(running: boolean, now: () => number): number {
  const [t, setT] = useState(now());
  useEffect(() => {
    if (!running) return;
    const id = setInterval(() => setT(now()), 1000);
    return () => clearInterval(id);
  }, [running, now]);
  return running ? Math.max(t, now()) : now();
}

/** A finding's evidence grouped by turn, so a turn with several matches is quoted once. */
function evidenceByTurn(f: Finding): { seq: number; spans: Finding['evidence'] }[] {
  const by = new Map<number, Finding['evidence']>();
  for (const e of f.evidence) by.set(e.seq, [...(by.get(e.seq) ?? []), e]);
  return [...by].map(([seq, spans]) => ({ seq, spans }));
}

const CONTEXT = 40;

/** The turn around its matches (long turns clipped), the matched words highlighted. */
function Excerpt({
  text,
  spans,
  severity,
}: {
  text: string;
  spans: Finding['evidence'];
  severity: Finding['severity'];
}) {
  const from = Math.max(0, Math.min(...spans.map((e) => e.start)) - CONTEXT);
  const to = Math.min(text.length, Math.max(...spans.map((e) => e.end)) + CONTEXT);
  const parts = segments(
    text.slice(from, to),
    spans.map((e) => ({ start: e.start - from, end: e.end - from, severity, findingId: '' })),
  );
  return (
    <>
      {from > 0 ? '…' : ''}
      {parts.map((p, i) =>
        // biome-ignore lint/suspicious/noArrayIndexKey: segments of one text have no other identity
        p.mark ? <mark key={i}>{p.text}</mark> : p.text,
      )}
      {to < text.length ? '…' : ''}
    </>
  );
}

function WarningCard({
  finding: f,
  store,
  conversation,
  now,
  focusId,
}: {
  finding: Finding;
  store: PanelStore;
  conversation: ConversationView;
  now: number;
  focusId: string | undefined;
}) {
  const t = useT();
  const lang = useLang();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const fb = conversation.feedback.value;
  const acked = fb.acked.has(f.id);
  const left = secondsLeft(f, now);
  const title = f.names?.[lang] ?? f.title ?? f.ruleId ?? f.model ?? '';
  const why = f.actions?.warning?.text[lang];
  const instead = f.actions?.hint?.text[lang];
  const turnText = (seq: number) =>
    conversation.turns
      .peek()
      .find((x) => x.utterance.peek().seq === seq)
      ?.utterance.peek().text;
  const record = (type: 'wrong' | 'resolved' | 'ack' | 'snooze', extra: { reason?: string } = {}) =>
    store.record({
      type,
      conversationId: conversation.id,
      findingId: f.id,
      ...(f.ruleId ? { ruleId: f.ruleId } : {}),
      ...extra,
    });
  const prominent = f.severity === 'auto-fail' || f.severity === 'critical';
  return (
    <li
      class={`finding finding--${f.severity}${acked ? ' finding--acked' : ''}`}
      data-testid="finding"
      data-finding={f.id}
      data-rule={f.ruleId ?? f.model ?? ''}
      data-severity={f.severity}
      // The card is a focus target for "next warning" (Alt+Shift+W).
      tabIndex={-1}
      aria-labelledby={`w-${f.id}`}
      {...(focusId === f.id ? { 'data-focused': 'yes' } : {})}
    >
      <div class="finding__head">
        <span class={`sev sev--${f.severity}`}>{t(`severity_${f.severity.replace('-', '_')}`)}</span>
        <span class="finding__title" id={`w-${f.id}`}>
          {title}
        </span>
      </div>
      {evidenceByTurn(f).map(({ seq, spans }) => {
        const full = f.category === 'presend-override' ? undefined : turnText(seq);
        const fits = full !== undefined && spans.every((e) => e.end <= full.length && e.end > e.start);
        return (
          <blockquote
            key={seq}
            class="evidence"
            data-testid="evidence"
            data-seq={seq}
            aria-label={t('warningEvidenceLabel', String(seq + 1))}
          >
            {fits ? (
              <Excerpt text={full} spans={spans} severity={f.severity} />
            ) : (
              spans.map((e, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: spans of one finding have no other identity
                <mark key={i}>{e.text}</mark>
              ))
            )}
          </blockquote>
        );
      })}
      {why ? (
        <p class="finding__why" data-testid="warning-reason">
          <strong>{t('warningReason')}: </strong>
          {why}
        </p>
      ) : null}
      {instead ? (
        <p class="finding__instead" data-testid="warning-instead">
          <strong>{t('warningSayInstead')}: </strong>
          {instead}
        </p>
      ) : null}
      {left !== undefined ? (
        left > 0 ? (
          <p
            class={`countdown${prominent ? ' countdown--urgent' : ''}`}
            data-testid="countdown"
            data-seconds={left}
          >
            {t('warningCountdown', String(left))}
          </p>
        ) : (
          <p class="countdown countdown--done" data-testid="escalated">
            {t('warningEscalated')}
          </p>
        )
      ) : null}
      <div class="finding__actions">
        {left !== undefined && left > 0 ? (
          <button
            type="button"
            class="btn btn--primary"
            data-testid="warning-corrected"
            onClick={() => record('resolved')}
          >
            {t('warningCorrected')}
          </button>
        ) : null}
        {!acked ? (
          <button type="button" class="btn" data-testid="warning-ack" onClick={() => record('ack')}>
            {t('warningAck')}
          </button>
        ) : null}
        <button
          type="button"
          class="btn"
          data-testid="warning-wrong"
          aria-expanded={asking}
          onClick={() => setAsking(!asking)}
        >
          {t('warningWrong')}
        </button>
        {f.ruleId ? (
          <button
            type="button"
            class="btn btn--quiet"
            data-testid="warning-snooze"
            onClick={() => record('snooze')}
          >
            {t('warningSnooze')}
          </button>
        ) : null}
      </div>
      {asking ? (
        <form
          class="finding__wrong"
          onSubmit={(e) => {
            e.preventDefault();
            record('wrong', reason.trim() ? { reason: reason.trim() } : {});
            setAsking(false);
          }}
        >
          <label>
            {t('warningWrongReason')}
            <input
              type="text"
              data-testid="warning-wrong-reason"
              maxLength={1000}
              value={reason}
              onInput={(e) => setReason((e.target as HTMLInputElement).value)}
            />
          </label>
          <div class="finding__actions">
            <button type="submit" class="btn btn--primary" data-testid="warning-wrong-send">
              {t('warningWrongSend')}
            </button>
            <button type="button" class="btn" onClick={() => setAsking(false)}>
              {t('cancel')}
            </button>
          </div>
        </form>
      ) : null}
    </li>
  );
}

export function Warnings({
  store,
  conversation,
  now,
  focusId,
}: {
  store: PanelStore;
  conversation: ConversationView;
  now: () => number;
  focusId?: string | undefined;
}) {
  const t = useT();
  const lang = useLang();
  const list = conversation.warnings.value;
  const fb = conversation.feedback.value;
  const clockNow = useClock(
    list.some((f) => (secondsLeft(f, now()) ?? 0) > 0),
    now,
  );
  const wrongCount = conversation.findings.value.filter((f) => fb.wrong.has(f.id)).length;
  const snoozed = [...fb.snoozed];
  const nameOf = (ruleId: string) => {
    const f = conversation.findings.value.find((x) => x.ruleId === ruleId);
    return f?.names?.[lang] ?? f?.title ?? ruleId;
  };
  return (
    <section class="card" aria-labelledby="warnings-title" data-testid="warnings">
      <h2 class="card__title" id="warnings-title">
        {t('warnings')} <span class="count">{list.length}</span>
      </h2>
      {list.length === 0 ? (
        <p class="muted">{t('noWarnings')}</p>
      ) : (
        <ul class="findings" data-testid="findings">
          {list.map((f) => (
            <WarningCard
              key={f.id}
              finding={f}
              store={store}
              conversation={conversation}
              now={clockNow}
              focusId={focusId}
            />
          ))}
        </ul>
      )}
      {wrongCount > 0 ? (
        <p class="muted" role="status" data-testid="wrong-recorded">
          {t('warningWrongDone')}
        </p>
      ) : null}
      {snoozed.map((ruleId) => (
        <p key={ruleId} class="muted snoozed" data-testid="snoozed" data-rule={ruleId}>
          {t('warningSnoozed', nameOf(ruleId))}{' '}
          <button
            type="button"
            class="btn btn--quiet"
            onClick={() => store.record({ type: 'unsnooze', conversationId: conversation.id, ruleId })}
          >
            {t('warningUnsnooze')}
          </button>
        </p>
      ))}
    </section>
  );
}
