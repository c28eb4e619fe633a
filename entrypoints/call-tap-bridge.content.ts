/**
 * Call tap, extension side of the page (isolated world): on `call-tap` from the background it
 * puts a hidden extension-origin frame (call-tap-frame.html) into a closed shadow root and hands
 * the page's tap (call-tap.content.ts, main world) and that frame the two ends of two
 * MessageChannels: PCM chunks flow page worklet → frame's audio worker, status messages beside
 * them. The frame analyses the call and reports to the background like the offscreen document.
 */
import type { AsrConfig } from '@/lib/asr/config';
import { CallTapMessage } from '@/lib/call-tap-message';
import { extensionId, extensionOrigin, extensionUrl, listen } from '@/platform/runtime';

/** Time for the frame to load and the page to find its call's audio. */
const START_TIMEOUT_MS = 15_000;

/** Set in this extension's isolated world while the bridge runs in the page (the background probes it). */
const BRIDGE_FLAG = '__sottoCallTapBridge';

export default defineContentScript({
  // Injected by the background when a call is to be tapped (platform/capture.ts), not on every
  // console page load: evaluating it (zod and the contract member it validates) was a task of
  // 20-50 ms in every console page, for a fallback that only softphones use.
  registration: 'runtime',
  runAt: 'document_idle',
  main(ctx) {
    const g = globalThis as { [BRIDGE_FLAG]?: boolean };
    g[BRIDGE_FLAG] = true;
    let host: HTMLElement | undefined;
    let control: MessagePort | undefined;

    async function start(
      tabId: number,
      conversationId: string,
      asr: AsrConfig | undefined,
    ): Promise<{ ok: boolean; reason?: string }> {
      await stop();
      host = document.createElement('sotto-call-tap');
      // Out of layout and out of reach of the page's scripts and styles.
      host.style.cssText = 'position:fixed;width:0;height:0;overflow:hidden;border:0;pointer-events:none';
      const root = host.attachShadow({ mode: 'closed' });
      const frame = document.createElement('iframe');
      frame.setAttribute('aria-hidden', 'true');
      frame.tabIndex = -1;
      frame.style.cssText = 'width:0;height:0;border:0';
      const loaded = new Promise<void>((ok) => frame.addEventListener('load', () => ok(), { once: true }));
      frame.src = extensionUrl('/call-tap-frame.html');
      root.append(frame);
      document.documentElement.append(host);
      await loaded;
      const pcm = new MessageChannel();
      const tap = new MessageChannel();
      const ctl = new MessageChannel();
      control = ctl.port1;
      const answer = new Promise<{ ok: boolean; reason?: string }>((ok) => {
        const t = setTimeout(() => ok({ ok: false, reason: 'tapNoAnswer' }), START_TIMEOUT_MS);
        ctl.port1.onmessage = (e: MessageEvent<{ ok: boolean; reason?: string }>) => {
          clearTimeout(t);
          ok(e.data);
        };
      });
      // The page's tap gets the PCM port and its status port; the frame gets the other ends.
      window.postMessage({ sotto: 'call-tap', action: 'start' }, location.origin, [pcm.port1, tap.port1]);
      frame.contentWindow?.postMessage(
        { sotto: 'call-tap', action: 'start', tabId, conversationId, ...(asr ? { asr } : {}) },
        extensionOrigin(),
        [pcm.port2, tap.port2, ctl.port2],
      );
      const r = await answer;
      if (!r.ok) await stop();
      return r;
    }

    async function stop(): Promise<void> {
      const c = control;
      const h = host;
      control = undefined;
      host = undefined;
      if (c) {
        // The frame settles the call (final state and events) before it goes away.
        const done = new Promise<void>((ok) => {
          const t = setTimeout(ok, 5000);
          c.onmessage = (e: MessageEvent<{ stopped?: boolean }>) => {
            if (e.data?.stopped) {
              clearTimeout(t);
              ok();
            }
          };
        });
        c.postMessage({ action: 'stop' });
        await done;
        c.close();
      }
      h?.remove();
    }

    const off = listen((raw, sender) => {
      if ((raw as { type?: string } | null)?.type !== 'call-tap') return undefined;
      // Only the background (no tab) of this extension may start or stop the tap.
      if (sender.id !== extensionId() || sender.tabId !== undefined) return undefined;
      const r = CallTapMessage.safeParse(raw);
      if (!r.success) return Promise.resolve({ ok: false, reason: 'bad call-tap' });
      const m = r.data;
      return m.action === 'start'
        ? start(m.tabId, m.conversationId, m.asr)
        : stop().then(() => ({ ok: true }));
    });
    ctx.onInvalidated(() => {
      g[BRIDGE_FLAG] = false;
      off();
      void stop();
    });
  },
});
