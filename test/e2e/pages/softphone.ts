/**
 * The demo softphone with a scripted call, as the call e2e tests set it up: the call's audio
 * generated (espeak-ng + sox) and served to the softphone page from another origin, the fixture
 * server, and Debian's Chromium with the production build, whose fake microphone plays the agent's
 * side. Also the side panel's view of a call: a port of its own, as its call strip has.
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import type { CallEventRecord, CallState } from '../../../lib/audio/call-state';
import { DEV_EXTENSION_ID } from '../../../lib/extension-key';
import { DEMO_CALL, type RenderedCall, renderCall } from '../../fixtures/audio/generate';
import { type FixtureServer, startFixtureServer } from '../../fixtures/serve';
import { requireChromium } from '../chromium';
import { chromiumArgs, EXTENSION_DIR } from '../harness';
import { consoleScriptRegistered, waitForConsoleScript } from './attached';

export interface SoftphoneOptions {
  /** Names the temporary call audio and browser profile directories. */
  name: string;
  /** Seconds of quiet after the call's last passage. */
  tailS: number;
  /**
   * How the microphone is allowed. `fake-ui`: Chromium's fake prompt grants it to any page, which
   * also breaks tab capture. `profile`: granted to the extension in the profile before launch, as
   * the side panel's prompt records it, so tab capture works too (TOOLCHAIN.md, "Call audio").
   */
  mic: 'fake-ui' | 'profile';
}

export interface Softphone {
  call: RenderedCall;
  context: BrowserContext;
  /** The softphone page on the fixture server, playing the generated call. */
  url: string;
  /** The extension's service worker, if one runs. */
  serviceWorker(): Worker | undefined;
  /** Opens the softphone once the console script is registered, and waits until the script reports. */
  open(): Promise<Page>;
  close(): Promise<void>;
}

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

/** The agent allowed the microphone to Sotto once: what the side panel's prompt leaves in the profile. */
function grantMicrophone(profile: string): void {
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
}

export async function launchSoftphone(opts: SoftphoneOptions): Promise<Softphone> {
  const executablePath = requireChromium();
  const dir = mkdtempSync(join(tmpdir(), `sotto-${opts.name}-audio-`));
  const profile = mkdtempSync(join(tmpdir(), `sotto-e2e-${opts.name}-`));
  let audioServer: Server | undefined;
  let fixtures: FixtureServer | undefined;
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => {});
    await fixtures?.close();
    audioServer?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const call = renderCall(DEMO_CALL, dir, {
      rates: { agent: 48_000, customer: 44_100 },
      tailS: opts.tailS,
    });
    writeFileSync(join(dir, 'call.json'), JSON.stringify(call));
    const audio = await serveDir(dir);
    audioServer = audio.server;
    fixtures = await startFixtureServer({ port: 0 });
    if (opts.mic === 'profile') grantMicrophone(profile);
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: false, // the new headless mode, passed as a flag, is the one that runs extensions
      // The microphone is Chromium's fake capture of the agent's WAV.
      args: chromiumArgs(EXTENSION_DIR, !process.env.DISPLAY, [
        '--use-fake-device-for-media-stream',
        ...(opts.mic === 'fake-ui' ? ['--use-fake-ui-for-media-stream'] : []),
        `--use-file-for-fake-audio-capture=${call.files.agent}`,
        '--autoplay-policy=no-user-gesture-required',
      ]),
      ignoreDefaultArgs: ['--disable-extensions'],
      viewport: { width: 1200, height: 800 },
    });
    context = ctx;
    const serviceWorker = () => ctx.serviceWorkers().find((w) => w.url().includes(DEV_EXTENSION_ID));
    if (!serviceWorker())
      await ctx.waitForEvent('serviceworker', { predicate: (w) => w.url().includes(DEV_EXTENSION_ID) });
    const url = `${fixtures.url}softphone/?call=${encodeURIComponent(`${audio.url}call.json`)}`;
    return {
      call,
      context: ctx,
      url,
      serviceWorker,
      async open() {
        await consoleScriptRegistered(ctx, url);
        const phone = await ctx.newPage();
        await phone.goto(url);
        await waitForConsoleScript(phone, 'reported');
        return phone;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Listens on a port of the panel's own, as its call strip does, keeping what arrives in the page:
 * the call's states, its events and the consoles' attach states. `reconnect` opens a new port when
 * the service worker goes away, as the side panel's does.
 */
export async function listenForCalls(panel: Page, opts: { reconnect?: boolean } = {}): Promise<void> {
  await panel.evaluate((reconnect) => {
    const w = window as unknown as { callStates: unknown[]; callEvents: unknown[]; attach: unknown[] };
    w.callStates = [];
    w.callEvents = [];
    w.attach = [];
    const hook = () => {
      const port = chrome.runtime.connect({ name: 'panel' });
      port.onMessage.addListener((m: { type: string; state?: unknown; event?: unknown }) => {
        if (m.type === 'attach-changed') w.attach.push(m.state);
        if (m.type === 'call-state') w.callStates.push(m.state);
        if (m.type === 'call-event') w.callEvents.push(m.event);
      });
      if (reconnect) port.onDisconnect.addListener(() => setTimeout(hook, 100));
      port.postMessage({ type: 'panel-hello' });
    };
    hook();
  }, opts.reconnect ?? false);
}

/** The side panel, opened in a tab, listening for calls (see `listenForCalls`). */
export async function openCallPanel(context: BrowserContext): Promise<Page> {
  const panel = await context.newPage();
  await panel.goto(`chrome-extension://${DEV_EXTENSION_ID}/sidepanel.html`);
  await panel.waitForSelector('.panel');
  await listenForCalls(panel);
  return panel;
}

/** The call states the panel's port has received so far. */
export const callStates = (panel: Page): Promise<CallState[]> =>
  panel.evaluate(() => (window as unknown as { callStates: CallState[] }).callStates);

/** The call events the panel's port has received so far. */
export const callEvents = (panel: Page): Promise<CallEventRecord[]> =>
  panel.evaluate(() => (window as unknown as { callEvents: CallEventRecord[] }).callEvents);

/**
 * Waits until the latest call state is live with each of `sides` live, and returns it; on a
 * timeout, says which side failed and why, not just that the wait timed out.
 */
export async function waitForLiveCall(
  panel: Page,
  sides: readonly ('agent' | 'customer')[],
  timeoutMs = 20_000,
): Promise<CallState> {
  const live = await panel
    .waitForFunction(
      (want) => {
        const s = (window as unknown as { callStates: CallState[] }).callStates;
        const last = s[s.length - 1];
        return last && last.phase === 'live' && want.every((side) => last[side].status === 'live')
          ? last
          : false;
      },
      sides,
      { timeout: timeoutMs },
    )
    .catch(async (e: Error) => {
      throw new Error(`${e.message}; last call state: ${JSON.stringify((await callStates(panel)).at(-1))}`);
    });
  return (await live.jsonValue()) as CallState;
}
