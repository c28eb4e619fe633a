/** The must-say checklist of the conversation: ticks itself as the agent says things, with deadlines. */
import { useEffect } from 'preact/hooks';
import { useLang, useT } from './i18n';
import type { ConversationView, PanelStore } from './store';

const ICON = { done: '✓', pending: '○', overdue: '!', missed: '✗' } as const;

export function Checklist({ store, conversation }: { store: PanelStore; conversation: ConversationView }) {
  const t = useT();
  const lang = useLang();
  const items = conversation.checklist.value;
  const timed = store.hasTimedDeadline(conversation.id);
  // Time deadlines count down without new turns; turn deadlines move only when a turn arrives.
  useEffect(() => {
    if (!timed) return;
    const id = setInterval(() => store.refreshChecklist(conversation.id), 1000);
    return () => clearInterval(id);
  }, [timed, store, conversation.id]);
  const done = items.filter((i) => i.status === 'done').length;
  return (
    <section class="card" aria-labelledby="checklist-title" data-testid="checklist">
      <h2 class="card__title" id="checklist-title">
        {t('checklist')}{' '}
        {items.length > 0 ? (
          <span class="count">{t('checklistProgress', [String(done), String(items.length)])}</span>
        ) : null}
      </h2>
      {items.length === 0 ? (
        <p class="muted">{t('checklistEmpty')}</p>
      ) : (
        <ul class="checklist">
          {items.map((i) => (
            <li
              key={i.id}
              class={`check check--${i.status}`}
              data-testid="checklist-item"
              data-item={i.id}
              data-status={i.status}
            >
              <span class="check__icon" aria-hidden="true">
                {ICON[i.status]}
              </span>
              <span class="check__label">{i.label[lang]}</span>
              <span class="check__state">
                {i.status === 'pending' && i.turnsLeft !== undefined
                  ? t('checklistDueTurns', String(i.turnsLeft))
                  : i.status === 'pending' && i.msLeft !== undefined
                    ? t('checklistDueSeconds', String(Math.ceil(i.msLeft / 1000)))
                    : t(`checklist${i.status[0]!.toUpperCase()}${i.status.slice(1)}`)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
