/**
 * The primary call route end to end: tab capture. The agent invokes Sotto on the softphone's tab
 * (here through the DevTools protocol's `Extensions.triggerAction`, which counts as the toolbar
 * action and grants `activeTab`), then presses "Monitor this call" in the side panel: the
 * background gets a `chrome.tabCapture` stream id, the offscreen document redeems it and analyses
 * the customer's side, and plays the tab's audio back so the agent still hears the customer.
 *
 * Tab capture fails with `--use-fake-ui-for-media-stream`, so the microphone is granted to the
 * extension in the profile before launch instead (TOOLCHAIN.md, "Call audio").
 */
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallState } from '../../lib/audio/call-state';
import { DEV_EXTENSION_ID } from '../../lib/extension-key';
import {
  callEvents,
  callStates,
  launchSoftphone,
  openCallPanel,
  type Softphone,
  waitForLiveCall,
} from './pages/softphone';

let softphone: Softphone;
let browserCdp: CDPSession;
let panel: Page;
let phone: Page;

const sw = () => softphone.serviceWorker()!;
const states = () => callStates(panel);
const events = () => callEvents(panel);

beforeAll(async () => {
  // The agent allowed the microphone to Sotto once (what the side panel's prompt records).
  softphone = await launchSoftphone({ name: 'tabcap', tailS: 5, mic: 'profile' });
  browserCdp = await softphone.context.browser()!.newBrowserCDPSession();
  panel = await openCallPanel(softphone.context);
  phone = await softphone.open();
}, 180_000);

afterAll(async () => {
  await browserCdp?.detach().catch(() => {});
  await softphone?.close();
});

interface WebAudioEvent {
  method: string;
  params: {
    node?: { nodeId: string; nodeType: string };
    context?: { contextState: string };
    sourceId?: string;
    destinationId?: string;
  };
}

/**
 * Follows the offscreen document's Web Audio graph over the DevTools protocol (the document has no
 * page object in Playwright: its target is reached through the browser session).
 */
async function watchOffscreenAudio(): Promise<{ routedToOutput(): boolean }> {
  const url = `chrome-extension://${DEV_EXTENSION_ID}/offscreen.html`;
  // Opened ahead of "Monitor this call" (as the side panel's text models open it) so the graph is
  // followed from its first node; the background reuses an open one (platform/offscreen.ts).
  await sw().evaluate(async () => {
    const contexts = await chrome.runtime.getContexts({
      contextTypes: ['OFFSCREEN_DOCUMENT' as chrome.runtime.ContextType],
    });
    if (contexts.length === 0)
      await chrome.offscreen.createDocument({
        url: '/offscreen.html',
        reasons: ['WORKERS' as chrome.offscreen.Reason, 'USER_MEDIA' as chrome.offscreen.Reason],
        justification: 'Run the analysis models in a Web Worker and analyse call audio',
      });
  });
  let target: string | undefined;
  await expect
    .poll(
      async () => {
        const { targetInfos } = await browserCdp.send('Target.getTargets', { filter: [{}] });
        target = targetInfos.find((t) => t.url === url && t.type !== 'tab')?.targetId;
        return target;
      },
      { timeout: 15_000 },
    )
    .toBeDefined();
  const { sessionId } = await browserCdp.send('Target.attachToTarget', { targetId: target!, flatten: false });
  const got: WebAudioEvent[] = [];
  const pending = new Map<number, () => void>();
  browserCdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message) as { id?: number } & Partial<WebAudioEvent>;
    if (m.id !== undefined) pending.get(m.id)?.();
    else if (m.method?.startsWith('WebAudio.')) got.push(m as WebAudioEvent);
  });
  await new Promise<void>((ok) => {
    pending.set(1, ok);
    void browserCdp.send('Target.sendMessageToTarget', {
      sessionId,
      message: JSON.stringify({ id: 1, method: 'WebAudio.enable' }),
    });
  });
  return {
    routedToOutput() {
      const typeOf = new Map<string, string>();
      for (const e of got)
        if (e.method === 'WebAudio.audioNodeCreated')
          typeOf.set(e.params.node!.nodeId, e.params.node!.nodeType);
      const running = got.some(
        (e) =>
          (e.method === 'WebAudio.contextCreated' || e.method === 'WebAudio.contextChanged') &&
          e.params.context?.contextState === 'running',
      );
      return (
        running &&
        got.some(
          (e) =>
            e.method === 'WebAudio.nodesConnected' &&
            typeOf.get(e.params.sourceId!) === 'MediaStreamAudioSource' &&
            typeOf.get(e.params.destinationId!) === 'AudioDestination',
        )
      );
    },
  };
}

describe('tab capture route', () => {
  it("monitors the customer's side from a tab capture after the action is invoked on the tab", async () => {
    await phone.bringToFront();
    // The toolbar action, invoked on the phone's tab: the DevTools protocol wants the tab target
    // (type 'tab'), not the page inside it.
    const { targetInfos } = await browserCdp.send('Target.getTargets', { filter: [{}] });
    const tabTarget = targetInfos.find((t) => t.type === 'tab' && t.url === softphone.url);
    expect(tabTarget, JSON.stringify(targetInfos.map((t) => [t.type, t.url]))).toBeDefined();
    // The action's click handler opens the side panel; the click itself grants the tab (activeTab).
    await browserCdp.send('Extensions.triggerAction', {
      id: DEV_EXTENSION_ID,
      targetId: tabTarget!.targetId,
    });

    const audio = await watchOffscreenAudio();
    await phone.click('#answer');
    await phone.waitForSelector('#call[data-state="talking"]');
    const callId = await phone.getAttribute('#call', 'data-call-id');
    // The agent opens the call's conversation in the side panel and presses "Monitor this call".
    await panel.bringToFront();
    const convTab = panel.locator(`[data-testid="conversation-tab"][data-conversation="${callId}"]`);
    await convTab.click({ timeout: 30_000 });
    await panel.locator('[data-testid="call-start"]').click();

    const state = await waitForLiveCall(panel, ['customer']);
    expect(state.conversationId).toBe(callId);
    await panel.waitForSelector('[data-testid="call-strip"][data-phase="live"]');

    // The capture is the tab's own, not the page's WebRTC tap: no tap frame was put into the page.
    expect(await phone.locator('sotto-call-tap').count()).toBe(0);
    expect(phone.frames().some((f) => f.url().includes('call-tap-frame'))).toBe(false);

    // The tab stays audible: in the offscreen document's audio graph a media stream source (the
    // captured tab) is connected straight to the context's destination, and the context runs.
    await expect.poll(() => audio.routedToOutput(), { timeout: 10_000 }).toBe(true);

    // The customer's speech is detected on the customer's side.
    await expect
      .poll(
        async () =>
          (await events()).some((e) => e.type === 'segment' && e.channel === 'customer') ||
          (await states()).some((s) => s.customer.speaking),
        { timeout: 40_000, interval: 500 },
      )
      .toBe(true);
    await expect
      .poll(
        () =>
          panel
            .locator('[data-testid="call-strip"] meter')
            .first()
            .evaluate((m) => (m as HTMLMeterElement).value),
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThan(0);

    await panel.locator('[data-testid="call-stop"]').click();
    await panel.waitForFunction(() =>
      (window as unknown as { callStates: CallState[] }).callStates.some((s) => s.phase === 'stopped'),
    );
  });
});
