/**
 * The offscreen document hosts the Web Workers: an MV3 service worker has no `Worker`, and a
 * content script cannot start one from the extension origin (TOOLCHAIN.md). Chrome only.
 */
import { browser } from 'wxt/browser';

const PATH = '/offscreen.html';
let creating: Promise<void> | undefined;

export async function ensureOffscreen(): Promise<void> {
  const chromeApi = (globalThis as unknown as { chrome?: typeof import('wxt/browser').browser }).chrome;
  const offscreen = (chromeApi as unknown as { offscreen?: ChromeOffscreen } | undefined)?.offscreen;
  if (!offscreen) throw new Error('this browser has no offscreen documents');
  const url = browser.runtime.getURL(PATH as '/');
  const contexts = await (browser.runtime as unknown as RuntimeWithContexts).getContexts({
    contextTypes: ['OFFSCREEN_DOCUMENT'],
    documentUrls: [url],
  });
  if (contexts.length > 0) return;
  creating ??= offscreen
    .createDocument({
      url: PATH,
      reasons: ['WORKERS', 'USER_MEDIA'],
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

interface ChromeOffscreen {
  createDocument(p: { url: string; reasons: string[]; justification: string }): Promise<void>;
}
interface RuntimeWithContexts {
  getContexts(filter: { contextTypes: string[]; documentUrls: string[] }): Promise<unknown[]>;
}
