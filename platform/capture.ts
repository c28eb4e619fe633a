/**
 * Call capture, background side: a tabCapture stream id for the console tab (the service worker
 * cannot capture itself; the offscreen document redeems the id with getUserMedia) and the
 * `CallControl` the router uses. Chrome only.
 */
import { browser } from 'wxt/browser';
import { type CallControl, callConversationId } from '@/lib/audio/call-control';
import { ensureOffscreen } from './offscreen';
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

export const callControl: CallControl = {
  async start(tabId, conversationId, mic) {
    const { streamId, error } = await tabStreamId(tabId);
    if (!streamId && !mic) return { ok: false, reason: error ?? 'no audio source' };
    await ensureOffscreen();
    const id = conversationId ?? callConversationId(tabId);
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
    await send({ type: 'call-capture', target: 'offscreen-audio', action: 'stop', tabId, mic: false }).catch(
      () => {},
    );
  },
};
