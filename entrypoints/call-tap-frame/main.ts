/**
 * Call tap, extension frame: lives hidden in the console tab (see call-tap-bridge.content.ts),
 * receives the page tap's PCM port and status port, and runs the same call session as the
 * offscreen document: the audio worker analyses both sides, state and events go to the
 * background. One call per frame; the frame goes away when the call stops.
 */
import { AsrConfig } from '@/lib/asr/config';
import type { CallChannel } from '@/lib/audio/call-metrics';
import { type CallReason, tapSide } from '@/lib/audio/call-reasons';
import { CallSession } from '../offscreen/audio-session';

/** How long the page may take to name its audio sample rate. */
const FORMAT_TIMEOUT_MS = 10_000;

let session: CallSession | undefined;

async function start(
  tabId: number,
  conversationId: string,
  pcm: MessagePort,
  tap: MessagePort,
  ctl: MessagePort,
  asr: AsrConfig | undefined,
) {
  const s = new CallSession(tabId, conversationId, asr);
  session = s;
  await s.announce();
  let seen: Record<CallChannel, number> | undefined;
  let rate = 0;
  const format = new Promise<number | { reason: CallReason; detail?: string }>((ok) => {
    const t = setTimeout(() => ok({ reason: 'tapNoAnswer' }), FORMAT_TIMEOUT_MS);
    tap.onmessage = (
      e: MessageEvent<{
        type: string;
        sampleRate?: number;
        reason?: string;
        agent?: number;
        customer?: number;
      }>,
    ) => {
      const d = e.data;
      if (d.type === 'format' && d.sampleRate) {
        rate = d.sampleRate;
      } else if (d.type === 'error') {
        clearTimeout(t);
        // The page's words are untrusted: kept only as a short detail beside the code.
        ok({ reason: 'tapNoAudio', ...(d.reason ? { detail: String(d.reason).slice(0, 200) } : {}) });
      } else if (d.type === 'sides') {
        const first = !seen;
        seen = { agent: d.agent ?? 0, customer: d.customer ?? 0 };
        // The page posts its format, then the sides it found: start once both are known.
        if (first && rate) {
          clearTimeout(t);
          ok(rate);
        } else
          for (const ch of ['agent', 'customer'] as const)
            void s.setSide(ch, tapSide(ch, seen[ch], s.status[ch]));
      }
    };
  });
  const got = await format;
  if (typeof got !== 'number') {
    ctl.postMessage(await s.fail(got.reason, got.detail));
    return;
  }
  const r = await s.begin(
    {
      sampleRate: got,
      port: pcm,
      async close() {
        tap.postMessage({ type: 'stop' });
      },
    },
    {
      agent: tapSide('agent', seen?.agent ?? 0),
      customer: tapSide('customer', seen?.customer ?? 0),
    },
  );
  ctl.postMessage(r);
  ctl.onmessage = async (e: MessageEvent<{ action?: string }>) => {
    if (e.data?.action !== 'stop') return;
    await s.stop();
    ctl.postMessage({ stopped: true });
  };
}

window.addEventListener('message', (e: MessageEvent) => {
  const d = e.data as {
    sotto?: string;
    action?: string;
    tabId?: number;
    conversationId?: string;
    asr?: unknown;
  } | null;
  // Only the console page that holds this frame hands it ports.
  if (e.source !== window.parent || d?.sotto !== 'call-tap' || d.action !== 'start' || session) return;
  if (e.ports.length !== 3 || typeof d.tabId !== 'number' || typeof d.conversationId !== 'string') return;
  const asr = d.asr === undefined ? undefined : AsrConfig.safeParse(d.asr);
  void start(
    d.tabId,
    d.conversationId,
    e.ports[0]!,
    e.ports[1]!,
    e.ports[2]!,
    asr?.success ? asr.data : undefined,
  );
});
