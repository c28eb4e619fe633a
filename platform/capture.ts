/**
 * Call capture, background side: a tabCapture stream id for the console tab (the service worker
 * cannot capture itself; the offscreen document redeems the id with getUserMedia) and the
 * `CallControl` the router uses. Chrome only.
 */
import { browser } from 'wxt/browser';
import { ASR_SETTINGS_KEY, type AsrConfig, AsrSettings, asrConfig } from '@/lib/asr/config';
import { type CallControl, callConversationId } from '@/lib/audio/call-control';
import { type CallReason, reasonText, tabStreamError } from '@/lib/audio/call-reasons';
import { injectUnlessRunning } from './content-scripts';
import { ensureOffscreen } from './offscreen';
import { featureOff, readPolicy } from './panel-sync';
import { send } from './runtime';

/** The speech server in force: enterprise policy over the options page; none unless configured. */
export async function currentAsr(): Promise<AsrConfig | undefined> {
  const local = (
    await browser.storage.local.get(ASR_SETTINGS_KEY).catch(() => ({}) as Record<string, unknown>)
  )[ASR_SETTINGS_KEY];
  return asrConfig(local, (await readPolicy()).asr);
}

/** The options page's own speech server setting and whether policy overrides it. */
export async function loadAsrOption(): Promise<{ endpoint: string; byPolicy: string | undefined }> {
  const local = AsrSettings.safeParse(
    (await browser.storage.local.get(ASR_SETTINGS_KEY).catch(() => ({}) as Record<string, unknown>))[
      ASR_SETTINGS_KEY
    ] ?? {},
  );
  const policy = asrConfig(undefined, (await readPolicy()).asr);
  return { endpoint: (local.success && local.data.endpoint) || '', byPolicy: policy?.endpoint };
}

/** Saves the options page's speech server ('' removes it: nothing is sent anywhere). */
export async function saveAsrOption(endpoint: string): Promise<void> {
  if (!endpoint) return browser.storage.local.remove(ASR_SETTINGS_KEY);
  const v = AsrSettings.parse({ endpoint, protocol: 'vosk' });
  await browser.storage.local.set({ [ASR_SETTINGS_KEY]: v });
}

interface TabCaptureApi {
  getMediaStreamId(options: { targetTabId: number }): Promise<string>;
}

/** The stream id, or the reason there is none, as a code the side panel translates. */
export async function tabStreamId(
  tabId: number,
): Promise<{ streamId?: string; error?: { reasonKey: CallReason; detail?: string } }> {
  const api = (browser as unknown as { tabCapture?: TabCaptureApi }).tabCapture;
  if (!api) return { error: tabStreamError(undefined) };
  try {
    return { streamId: await api.getMediaStreamId({ targetTabId: tabId }) };
  } catch (e) {
    return { error: tabStreamError(e instanceof Error ? e.message : String(e)) };
  }
}

/**
 * The fallback where tab capture is refused or the console runs in its own window: the page's own
 * WebRTC tracks, tapped in the tab and analysed in a hidden extension frame there (issue #7).
 */
async function tapCall(
  tabId: number,
  conversationId: string,
  asr: AsrConfig | undefined,
): Promise<{ ok: boolean; reason?: string }> {
  try {
    // The bridge (isolated world, top frame) is injected for a call, not at every page load.
    await injectUnlessRunning(
      { tabId, frameIds: [0] },
      '__sottoCallTapBridge',
      '/content-scripts/call-tap-bridge.js',
    );
    const r = (await browser.tabs.sendMessage(
      tabId,
      { type: 'call-tap', action: 'start', tabId, conversationId, ...(asr ? { asr } : {}) },
      { frameId: 0 },
    )) as { ok: boolean; reason?: string } | undefined;
    return r ?? { ok: false, reason: reasonText('noAnswer') };
  } catch (e) {
    return { ok: false, reason: reasonText('tapRefused', e instanceof Error ? e.message : String(e)) };
  }
}

export const callControl: CallControl = {
  async start(tabId, conversationId, mic) {
    if (await featureOff('callAudio')) return { ok: false, reason: reasonText('policyOff') };
    const { streamId, error } = await tabStreamId(tabId);
    const id = conversationId ?? callConversationId(tabId);
    const asr = await currentAsr().catch(() => undefined);
    if (!streamId) {
      // Both sides from the page itself, when the console's call runs on WebRTC there.
      const tap = await tapCall(tabId, id, asr);
      if (tap.ok) return { ok: true, conversationId: id };
      // Without the microphone there is nothing left to capture: the tab's reason is the one to fix.
      if (!mic) return { ok: false, reason: reasonText(error!.reasonKey, error!.detail) };
    }
    await ensureOffscreen();
    const r = await send<{ ok: boolean; reason?: string } | undefined>({
      type: 'call-capture',
      target: 'offscreen-audio',
      action: 'start',
      tabId,
      conversationId: id,
      ...(streamId ? { streamId } : {}),
      ...(error ? { streamError: error } : {}),
      mic,
      ...(asr ? { asr } : {}),
    });
    return r?.ok
      ? { ok: true, conversationId: id }
      : { ok: false, reason: r?.reason ?? reasonText('noAnswer') };
  },
  async stop(tabId) {
    // Both routes are told: the service worker may have restarted since the call started.
    await Promise.all([
      browser.tabs
        .sendMessage(
          tabId,
          { type: 'call-tap', action: 'stop', tabId, conversationId: 'stop' },
          { frameId: 0 },
        )
        .catch(() => {}),
      send({ type: 'call-capture', target: 'offscreen-audio', action: 'stop', tabId, mic: false }).catch(
        () => {},
      ),
    ]);
  },
};
