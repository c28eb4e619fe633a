/**
 * Call capture, background side: a tabCapture stream id for the console tab (the service worker
 * cannot capture itself; the offscreen document redeems the id with getUserMedia) and the
 * `CallControl` the router uses. Chrome only.
 */
import { browser } from 'wxt/browser';
import { type CallControl, callConversationId } from '@/lib/audio/call-control';
import { ensureOffscreen } from './offscreen';
import { featureOff } from './panel-sync';
import { send } from './runtime';

interface TabCaptureApi {
  getMediaStreamId(options: { targetTabId: number }): Promise<string>;
}

/** The stream id, or the reason there is none, in words the agent can act on. */
export async function tabStreamId(tabId: number): Promise<{ streamId?: string; error?: string }> {
  const api = (browser as unknown as { tabCapture?: TabCaptureApi }).tabCapture;
  if (!api) return { error: 'this browser cannot capture tab audio' };
  try {
    return { streamId: await api.getMediaStreamId({ targetTabId: tabId }) };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // Chrome allows it only after the extension was invoked on that tab.
    if (/not been invoked/i.test(msg))
      return { error: 'click the Sotto toolbar button on the call tab first, then start monitoring' };
    return { error: `tab audio unavailable: ${msg}` };
  }
}

/**
 * The fallback where tab capture is refused or the console runs in its own window: the page's own
 * WebRTC tracks, tapped in the tab and analysed in a hidden extension frame there (issue #7).
 */
async function tapCall(tabId: number, conversationId: string): Promise<{ ok: boolean; reason?: string }> {
  try {
    const r = (await browser.tabs.sendMessage(
      tabId,
      { type: 'call-tap', action: 'start', tabId, conversationId },
      { frameId: 0 },
    )) as { ok: boolean; reason?: string } | undefined;
    return r ?? { ok: false, reason: 'the console page did not answer' };
  } catch (e) {
    return {
      ok: false,
      reason: `the console page cannot be tapped: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

export const callControl: CallControl = {
  async start(tabId, conversationId, mic) {
    if (await featureOff('callAudio'))
      return { ok: false, reason: 'call audio analysis is turned off by your organisation' };
    const { streamId, error } = await tabStreamId(tabId);
    const id = conversationId ?? callConversationId(tabId);
    if (!streamId) {
      // Both sides from the page itself, when the console's call runs on WebRTC there.
      const tap = await tapCall(tabId, id);
      if (tap.ok) return { ok: true, conversationId: id };
      if (!mic)
        return { ok: false, reason: [error, tap.reason].filter(Boolean).join('; ') || 'no audio source' };
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
    });
    return r?.ok
      ? { ok: true, conversationId: id }
      : { ok: false, reason: r?.reason ?? 'the audio analysis did not answer' };
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
