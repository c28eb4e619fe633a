/**
 * The offscreen document hosts the Web Workers: an MV3 service worker has no `Worker`, and a
 * content script cannot start one from the extension origin (TOOLCHAIN.md). Chrome only; the
 * Firefox build hosts the workers in its background page instead.
 */
import { browser } from 'wxt/browser';

/** The offscreen document's page (the draft link takes its port from this page only). */
export const OFFSCREEN_PATH = '/offscreen.html';
let creating: Promise<void> | undefined;

export async function ensureOffscreen(): Promise<void> {
  if (!browser.offscreen) throw new Error('this browser has no offscreen documents');
  const url = browser.runtime.getURL(OFFSCREEN_PATH);
  const contexts = await browser.runtime.getContexts({
    contextTypes: [browser.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [url],
  });
  if (contexts.length > 0) return;
  creating ??= browser.offscreen
    .createDocument({
      url: OFFSCREEN_PATH,
      reasons: [browser.offscreen.Reason.WORKERS, browser.offscreen.Reason.USER_MEDIA],
      // USER_MEDIA: a monitored call's tab audio and microphone are captured here (tabCapture stream id).
      justification: 'Run the analysis models in a Web Worker and analyse call audio',
    })
    .catch((e: unknown) => {
      // Two callers racing: the loser sees "Only a single offscreen document may be created".
      if (!String(e).includes('single offscreen')) throw e;
    })
    .finally(() => {
      creating = undefined;
    });
  await creating;
}
