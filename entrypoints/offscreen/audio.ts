/**
 * Call monitoring in the offscreen document: takes `call-capture` from the background, opens the
 * tab (tabCapture stream id) and the microphone, and runs a `CallSession` on them (state and
 * events to the background). One call at a time; a channel that fails or ends is reported and
 * the other keeps going.
 */
import { sideEnded } from '@/lib/audio/call-reasons';
import { type MessageOf, parseMessage, senderKind } from '@/lib/messages';
import { extensionId, extensionOrigin, listen } from '@/platform/runtime';
import { type SideResult, openMic, openTab, wire } from './audio-capture';
import { CallSession, type SideStatus } from './audio-session';

let call: CallSession | undefined;

async function start(msg: MessageOf<'call-capture'>): Promise<{ ok: boolean; reason?: string }> {
  if (call) await stop(call.tabId);
  const c = new CallSession(msg.tabId, msg.conversationId ?? `call-${msg.tabId}`, msg.asr);
  call = c;
  await c.announce();
  // One after the other: a microphone request made while the tab capture is pending is refused.
  const tab = await openTab(msg.streamId, msg.streamError);
  const mic: SideResult = msg.mic ? await openMic() : { status: 'off' };
  const status = { agent: sideOf(mic), customer: sideOf(tab) };
  Object.assign(c.status, status);
  if (!tab.stream && !mic.stream) return c.fail('nothingToCapture');
  let capture: Awaited<ReturnType<typeof wire>>;
  try {
    capture = await wire({ agent: mic, customer: tab });
  } catch (e) {
    return c.fail('audioFailed', e instanceof Error ? e.message : String(e));
  }
  const r = await c.begin(
    { sampleRate: capture.ctx.sampleRate, port: capture.port, close: capture.close },
    status,
  );
  // Unplugged headset, revoked permission, closed tab: that side stops, the other goes on.
  for (const ch of ['agent', 'customer'] as const)
    for (const track of capture.sides[ch].stream?.getAudioTracks() ?? [])
      track.addEventListener('ended', () => void c.setSide(ch, sideEnded(ch)));
  return r;
}

/** A side's status without its stream. */
function sideOf({ stream: _, ...status }: SideResult): SideStatus {
  return status;
}

async function stop(tabId: number): Promise<void> {
  const c = call;
  if (!c || c.tabId !== tabId) return;
  call = undefined;
  await c.stop();
}

listen((raw, sender) => {
  if ((raw as { target?: string } | null)?.target !== 'offscreen-audio') return undefined;
  const r = parseMessage(raw);
  if (!r.ok || r.message.type !== 'call-capture')
    return Promise.resolve({ ok: false, reason: r.ok ? 'not a call-capture message' : r.reason });
  if (senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page')
    return Promise.resolve({ ok: false, reason: 'call-capture is accepted from the background only' });
  const msg = r.message;
  return msg.action === 'start' ? start(msg) : stop(msg.tabId).then(() => ({ ok: true }));
});
