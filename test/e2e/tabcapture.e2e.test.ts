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
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEventRecord, CallState } from '../../lib/audio/call-state';
import { DEV_EXTENSION_ID } from '../../lib/extension-key';
import { DEMO_CALL, type RenderedCall, renderCall } from '../fixtures/audio/generate';
import { startFixtureServer } from '../fixtures/serve';
import { findChromium, INSTALL_HINT } from './chromium';
import { chromiumArgs, EXTENSION_DIR } from './harness';
import { consoleScriptRegistered, waitForConsoleScript } from './pages/attached';

let dir: string;
let call: RenderedCall;
let audioServer: Server;
let audioUrl: string;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let context: BrowserContext;
let profile: string;
let browserCdp: CDPSession;
let panel: Page;
let phone: Page;
let phoneUrl: string;

/** Serves the generated call audio to the softphone page (another origin, so CORS). */
async function serveDir(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0]!.replace(/^\/+/, '');
    if (!/^[\w.-]+$/.test(name)) return void res.writeHead(404).end();
    res.writeHead(200, {
      'access-control-allow-origin': '*',
      'content-type': name.endsWith('.json') ? 'application/json' : 'audio/wav',
    });
    createReadStream(join(root, name))
      .on('error', () => res.end())
      .pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

const sw = () => context.serviceWorkers().find((w) => w.url().includes(DEV_EXTENSION_ID))!;

const states = () => panel.evaluate(() => (window as unknown as { callStates: CallState[] }).callStates);
const events = () =>
  panel.evaluate(() => (window as unknown as { callEvents: CallEventRecord[] }).callEvents);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sotto-tabcap-audio-'));
  call = renderCall(DEMO_CALL, dir, { rates: { agent: 48_000, customer: 44_100 }, tailS: 5 });
  writeFileSync(join(dir, 'call.json'), JSON.stringify(call));
  ({ server: audioServer, url: audioUrl } = await serveDir(dir));
  fixtures = await startFixtureServer({ port: 0 });
  const executablePath = findChromium();
  if (!executablePath) throw new Error(INSTALL_HINT);
  profile = mkdtempSync(join(tmpdir(), 'sotto-e2e-tabcap-'));
  // The agent allowed the microphone to Sotto once (what the side panel's prompt records).
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(
    join(profile, 'Default', 'Preferences'),
    JSON.stringify({
      profile: {
        content_settings: {
          exceptions: {
            media_stream_mic: {
              [`chrome-extension://${DEV_EXTENSION_ID}/,*`]: {
                setting: 1,
                last_modified: '13300000000000000',
              },
            },
          },
        },
      },
    }),
  );
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: false,
    args: chromiumArgs(EXTENSION_DIR, !process.env.DISPLAY, [
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${call.files.agent}`,
      '--autoplay-policy=no-user-gesture-required',
    ]),
    ignoreDefaultArgs: ['--disable-extensions'],
    viewport: { width: 1200, height: 800 },
  });
  if (!context.serviceWorkers().some((w) => w.url().includes(DEV_EXTENSION_ID)))
    await context.waitForEvent('serviceworker');
  browserCdp = await context.browser()!.newBrowserCDPSession();
  panel = await context.newPage();
  await panel.goto(`chrome-extension://${DEV_EXTENSION_ID}/sidepanel.html`);
  await panel.waitForSelector('.panel');
  // Listen on a port of the side panel's own, as its call strip does.
  await panel.evaluate(() => {
    const w = window as unknown as { callStates: unknown[]; callEvents: unknown[] };
    w.callStates = [];
    w.callEvents = [];
    const port = chrome.runtime.connect({ name: 'panel' });
    port.onMessage.addListener((m: { type: string; state?: unknown; event?: unknown }) => {
      if (m.type === 'call-state') w.callStates.push(m.state);
      if (m.type === 'call-event') w.callEvents.push(m.event);
    });
    port.postMessage({ type: 'panel-hello' });
  });
  phoneUrl = `${fixtures.url}softphone/?call=${encodeURIComponent(`${audioUrl}call.json`)}`;
  await consoleScriptRegistered(context, phoneUrl);
  phone = await context.newPage();
  await phone.goto(phoneUrl);
  await waitForConsoleScript(phone, 'reported');
}, 180_000);

afterAll(async () => {
  await browserCdp?.detach().catch(() => {});
  await context?.close().catch(() => {});
  await fixtures?.close();
  audioServer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (profile) rmSync(profile, { recursive: true, force: true });
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
    const tabTarget = targetInfos.find((t) => t.type === 'tab' && t.url === phoneUrl);
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

    const live = await panel
      .waitForFunction(
        () => {
          const s = (window as unknown as { callStates: CallState[] }).callStates;
          const last = s[s.length - 1];
          return last && last.phase === 'live' && last.customer.status === 'live' ? last : false;
        },
        undefined,
        { timeout: 20_000 },
      )
      .catch(async (e: Error) => {
        throw new Error(`${e.message}; last call state: ${JSON.stringify((await states()).at(-1))}`);
      });
    const state = (await live.jsonValue()) as CallState;
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
