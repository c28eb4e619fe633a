import { Findings } from './Findings';
import { useT } from './i18n';
import type { PanelStore } from './store';
import { Transcript } from './Transcript';

function Tabs({ store }: { store: PanelStore }) {
  const t = useT();
  const list = store.conversations.value;
  const onKey = (e: KeyboardEvent, i: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = list[(i + step + list.length) % list.length];
    if (next) store.active.value = next.id;
    e.preventDefault();
  };
  return (
    <div class="tabs" role="tablist" aria-label={t('conversationTabsLabel')}>
      {list.map((c, i) => {
        const selected = c.id === store.active.value;
        return (
          <button
            key={c.id}
            type="button"
            role="tab"
            class="tab"
            data-testid="conversation-tab"
            data-conversation={c.id}
            aria-selected={selected}
            tabIndex={selected ? 0 : -1}
            onClick={() => {
              store.active.value = c.id;
            }}
            onKeyDown={(e) => onKey(e, i)}
          >
            <span class="tab__name">{c.id}</span>
            <span class="tab__count">{t('turnCount', String(c.turns.value.length))}</span>
          </button>
        );
      })}
    </div>
  );
}

function StatusLine({ store }: { store: PanelStore }) {
  const t = useT();
  const states = store.attach.value;
  const s = states[states.length - 1];
  const text = !s
    ? t('statusNoConsole')
    : s.attached
      ? t('statusAttached', s.adapterId)
      : t('statusNotAttached', [s.adapterId, s.reason ?? '']);
  return (
    <footer class="status" data-testid="status" data-attached={s?.attached ? 'yes' : 'no'} role="status">
      <span class={`dot ${s?.attached ? 'dot--on' : ''}`} aria-hidden="true" />
      {text}
    </footer>
  );
}

export function App({ store }: { store: PanelStore }) {
  const t = useT();
  const current = store.current.value;
  return (
    <div class="panel">
      <header class="panel__header">
        <h1>{t('panelTitle')}</h1>
      </header>
      <Tabs store={store} />
      <main class="panel__body">
        {current ? (
          <div role="tabpanel" data-testid="conversation" data-conversation={current.id}>
            <Findings findings={current.findings} />
            <Transcript turns={current.turns} />
          </div>
        ) : (
          <p class="empty">{t('noConversations')}</p>
        )}
      </main>
      <StatusLine store={store} />
    </div>
  );
}
