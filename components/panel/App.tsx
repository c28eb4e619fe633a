import { useEffect, useRef, useState } from 'preact/hooks';
import type { PanelActions } from './actions';
import { type CallControls, CallStrip } from '../call/CallStrip';
import { Checklist } from './Checklist';
import { type InsertOutcome, HintCards, applyHint, hintsFor } from './HintCards';
import { useLang, useT } from './i18n';
import { LeadView } from './lead/LeadView';
import type { LeadStore } from './lead/store';
import { MoodStrip } from './MoodStrip';
import { MyFindings } from './MyFindings';
import { type PanelSettings, Settings } from './Settings';
import { StatusLine, type SyncView } from './StatusLine';
import type { PanelStore } from './store';
import { Transcript } from './Transcript';
import { Warnings } from './Warnings';

function Tabs({ store }: { store: PanelStore }) {
  const t = useT();
  const list = store.conversations.value;
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const j = (i + step + list.length) % list.length;
    const next = list[j];
    if (next) store.active.value = next.id;
    refs.current[j]?.focus();
    e.preventDefault();
  };
  return (
    <div class="tabs" role="tablist" aria-label={t('conversationTabsLabel')}>
      {list.map((c, i) => {
        const selected = c.id === store.active.value;
        const worst = c.warnings.value[0]?.severity;
        return (
          <button
            key={c.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            class={`tab${worst ? ` tab--${worst}` : ''}`}
            data-testid="conversation-tab"
            data-conversation={c.id}
            id={`tab-${c.id}`}
            aria-selected={selected}
            aria-controls="conversation-panel"
            tabIndex={selected ? 0 : -1}
            onClick={() => {
              store.active.value = c.id;
            }}
            onKeyDown={(e) => onKey(e, i)}
          >
            <span class="tab__name">{c.id}</span>
            <span class="tab__count">
              {t('turnCount', String(c.turns.value.length))}
              {c.warnings.value.length > 0 ? ` · ⚠ ${c.warnings.value.length}` : ''}
            </span>
          </button>
        );
      })}
    </div>
  );
}

export interface AppProps {
  store: PanelStore;
  lead: LeadStore;
  actions: PanelActions;
  settings: PanelSettings;
  onSettings: (next: PanelSettings) => void;
  sync: SyncView;
  now?: () => number;
  onOpenUrl?: (url: string) => void;
  /** Start and stop call monitoring; absent where the platform cannot capture audio. */
  call?: CallControls;
  /** Features the organisation or the options page turned off (`false`); absent means on. */
  features?: { hints?: boolean; leadMode?: boolean };
}

export function App({
  store,
  lead,
  actions,
  settings,
  onSettings,
  sync,
  now = Date.now,
  onOpenUrl = () => {},
  call,
  features,
}: AppProps) {
  const t = useT();
  const lang = useLang();
  const current = store.current.value;
  const [showSettings, setShowSettings] = useState(false);
  const [outcomes, setOutcomes] = useState<ReadonlyMap<string, InsertOutcome>>(new Map());
  const [focusId, setFocusId] = useState<string | undefined>();
  const onOutcome = (id: string, o: InsertOutcome) => setOutcomes((m) => new Map(m).set(id, o));
  const leadAllowed = features?.leadMode !== false;
  const hintsOn = features?.hints !== false;
  const mode = leadAllowed ? settings.mode : 'agent';

  // Keyboard commands from the manifest, delivered by the background.
  const cmd = store.command.value;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per command, with the state of that moment
  useEffect(() => {
    if (!cmd) return;
    if (mode === 'lead') {
      if (cmd.command !== 'acknowledge') return;
      const open = lead.visible.peek().find((a) => !lead.states.peek().get(a.id)?.acked);
      if (open)
        store.record({
          type: 'lead-ack',
          conversationId: open.conversationId,
          alertId: open.id,
          ruleId: open.ruleKey,
        });
      return;
    }
    if (!current) return;
    const warnings = current.warnings.peek();
    if (cmd.command === 'insert-top-hint') {
      if (!hintsOn) return;
      const top = hintsFor(store, current, lang)[0];
      if (top) void applyHint(store, actions, current.id, top).then((o) => onOutcome(top.id, o));
    } else if (cmd.command === 'next-warning') {
      if (warnings.length === 0) return;
      const i = warnings.findIndex((w) => w.id === focusId);
      const next = warnings[(i + 1) % warnings.length]!;
      setFocusId(next.id);
      document.querySelector<HTMLElement>(`[data-finding="${next.id}"]`)?.focus();
    } else if (cmd.command === 'acknowledge') {
      const target =
        warnings.find((w) => w.id === focusId) ??
        warnings.find((w) => !current.feedback.peek().acked.has(w.id));
      if (target)
        store.record({
          type: 'ack',
          conversationId: current.id,
          findingId: target.id,
          ...(target.ruleId ? { ruleId: target.ruleId } : {}),
        });
    }
  }, [cmd]);

  const newest = current?.warnings.value.reduce<(typeof current.warnings.value)[number] | undefined>(
    (a, w) => (!a || w.ts > a.ts ? w : a),
    undefined,
  );
  return (
    <div class="panel">
      <header class="panel__header">
        <h1>{t('panelTitle')}</h1>
        <fieldset class="mode">
          <legend class="sr-only">{t('modeLabel')}</legend>
          {(leadAllowed ? (['agent', 'lead'] as const) : (['agent'] as const)).map((m) => (
            <button
              key={m}
              type="button"
              class="btn btn--quiet"
              data-testid={`mode-${m}`}
              aria-pressed={mode === m}
              onClick={() => onSettings({ ...settings, mode: m })}
            >
              {t(m === 'agent' ? 'modeAgent' : 'modeLead')}
            </button>
          ))}
          <button
            type="button"
            class="btn btn--quiet"
            data-testid="open-settings"
            aria-expanded={showSettings}
            onClick={() => setShowSettings(!showSettings)}
          >
            {t('settings')}
          </button>
        </fieldset>
      </header>
      {showSettings ? (
        <Settings settings={settings} onChange={onSettings} onClose={() => setShowSettings(false)} />
      ) : null}
      <p class="sr-only" aria-live="assertive" data-testid="announce">
        {newest ? t('liveAnnounceWarning', newest.names?.[lang] ?? newest.title ?? newest.ruleId ?? '') : ''}
      </p>
      {mode === 'lead' ? (
        <main class="panel__body">
          <LeadView
            store={store}
            lead={lead}
            configured={Boolean(settings.endpoint)}
            now={now}
            onOpen={onOpenUrl}
          />
        </main>
      ) : (
        <>
          <Tabs store={store} />
          <main class="panel__body">
            {current ? (
              <div
                role="tabpanel"
                id="conversation-panel"
                aria-labelledby={`tab-${current.id}`}
                data-testid="conversation"
                data-conversation={current.id}
                class="conversation"
              >
                <MoodStrip conversation={current} />
                <CallStrip store={store} conversationId={current.id} controls={call} />
                <Warnings store={store} conversation={current} now={now} focusId={focusId} />
                {hintsOn ? (
                  <HintCards
                    store={store}
                    conversation={current}
                    actions={actions}
                    outcomes={outcomes}
                    onOutcome={onOutcome}
                  />
                ) : null}
                <Checklist store={store} conversation={current} />
                <Transcript turns={current.turns} />
                <MyFindings store={store} />
              </div>
            ) : (
              <p class="empty">{t('noConversations')}</p>
            )}
          </main>
        </>
      )}
      <StatusLine store={store} sync={sync} />
    </div>
  );
}
