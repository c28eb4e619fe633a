import { browser } from 'wxt/browser';
import type { DraftHit } from '@/lib/adapters/presend';
import { Router } from '@/lib/background/router';
import type { Message } from '@/lib/messages';
import { callControl } from '@/platform/capture';
import { ensureOffscreen } from '@/platform/offscreen';
import { type PortLike, extensionId, extensionOrigin, listen, onConnect, send } from '@/platform/runtime';
import { IdbSessionStore } from '@/platform/session-store';
import { recordLog } from '@/platform/diagnostics';
import { lastPipeline, onPanelCommand, rememberPipeline, sendToTab } from '@/platform/panel-bridge';

export default defineBackground(() => {
  const panels = new Set<PortLike>();
  const router = new Router({
    store: new IdbSessionStore(),
    async analyse(utterances) {
      await ensureOffscreen();
      await send({ type: 'analyse', target: 'offscreen', utterances: [...utterances] });
    },
    broadcast(msg: Message) {
      for (const p of panels) p.post(msg);
    },
    log: recordLog,
    extensionId: extensionId(),
    extensionOrigin: extensionOrigin(),
    sendToTab,
    rememberPipeline,
    calls: callControl,
    async checkDraft(text, conversationId) {
      await ensureOffscreen();
      const r = await send<{ ok: boolean; hits?: DraftHit[] }>({
        type: 'check-draft',
        target: 'offscreen',
        text,
        ...(conversationId ? { conversationId } : {}),
      });
      return r?.ok && r.hits ? r.hits : [];
    },
  });

  listen((raw, sender) => {
    // The offscreen document answers 'analyse' itself; everything else is ours.
    if ((raw as { target?: string } | null)?.target === 'offscreen') return undefined;
    return router.handle(raw, sender);
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
    });
  });

  // Keyboard commands (manifest `commands`) act in the side panel, which owns hints and warnings.
  onPanelCommand((command) => {
    for (const p of panels) p.post({ type: 'panel-command', command });
  });

  const sidePanel = (browser as unknown as { sidePanel?: { setPanelBehavior(o: object): Promise<void> } })
    .sidePanel;
  sidePanel?.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});

  // A restarted service worker picks up utterances that were stored but never analysed.
  router.resume().catch((e: unknown) => recordLog('warn', `resume failed: ${String(e)}`));
});
