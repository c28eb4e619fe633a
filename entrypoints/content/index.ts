import { adapterFor, adapterMatches } from '@/adapters';
import { ConsoleAttachment } from '@/lib/adapters/attachment';
import { send } from '@/platform/runtime';

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
  },
});
