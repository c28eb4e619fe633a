/**
 * Content-script wiring of the pre-send check: the compose guard, its closed-shadow UI, the
 * draft check (straight to the offscreen document on a port, through the background when that
 * document is not there; with a deadline, so a cold or dead worker never holds the agent up) and
 * "send anyway" reported as a finding.
 */
import type { Localized } from '@/lib/finding';
import { type DraftHit, suggestRewrite } from '@/lib/adapters/presend';
import { type CheckPath, DirectDraftClient, PRESEND_PORT } from '@/lib/adapters/presend-client';
import { ComposeGuard } from '@/lib/adapters/presend-guard';
import { sentAnywayFinding } from '@/lib/adapters/presend-override';
import { presendUi } from '@/lib/adapters/presend-ui';
import type { AdapterSpec } from '@/lib/adapters/spec';
import { newId } from '@/lib/ids';
import { t } from '@/platform/i18n';
import { connect, send } from '@/platform/runtime';

/** A debounced check that has not answered by then is dropped (the background keeps retrying). */
const CHECK_DEADLINE_MS = 5000;

function withDeadline<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

/**
 * Straight to the offscreen document (one process less per keystroke); the background's way when
 * there is none yet (it creates it) or it does not answer. One per page: its port outlives a
 * re-attach.
 */
let drafts: DirectDraftClient | undefined;

export function startPresend(opts: {
  spec: AdapterSpec;
  signal: AbortSignal;
  lang: keyof Localized;
  conversationId(): string | undefined;
}): void {
  const { spec, signal, lang, conversationId } = opts;
  if (!spec.compose) return;
  const rewrite = (draft: string, hits: DraftHit[]) => suggestRewrite(draft, hits, lang);
  drafts ??= new DirectDraftClient({
    connect: () => connect(PRESEND_PORT),
    viaBackground: (text, conv) =>
      send<{ ok: boolean; reply?: { hits: DraftHit[] } }>({
        type: 'draft-check',
        text,
        ...(conv ? { conversationId: conv } : {}),
      }).then((r) => (r?.ok ? (r.reply?.hits ?? []) : [])),
  });
  const client = drafts;
  client.open();
  new ComposeGuard({
    win: window,
    spec,
    signal,
    rewrite,
    check(text) {
      const asked = client.check(text.slice(0, 5000), conversationId()).then(({ hits, via }) => {
        // Which way the last check was answered, kept in this script's isolated world (invisible
        // to the page) for diagnostics and the e2e test, as `__sottoAttachState` is.
        (globalThis as { __sottoPresendVia?: CheckPath }).__sottoPresendVia = via;
        return hits;
      });
      return withDeadline(asked, CHECK_DEADLINE_MS, []);
    },
    ui: presendUi({
      doc: document,
      lang,
      rewrite,
      // Looked up when a warning is shown: the first `i18n.getMessage` in a page's script loads
      // the extension's message catalogue (5.6 ms profiled per console page as it loaded).
      texts: lookedUpWhenRead({
        title: 'presendTitle',
        useRewrite: 'presendUseRewrite',
        sendAnyway: 'presendSendAnyway',
        edit: 'presendEdit',
        rewriteLabel: 'presendRewriteLabel',
        noticeTitle: 'presendNoticeTitle',
        dismiss: 'presendDismiss',
      }),
    }),
    onOverride(draft, hits) {
      const ts = Date.now();
      const finding = sentAnywayFinding({
        id: newId(ts),
        conversationId: conversationId() ?? 'unknown',
        draft,
        hits,
        lang,
        ts,
      });
      send({ type: 'presend-override', finding, hits, draft: draft.slice(0, 5000) }).catch(() => {});
    },
  }).start();
}

/** Texts whose messages are looked up each time one is read, not when the object is made. */
function lookedUpWhenRead<K extends string>(messages: Record<K, string>): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const [k, name] of Object.entries(messages) as [K, string][])
    Object.defineProperty(out, k, { get: () => t(name), enumerable: true });
  return out;
}
