import { adapterFor, adapterMatches } from '@/adapters';
import { ConsoleAttachment } from '@/lib/adapters/attachment';
import { findCompose, insertText } from '@/lib/adapters/compose';
import { readConversationId } from '@/lib/adapters/reader';
import type { Localized } from '@/lib/finding';
import { InsertHint, type InsertHintReply } from '@/lib/messages';
import { uiLanguage } from '@/platform/i18n';
import { listen, send } from '@/platform/runtime';
import { startPresend } from './presend';

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
    startPresend({ spec, signal: ctx.signal, lang, conversationId });

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
