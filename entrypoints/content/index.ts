import { adapterFor, adapterMatches } from '@/adapters';
import { ConsoleAttachment } from '@/lib/adapters/attachment';
import { ComposeGuard, findCompose, insertText } from '@/lib/adapters/compose';
import { type DraftHit, suggestRewrite } from '@/lib/adapters/presend';
import { presendUi } from '@/lib/adapters/presend-ui';
import { readConversationId } from '@/lib/adapters/reader';
import type { Finding, Localized } from '@/lib/finding';
import { newId } from '@/lib/ids';
import { InsertHint, type InsertHintReply } from '@/lib/messages';
import { t, uiLanguage } from '@/platform/i18n';
import { listen, send } from '@/platform/runtime';

function uiLang(): keyof Localized {
  const l = uiLanguage().toLowerCase();
  if (l.startsWith('zh-tw') || l.startsWith('zh-hk') || l.includes('hant')) return 'zh_TW';
  return l.startsWith('zh') ? 'zh_CN' : 'en';
}

export default defineContentScript({
  matches: adapterMatches,
  runAt: 'document_idle',
  main(ctx) {
    const spec = adapterFor(location.href);
    // A page that matches no adapter gets nothing: no UI, no observers, no messages.
    if (!spec) return;
    const attachment = new ConsoleAttachment({
      win: window,
      spec,
      signal: ctx.signal,
      async send(utterances) {
        const r = await send<{ ok: boolean; reason?: string }>({ type: 'utterances', utterances });
        if (!r?.ok) throw new Error(r?.reason ?? 'no answer from the background');
      },
      report(state) {
        send({ type: 'attach-state', state }).catch(() => {});
      },
    });
    attachment.start();

    const conversationId = () => readConversationId(document, spec, location.href);
    const lang = uiLang();
    const rewrite = (draft: string, hits: DraftHit[]) => suggestRewrite(draft, hits, lang);
    if (spec.compose) {
      new ComposeGuard({
        win: window,
        spec,
        signal: ctx.signal,
        rewrite,
        async check(text) {
          const conv = conversationId();
          const r = await send<{ ok: boolean; reply?: { hits: DraftHit[] } }>({
            type: 'draft-check',
            text: text.slice(0, 5000),
            ...(conv ? { conversationId: conv } : {}),
          });
          return r?.ok ? (r.reply?.hits ?? []) : [];
        },
        ui: presendUi({
          doc: document,
          lang,
          rewrite,
          texts: {
            title: t('presendTitle'),
            useRewrite: t('presendUseRewrite'),
            sendAnyway: t('presendSendAnyway'),
            edit: t('presendEdit'),
            rewriteLabel: t('presendRewriteLabel'),
          },
        }),
        onOverride(_draft, hits) {
          const ts = Date.now();
          const top = hits[0]!;
          const finding: Finding = {
            id: newId(ts),
            conversationId: conversationId() ?? 'unknown',
            ruleId: top.ruleId,
            kind: 'violation',
            severity: top.severity,
            title: top.names[lang],
            names: top.names,
            category: 'presend-override',
            // The draft is not a turn yet; seq 0 marks "before the next turn" and the spans
            // point into the draft that was sent.
            evidence: hits.flatMap((h) => h.evidence.map((e) => ({ seq: 0, ...e }))).slice(0, 50),
            scores: {},
            ts,
          };
          send({ type: 'presend-override', finding, hits }).catch(() => {});
        },
      }).start();
    }

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
    ctx.onInvalidated(stop);
  },
});
