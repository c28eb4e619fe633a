/** The customer's mood over the latest turns, one coloured cell per customer turn, and the intent. */
import { memo } from 'preact/compat';
import type { Emotion } from '@/lib/labels';
import { useT } from './i18n';
import type { ConversationView } from './store';

/** One cell per customer turn; memoised, so a new turn renders its own cell only. */
const MoodCell = memo(function MoodCell({ seq, emotion }: { seq: number; emotion: Emotion | undefined }) {
  const t = useT();
  const label = t('moodTurn', [String(seq + 1), emotion ? t(`emotion_${emotion}`) : t('emotion_pending')]);
  return (
    <li
      class={`mood__cell mood__cell--${emotion ?? 'pending'}`}
      data-testid="mood-cell"
      data-emotion={emotion ?? ''}
      title={label}
    >
      <span class="sr-only">{label}</span>
    </li>
  );
});

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
          {mood.map((p) => (
            <MoodCell key={p.seq} seq={p.seq} emotion={p.emotion} />
          ))}
        </ol>
      )}
    </div>
  );
}
