import { adapterFor } from '@/adapters';
import { detect } from '@/lib/adapters/detect';
import { specFromPicks } from '@/lib/adapters/detect-picks';
import type { AdapterSpec } from '@/lib/adapters/spec';
import {
  AttachControl,
  NO_ADAPTER_ID,
  type ProposalReply,
  upsertAdapter,
  userAdapterFor,
} from '@/lib/adapters/user-adapters';
import { loadUserAdapters, onUserAdaptersChanged, saveUserAdapters } from '@/platform/user-adapters';
import { type PickerTexts, startPicker } from './picker';
import { ConsoleAttachment } from '@/lib/adapters/attachment';
import { findCompose, insertText } from '@/lib/adapters/compose';
import { readConversationId } from '@/lib/adapters/reader';
import type { Localized } from '@/lib/finding';
import { InsertHint, type InsertHintReply } from '@/lib/console-messages';
import type { AttachState } from '@/lib/messages';
import { t, uiLanguage } from '@/platform/i18n';
import { connect, extensionId, extensionOrigin, listen, send } from '@/platform/runtime';
import { AckedPort } from '@/lib/adapters/acked-port';
import type { Message } from '@/lib/messages';
import { startPresend } from './presend';

function uiLang(): keyof Localized {
  const l = uiLanguage().toLowerCase();
  if (l.startsWith('zh-tw') || l.startsWith('zh-hk') || l.includes('hant')) return 'zh_TW';
  return l.startsWith('zh') ? 'zh_CN' : 'en';
}

export default defineContentScript({
  // Registered at run time for the origins the user granted (platform/content-scripts.ts).
  registration: 'runtime',
  runAt: 'document_idle',
  main(ctx) {
    const g = globalThis as { __sottoConsole?: boolean };
    g.__sottoConsole = true;
    ctx.onInvalidated(() => {
      g.__sottoConsole = false;
    });
    // In a task of its own: evaluating this script is one task already, and the first read of a
    // long log another; together they made one long task in every console page as it loaded.
    setTimeout(() => {
      if (!ctx.signal.aborted) runConsole(ctx.signal);
    }, 0);
  },
});

let reports = 0;
/**
 * Tells the background how this page is attached. The last state the background acknowledged is
 * kept in this script's isolated world (`__sottoAttachState`, invisible to the page), so a
 * probe from the background (`scripting.executeScript`) or a test can ask whether this document
 * is attached yet instead of guessing from time.
 */
function reportAttach(state: AttachState): void {
  const n = ++reports;
  send<{ ok?: boolean } | undefined>({ type: 'attach-state', state })
    .then((r) => {
      // A slower reply to an older report must not overwrite a newer state.
      if (r?.ok && n === reports)
        (globalThis as { __sottoAttachState?: AttachState }).__sottoAttachState = state;
    })
    .catch(() => {});
}

/** Side of its row an element sits on, from layout (for speaker rules on desks that only align). */
function sideOf(el: Element): 'left' | 'right' | undefined {
  const target = el.children.length === 1 ? el.children[0]! : el;
  const r = target.getBoundingClientRect();
  const p = (el.parentElement ?? el).getBoundingClientRect();
  if (r.width === 0 || r.width > p.width * 0.9) return undefined;
  return r.left + r.width / 2 < p.left + p.width / 2 ? 'left' : 'right';
}

/**
 * Chooses the adapter for this page (built-in first, then the user's) and attaches; on a page no
 * adapter covers, reports so and answers the side panel's "Attach here?" and picker requests.
 * Re-chooses when the user adapters change (one was attached, imported or deleted).
 */
function runConsole(signal: AbortSignal): void {
  let current: AbortController | undefined;
  let currentKey: string | undefined;
  let picker: { stop(): void } | undefined;
  // Element children added per container while no adapter is attached: a growing log stands out.
  const added = new WeakMap<Element, number>();
  let growth: MutationObserver | undefined;
  const watchGrowth = (on: boolean) => {
    growth?.disconnect();
    growth = undefined;
    if (!on) return;
    growth = new MutationObserver((records) => {
      for (const r of records)
        if (r.target.nodeType === 1 && r.addedNodes.length)
          added.set(r.target as Element, (added.get(r.target as Element) ?? 0) + r.addedNodes.length);
    });
    growth.observe(document.body, { childList: true, subtree: true });
  };
  signal.addEventListener('abort', () => watchGrowth(false));

  const choose = async () => {
    const builtIn = adapterFor(location.href);
    const spec = builtIn ?? userAdapterFor((await loadUserAdapters()).specs, location.href);
    const key = spec ? JSON.stringify(spec) : '';
    if (key === currentKey || signal.aborted) return;
    currentKey = key;
    current?.abort();
    current = new AbortController();
    const inner = AbortSignal.any([signal, current.signal]);
    watchGrowth(!spec);
    if (spec) {
      // Choosing validated the adapter (zod, first use); attaching reads the whole log: two tasks,
      // so that neither is a long one as a console page loads.
      setTimeout(() => {
        if (!inner.aborted) attachWith(spec, inner);
      }, 0);
      return;
    }
    reportAttach({
      adapterId: NO_ADAPTER_ID,
      url: location.href.slice(0, 2000),
      attached: false,
      reason: 'no adapter for this page: use "Attach here?" or "Pick elements" in the Sotto panel',
    });
  };
  void choose();
  const offStore = onUserAdaptersChanged(() => void choose());
  signal.addEventListener('abort', offStore);

  const pickerTexts = (): PickerTexts => ({
    steps: {
      list: t('attachPickList'),
      customer: t('attachPickCustomer'),
      agent: t('attachPickAgent'),
      compose: t('attachPickCompose'),
      send: t('attachPickSend'),
    },
    progress: (n, of) => t('attachPickProgress', [String(n), String(of)]),
    notInList: t('attachPickNotInList'),
    skip: t('attachPickSkip'),
    cancel: t('attachPickCancel'),
    keys: t('attachPickKeys'),
  });

  const stopControl = listen((raw, sender) => {
    const m = AttachControl.safeParse(raw);
    if (!m.success) return undefined;
    // Only our own extension pages (the side panel) may drive this.
    if (sender.id !== extensionId() || !sender.url?.startsWith(extensionOrigin())) return undefined;
    if (m.data.type === 'attach-propose') {
      const proposal = detect(document, {
        href: location.href,
        added: (el) => added.get(el) ?? 0,
        side: sideOf,
      });
      const reply: ProposalReply = proposal
        ? { ok: true, proposal }
        : { ok: false, reason: 'nothing on this page looks like a message log with two speakers' };
      return Promise.resolve(reply);
    }
    picker?.stop();
    picker = startPicker({
      doc: document,
      texts: pickerTexts(),
      signal,
      async done(picks) {
        const r = specFromPicks(document, picks, { href: location.href, side: sideOf });
        if (!r.ok) return r.error;
        const { specs } = await loadUserAdapters();
        await saveUserAdapters(upsertAdapter(specs, r.spec));
        picker = undefined;
        return undefined;
      },
      cancelled() {
        picker = undefined;
      },
    });
    return Promise.resolve({ ok: true });
  });
  signal.addEventListener('abort', () => {
    stopControl();
    picker?.stop();
  });
}

/** Own main-thread time of each mutation callback, and the utterances it produced. */
interface ReaderCost {
  ms: number[];
  utterances: number[];
}
const COST_KEEP = 50_000;
/**
 * Kept in this script's isolated world (`__sottoReaderCost`, invisible to the page) for
 * diagnostics and bench:host, which reads it over CDP; bounded: once full, later callbacks are not kept.
 */
function recordCost(ms: number, utterances: number): void {
  const g = globalThis as { __sottoReaderCost?: ReaderCost };
  g.__sottoReaderCost ??= { ms: [], utterances: [] };
  const c = g.__sottoReaderCost;
  if (c.ms.length >= COST_KEEP) return;
  c.ms.push(ms);
  c.utterances.push(utterances);
}

/**
 * Utterances go to the background on one long-lived port, acknowledged several batches at a time:
 * a one-time sendMessage per batch cost the console's main thread 0.1–10 ms each (issue #6).
 */
const delivery = new AckedPort<Message>(
  () => connect('console'),
  (raw) => {
    const m = raw as { type?: string; ok?: unknown; reason?: unknown; count?: unknown } | null;
    if (m?.type !== 'utterances-ack') return undefined;
    return {
      ok: m.ok === true,
      ...(typeof m.reason === 'string' ? { reason: m.reason } : {}),
      ...(typeof m.count === 'number' ? { count: m.count } : {}),
    };
  },
);

function attachWith(spec: AdapterSpec, signal: AbortSignal): void {
  {
    const attachment = new ConsoleAttachment({
      win: window,
      spec,
      signal,
      send: (utterances) => delivery.send({ type: 'utterances', utterances }),
      report(state) {
        reportAttach(state);
      },
      cost: recordCost,
    });
    attachment.start();

    const conversationId = () => readConversationId(document, spec, location.href);
    const lang = uiLang();
    // The pre-send guard in a task of its own, after the first read of the log.
    setTimeout(() => {
      if (!signal.aborted) startPresend({ spec, signal, lang, conversationId });
    }, 0);

    // Hint insertion asked for by the side panel (through the background).
    const stop = listen((raw) => {
      const m = InsertHint.safeParse(raw);
      if (!m.success) return undefined;
      const el = findCompose(document, spec);
      const answer = (r: InsertHintReply) => Promise.resolve(r);
      if (!el)
        return answer({
          ok: false,
          reason: spec.compose
            ? `compose box not found: "${spec.compose.input}"`
            : 'this console has no compose box in its adapter',
        });
      if (m.data.conversationId !== conversationId())
        return answer({ ok: false, reason: 'that conversation is not open in the console' });
      return answer({ ok: true, inserted: insertText(el, m.data.text, m.data.mode) });
    });
    signal.addEventListener('abort', stop);
  }
}
