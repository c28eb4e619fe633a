import type { ReadonlySignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { Turn } from './store';
import { useT } from './i18n';

function TurnRow({ turn }: { turn: Turn }) {
  const t = useT();
  const u = turn.utterance.value;
  const emotion = turn.analysis.value?.emotion;
  const intent = turn.analysis.value?.intent;
  return (
    <li
      class={`turn turn--${u.speaker}`}
      data-testid="turn"
      data-seq={u.seq}
      data-speaker={u.speaker}
      data-emotion={emotion?.label ?? ''}
    >
      <div class="turn__meta">
        <span class="turn__speaker">{t(`speaker_${u.speaker}`)}</span>
        {emotion ? (
          <span
            class={`badge badge--${emotion.label}`}
            data-testid="emotion"
            title={`${Math.round((emotion.probs[emotion.label] ?? 0) * 100)}%`}
          >
            {t(`emotion_${emotion.label}`)}
          </span>
        ) : (
          <span class="badge badge--pending">{t('emotion_pending')}</span>
        )}
        {intent && u.speaker === 'customer' ? (
          <span class="chip" data-testid="intent">
            {intent.label.replace(/_/g, ' ')}
          </span>
        ) : null}
      </div>
      <p class="turn__text" data-testid="turn-text">
        {u.text}
      </p>
    </li>
  );
}

export function Transcript({ turns }: { turns: ReadonlySignal<Turn[]> }) {
  const t = useT();
  const end = useRef<HTMLLIElement>(null);
  const list = turns.value;
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [list.length]);
  return (
    <section class="card" aria-label={t('transcript')}>
      <h2 class="card__title">{t('transcript')}</h2>
      <ol class="transcript" data-testid="transcript" aria-live="polite">
        {list.map((turn) => (
          <TurnRow key={`${turn.utterance.peek().conversationId}#${turn.utterance.peek().seq}`} turn={turn} />
        ))}
        <li ref={end} aria-hidden="true" class="transcript__end" />
      </ol>
    </section>
  );
}
