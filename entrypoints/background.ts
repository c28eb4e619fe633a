import { browser } from 'wxt/browser';
import type { DraftHit } from '@/lib/adapters/presend';
import { AckBatcher, PIPELINED_MAX } from '@/lib/adapters/acked-port';
import { DraftLink } from '@/lib/adapters/draft-link';
import { PRESEND_PORT } from '@/lib/adapters/presend-client';
import { directAnswerer } from '@/lib/adapters/presend-direct';
import { draftRelay } from '@/lib/adapters/presend-relay';
import { reachable } from '@/lib/background/reachable';
import { offscreenWhenEnrolled } from '@/lib/background/offscreen-start';
import { Router } from '@/lib/background/router';
import type { Message, MessageOf } from '@/lib/messages';
import { overrideStore } from '@/platform/presend-overrides';
import { callControl } from '@/platform/capture';
import { watchConsoleAccess } from '@/platform/content-scripts';
import { ensureOffscreen } from '@/platform/offscreen';
import { onLink } from '@/platform/links';
import { type PortLike, extensionId, extensionOrigin, listen, onConnect, send } from '@/platform/runtime';
import { RETENTION_ALARM, applyRetention } from '@/platform/retention';
import { featureOff, onSyncSettingsChanged } from '@/platform/panel-sync';
import { IdbSessionStore } from '@/platform/session-store';
import { SYNC_ALARM, SyncService } from '@/platform/sync-service';
import { TeamDocuments } from '@/platform/team-documents';
import { recordLog } from '@/platform/diagnostics';
import { lastPipeline, onPanelCommand, rememberPipeline, sendToTab } from '@/platform/panel-bridge';

export default defineBackground(() => {
  const panels = new Set<PortLike>();
  const session = new IdbSessionStore();
  const broadcast = (msg: Message) => {
    for (const p of panels) p.post(msg);
  };
  // The team's published rulebook, checked in the sync cycle and swapped into the analysis worker.
  const documents = new TeamDocuments({ broadcast, log: recordLog });
  // Enrolled: the offscreen document runs from the start (document push, direct draft checks).
  const startOffscreen = offscreenWhenEnrolled({ ensure: ensureOffscreen, log: recordLog });
  const sync = new SyncService({
    session,
    broadcast,
    log: recordLog,
    checkDocuments: (device, force) => {
      // The endpoint pushes publications while this worker lives; the alarm restarts the follow.
      documents.follow(() => sync.enrolment());
      void startOffscreen(true);
      return documents.check(device, force);
    },
  });
  // The offscreen document, asked straight away once it has answered (analyse batches and draft
  // checks alike), looked up and created again only when it did not (lib/background/reachable.ts).
  const offscreen = reachable(ensureOffscreen);
  // Draft checks go to the analysis worker on the draft link, a MessagePort the offscreen document
  // hands over (lib/adapters/draft-link.ts): far cheaper than a one-time runtime message through
  // the document, which is the way while there is none.
  const link = new DraftLink({
    request: () => {
      void send({ type: 'link-request', target: 'offscreen' }).catch(() => {});
    },
  });
  onLink((port) => link.attach(port));
  // Cold browser: the offscreen document may not listen yet; the relay retries until its worker
  // answers, and past the deadline answers "no hits" so the check never holds the agent up.
  const drafts = draftRelay({
    presendOff: () => featureOff('presendCheck'),
    offscreen,
    ask: async (text, conversationId) => {
      const linked = await link.ask(text, conversationId);
      if (linked) return { ok: true, hits: linked.hits };
      return send<{ ok: boolean; hits?: DraftHit[] } | undefined>({
        type: 'check-draft',
        target: 'offscreen',
        text,
        ...(conversationId ? { conversationId } : {}),
      });
    },
    onTimeout: () => recordLog('warn', 'pre-send check: the analysis worker did not answer in time'),
  });
  onSyncSettingsChanged(drafts.settingsChanged);
  const router = new Router({
    store: session,
    overrides: overrideStore(),
    async analyse(utterances) {
      const msg: MessageOf<'analyse'> = { type: 'analyse', target: 'offscreen', utterances: [...utterances] };
      const took = (r: { ok?: boolean } | undefined) => r?.ok === true;
      const ask = () => send<{ ok?: boolean } | undefined>(msg);
      // Not taken (the document closed since): looked up, created if need be, and asked again.
      if (took(await offscreen.ask(ask, took).catch(() => undefined))) return;
      await offscreen.ask(ask, took);
    },
    broadcast,
    log: recordLog,
    sync: (batch) => sync.queue(batch),
    syncNow: () => sync.flush(true),
    teamRulebooks: async () => documents.rulebooks(await sync.enrolment()),
    teamModels: async () => documents.models(await sync.enrolment()),
    documentPush: {
      config: async () => documents.pushConfig(await sync.enrolment()),
      changed: async (changes) => documents.pushed(await sync.enrolment(), changes),
    },
    extensionId: extensionId(),
    extensionOrigin: extensionOrigin(),
    sendToTab,
    rememberPipeline,
    calls: callControl,
    // The pre-send switch is cached until the settings or the policy change; the check goes on
    // the draft link, or to the offscreen document (lib/adapters/presend-relay.ts).
    checkDraft: drafts.check,
  });

  listen((raw, sender) => {
    // The offscreen document answers 'analyse' itself; everything else is ours.
    if ((raw as { target?: string } | null)?.target === 'offscreen') return undefined;
    return router.handle(raw, sender);
  });

  // Console content scripts post their utterances on a long-lived port (issue #6: a one-time
  // sendMessage per batch cost the console's main thread several ms). Handled one after another;
  // the acknowledgements go back together (AckBatcher), oldest batches first, so the console does
  // not handle one incoming message per batch it posts.
  onConnect('console', (port, sender) => {
    let turn = Promise.resolve();
    const acks = new AckBatcher((a) => {
      try {
        port.post({ type: 'utterances-ack', ...a });
      } catch {
        acks.stop(); // the tab went away before its answer
      }
    });
    port.onDisconnect(() => acks.stop());
    port.onMessage((raw) => {
      turn = turn
        .then(async () => {
          const r =
            (raw as { type?: string } | null)?.type === 'utterances'
              ? await router.handle(raw, sender)
              : ({ ok: false, reason: 'only utterances are taken on this port' } as const);
          // A large batch's sender waits for its answer (PIPELINED_MAX): answered at once.
          if (r.ok) acks.taken((raw as { utterances: unknown[] }).utterances.length > PIPELINED_MAX);
          else acks.refused(r.reason.slice(0, 500));
        })
        // Not taken: refused, so the console sends it again (a silent loss would hold it forever).
        .catch((e: unknown) => acks.refused(String(e).slice(0, 500)));
    });
  });

  // The console script's draft checks on its long-lived `presend` port (lib/adapters/presend-direct.ts):
  // a one-time message per keystroke cost more than the rest of the round trip. Same sender check
  // as a `draft-check` message, top frame only; the check itself goes the relay's way.
  const direct = directAnswerer({
    extensionId: extensionId(),
    extensionOrigin: extensionOrigin(),
    presendOn: drafts.presendOn,
    check: drafts.check,
  });
  onConnect(PRESEND_PORT, (port, sender) => {
    const refusal = direct.refusal(sender);
    port.post(
      refusal ? { type: 'presend-ready', ok: false, reason: refusal } : { type: 'presend-ready', ok: true },
    );
    if (refusal) {
      port.disconnect();
      return;
    }
    port.onMessage((raw) => {
      void direct.answer(raw).then((reply) => {
        try {
          if (reply) port.post(reply);
        } catch {
          // The tab went away (or navigated) before its answer.
        }
      });
    });
  });

  onConnect('panel', (port, sender) => {
    if (!sender.url?.startsWith(extensionOrigin())) return;
    panels.add(port);
    port.onDisconnect(() => panels.delete(port));
    port.onMessage(async (raw) => {
      if ((raw as { type?: string } | null)?.type !== 'panel-hello') return;
      port.post(await router.snapshot());
      const pipeline = await lastPipeline().catch(() => undefined);
      if (pipeline) port.post(pipeline);
      port.post({ type: 'sync-state', state: await sync.state() });
    });
  });

  // Keyboard commands (manifest `commands`) act in the side panel, which owns hints and warnings.
  onPanelCommand((command) => {
    for (const p of panels) p.post({ type: 'panel-command', command });
  });

  // The toolbar action (and its shortcut) opens the side panel from our own click handler rather
  // than Chrome's open-on-click behaviour: only a dispatched click grants activeTab, which
  // tabCapture needs to hear the customer's side of a call in this tab. open() is called
  // synchronously in the handler so it keeps the click's user gesture.
  browser.sidePanel?.setPanelBehavior({ openPanelOnActionClick: false }).catch(() => {});
  browser.action.onClicked.addListener((tab) => {
    if (tab.windowId === undefined) return;
    browser.sidePanel?.open({ windowId: tab.windowId }).catch(() => {});
  });

  // Sync wakes on an alarm too: the service worker may have died with findings still queued.
  browser.alarms.create(SYNC_ALARM, { periodInMinutes: 1 });
  // Transcripts older than the retention window (policy or options, default 30 days) are deleted.
  // Created once: re-creating it at every service-worker start would keep pushing it back a day.
  void browser.alarms.get(RETENTION_ALARM).then((a) => {
    if (!a) void browser.alarms.create(RETENTION_ALARM, { periodInMinutes: 24 * 60 });
  });
  const purge = () =>
    applyRetention(session, recordLog).catch((e: unknown) =>
      recordLog('warn', `retention failed: ${String(e)}`),
    );
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name.startsWith(SYNC_ALARM)) void sync.flush();
    if (alarm.name === RETENTION_ALARM) void purge();
  });
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'managed' || 'sotto:sync-settings' in changes) void sync.flush();
  });
  void sync.flush();
  void purge();

  // Console content scripts run only on origins the user granted (issue #6).
  watchConsoleAccess(recordLog);

  // A restarted service worker picks up utterances that were stored but never analysed.
  router.resume().catch((e: unknown) => recordLog('warn', `resume failed: ${String(e)}`));
});
