/** The customer's mood over the latest turns, one coloured cell per customer turn, and the intent. */
import type { ConversationView } from './store';
import { useT } from './i18n';

export function MoodStrip({ conversation }: { conversation: ConversationView }) {
  const t = useT();
  const mood = conversation.mood.value;
  const intent = conversation.intent.value;
  return (
    <div class="mood" data-testid="mood">
      <div class="mood__row">
        <span class="mood__label" id={`mood-${conversation.id}`}>
          {t('moodStrip')}
        </span>
        <span class="mood__intent" data-testid="current-intent" data-intent={intent ?? ''}>
          {t('currentIntent')}: <strong>{intent ? t(`intent_${intent}`) : t('intentUnknown')}</strong>
        </span>
      </div>
      {mood.length === 0 ? (
        <p class="muted mood__empty">{t('moodEmpty')}</p>
      ) : (
        <ol class="mood__strip" aria-labelledby={`mood-${conversation.id}`}>
          {mood.map((p) => {
            const label = p.emotion ? t(`emotion_${p.emotion}`) : t('emotion_pending');
            return (
              <li
                key={p.seq}
                class={`mood__cell mood__cell--${p.emotion ?? 'pending'}`}
                data-testid="mood-cell"
                data-emotion={p.emotion ?? ''}
                title={t('moodTurn', [String(p.seq + 1), label])}
              >
                <span class="sr-only">{t('moodTurn', [String(p.seq + 1), label])}</span>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
