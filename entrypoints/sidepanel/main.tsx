import { effect, signal } from '@preact/signals';
import { askMicrophone } from '@/components/call/microphone';
import { render } from 'preact';
import { builtInAdapters } from '@/adapters';
import { type AttachActions, AttachPanel } from '@/components/attach/AttachPanel';
import { App } from '@/components/panel/App';
import { I18n, Lang, makeTranslator, type Translate, uiLangOf } from '@/components/panel/i18n';
import { createLeadStore } from '@/components/panel/lead/store';
import { DEFAULT_SETTINGS, type PanelSettings } from '@/components/panel/Settings';
import type { SyncView } from '@/components/panel/StatusLine';
import { createPanelStore } from '@/components/panel/store';
import { type InsertHintReply, InsertHintReply as InsertHintReplySchema, parseMessage } from '@/lib/messages';
import { ScriptLibrary, mergeLibraries } from '@/lib/scripts';
import { isLeadAction, pushLeadActions } from '@/lib/sync/lead-actions';
import { followAlerts } from '@/lib/sync/sse';
import { t as browserT, uiLanguage } from '@/platform/i18n';
import { desktopNotifier } from '@/platform/notifications';
import {
  copyText,
  feedbackStore,
  loadLocale,
  loadSettings,
  openTab,
  saveSettings,
} from '@/platform/panel-storage';
import { askTab } from '@/platform/content-scripts';
import { activeTab, hasOrigin, onOriginsChanged, requestOrigin } from '@/platform/permissions';
import { connect, send } from '@/platform/runtime';
import { loadAppeals, onSyncSettingsChanged, panelFeedbackOutbox, syncSettings } from '@/platform/panel-sync';
import { loadUserAdapters, onUserAdaptersChanged, saveUserAdapters } from '@/platform/user-adapters';
import { onTeamScriptsChanged, teamScriptLibrary } from '@/platform/team-documents';

// The shipped script library, bundled; a team's library from the endpoint merges over it.
const shipped = Object.entries(
  import.meta.glob<unknown>('../../scripts/library/*.json', { eager: true, import: 'default' }),
).flatMap(([file, json]) => {
  const r = ScriptLibrary.safeParse(json);
  if (!r.success) console.error(`[sotto] script library ${file} is invalid:`, r.error.issues.slice(0, 3));
  return r.success ? [r.data] : [];
});
const library = mergeLibraries(shipped);

const store = createPanelStore({
  scripts: library.scripts,
  checklist: library.checklist,
  feedbackStore,
  feedbackOutbox: panelFeedbackOutbox,
});
const lead = createLeadStore(store.feedback);
/**
 * The hint scripts, with the team's library merged over the shipped ones. Read through a signal,
 * so the hint cards (which read `store.scripts`) render again when a new team library arrives;
 * re-rendering from the root would not reach them, as unchanged props skip a component.
 */
const hintScripts = signal(store.scripts);
Object.defineProperty(store, 'scripts', { get: () => hintScripts.value, enumerable: true });
async function loadTeamScripts(): Promise<void> {
  const team = await teamScriptLibrary().catch(() => undefined);
  hintScripts.value = mergeLibraries(team ? [...shipped, team] : shipped).scripts;
}
const settings = signal<PanelSettings>(DEFAULT_SETTINGS);
const translate = signal<Translate>(browserT);
const sync = signal<SyncView>({ configured: false });
/** Features turned off by enterprise policy or the options page (hints, lead mode). */
const features = signal<{ hints?: boolean; leadMode?: boolean }>({});
async function loadFeatures(): Promise<void> {
  const f = (await syncSettings().catch(() => undefined))?.features ?? {};
  features.value = f;
  // Lead mode turned off while following alerts: stop following.
  if (f.leadMode === false) followLeadAlerts(settings.peek());
}

function open(): void {
  const port = connect('panel');
  port.onMessage((raw) => {
    const r = parseMessage(raw);
    if (r.ok && r.message.type === 'sync-state') {
      const { configured, queued, lastSuccessAt, lastError, needsEnrolment } = r.message.state;
      const before = sync.peek().lastSuccessAt;
      sync.value = {
        configured,
        queued,
        ...(lastSuccessAt !== undefined ? { lastSuccessAt } : {}),
        ...(lastError !== undefined ? { lastError } : {}),
        ...(needsEnrolment ? { needsEnrolment } : {}),
      };
      void store.refreshDelivery().catch(() => {});
      if (configured && (lastSuccessAt !== before || Date.now() - appealsAt > 10_000)) void refreshAppeals();
    } else if (r.ok) store.apply(r.message);
    else console.warn('[sotto] panel ignored a message:', r.reason);
  });
  // The service worker may be stopped; reconnect and take a fresh snapshot when it comes back.
  port.onDisconnect(() => setTimeout(open, 100));
  port.post({ type: 'panel-hello' });
}

const actions = {
  async insertHint(req: { tabId: number; conversationId: string; hintId: string; text: string }) {
    const r = await send<{ ok: boolean; reply?: unknown; reason?: string }>({
      type: 'insert-hint',
      mode: 'replace',
      ...req,
    });
    if (!r?.ok) return { ok: false, reason: r?.reason ?? 'no answer' } satisfies InsertHintReply;
    const reply = InsertHintReplySchema.safeParse(r.reply);
    return reply.success ? reply.data : { ok: false, reason: 'the console did not confirm the insertion' };
  },
  copy: copyText,
};

// Attaching to consoles: host access, "Attach here?", the picker and the user's adapters.
const attachActions: AttachActions = {
  activeTab,
  hasOrigin,
  requestOrigin,
  onOriginsChanged: (fn) => onOriginsChanged(() => fn()),
  propose: (tabId) => askTab(tabId, { type: 'attach-propose' }),
  pick: (tabId) => askTab(tabId, { type: 'attach-pick' }),
  load: async () => (await loadUserAdapters()).specs,
  save: saveUserAdapters,
  onChanged: (fn) => onUserAdaptersChanged((next) => fn(next.specs)),
  copy: copyText,
  builtInIds: builtInAdapters().map((a) => a.id),
};

// "Monitor this call" must come from the agent's click here: tab capture needs a user gesture.
const callControls = {
  start: async (tabId: number) => {
    // Asked here, at the click: the offscreen document cannot prompt. Refused, the customer's
    // side still runs and the strip says why the agent's is missing.
    await askMicrophone();
    return send<{ ok: boolean; reason?: string } | undefined>({ type: 'call-start', tabId, mic: true }).catch(
      () => undefined,
    );
  },
  stop: (tabId: number) => void send({ type: 'call-stop', tabId }).catch(() => {}),
};

/** Language: the browser's unless the agent chose one; a chosen one is read from its messages.json. */
async function applyLanguage(s: PanelSettings): Promise<void> {
  const lang = s.lang === 'auto' ? uiLangOf(uiLanguage()) : s.lang;
  document.documentElement.lang = lang.replace('_', '-');
  translate.value = s.lang === 'auto' ? browserT : makeTranslator(await loadLocale(lang));
}

/** The agent's appeal decisions from the endpoint: at start, after each sync, once a minute. */
let appealsAt = 0;
async function refreshAppeals(): Promise<void> {
  appealsAt = Date.now();
  const got = await loadAppeals();
  if (got) store.appeals.value = got;
}
setInterval(() => void refreshAppeals(), 60_000);

let alertsAbort: AbortController | undefined;
/** Lead mode follows the endpoint's alert stream; desktop notifications unless quiet. */
function followLeadAlerts(s: PanelSettings): void {
  alertsAbort?.abort();
  alertsAbort = undefined;
  if (s.mode !== 'lead' || !s.endpoint || features.peek().leadMode === false) return;
  const ac = new AbortController();
  alertsAbort = ac;
  void followAlerts({
    endpoint: s.endpoint,
    fetch: (url, init) => fetch(url, init),
    getToken: () => s.token || undefined,
    signal: ac.signal,
    onStatus: (st) => {
      lead.connection.value = st;
    },
    onAlert: (a) => {
      if (!lead.add(a) || !a.notify || settings.peek().quiet) return;
      const t = translate.peek();
      void desktopNotifier
        .notify({
          id: `alert-${a.id}`,
          title: t('notifyTitle', a.title),
          message: `${a.agentId ?? ''} · ${a.conversationId}`,
        })
        .catch(() => {});
    },
  });
}

/** A lead's acknowledgements, take-overs and notes go to the endpoint; kept until it took them. */
let pushing = false;
async function pushLead(): Promise<void> {
  const s = settings.peek();
  if (pushing || s.mode !== 'lead' || !s.endpoint || !s.token) return;
  if (!store.feedback.peek().some(isLeadAction)) return;
  pushing = true;
  try {
    const r = await pushLeadActions({
      events: store.feedback.peek(),
      endpoint: s.endpoint,
      token: s.token,
      fetch: (url, init) => fetch(url, init),
    });
    store.markDelivered(r.sent, r.refused);
  } finally {
    pushing = false;
  }
}
effect(() => {
  if (store.feedback.value.some(isLeadAction)) void pushLead();
});
setInterval(() => void pushLead(), 30_000);

function onSettings(next: PanelSettings): void {
  const before = settings.peek();
  settings.value = next;
  void saveSettings(next);
  if (next.lang !== before.lang) void applyLanguage(next);
  if (next.mode !== before.mode || next.endpoint !== before.endpoint || next.token !== before.token)
    followLeadAlerts(next);
  sync.value = { ...sync.peek(), configured: Boolean(next.endpoint) };
}

function Root() {
  const s = settings.value;
  const t = translate.value;
  const lang = s.lang === 'auto' ? uiLangOf(uiLanguage()) : s.lang;
  return (
    <I18n.Provider value={t}>
      <Lang.Provider value={lang}>
        <App
          store={store}
          lead={lead}
          actions={actions}
          settings={s}
          onSettings={onSettings}
          sync={sync.value}
          onOpenUrl={openTab}
          call={callControls}
          features={features.value}
        />
        <AttachPanel attach={store.attach} actions={attachActions} />
      </Lang.Provider>
    </I18n.Provider>
  );
}

async function start(): Promise<void> {
  const s = await loadSettings().catch(() => DEFAULT_SETTINGS);
  settings.value = s;
  sync.value = { configured: Boolean(s.endpoint) };
  await applyLanguage(s).catch(() => {});
  await store.loadFeedback().catch(() => {});
  await loadFeatures();
  onSyncSettingsChanged(() => void loadFeatures());
  // The team's script library (pushed by the endpoint, validated by the service worker) merges
  // over the shipped one; a new version shows at once.
  await loadTeamScripts();
  onTeamScriptsChanged(() => void loadTeamScripts());
  followLeadAlerts(s);
  open();
  void refreshAppeals();
  render(<Root />, document.getElementById('app')!);
}
void start();

// Tests and support read the panel's state here; nothing in it is secret.
effect(() => {
  (window as unknown as { sottoPanel?: unknown }).sottoPanel = { feedback: store.feedback.value };
});
