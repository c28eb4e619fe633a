import { render } from 'preact';
import { App } from '@/components/panel/App';
import { I18n } from '@/components/panel/i18n';
import { createPanelStore } from '@/components/panel/store';
import { parseMessage } from '@/lib/messages';
import { t, uiLanguage } from '@/platform/i18n';
import { connect } from '@/platform/runtime';

const store = createPanelStore();
document.documentElement.lang = uiLanguage();

function open(): void {
  const port = connect('panel');
  port.onMessage((raw) => {
    const r = parseMessage(raw);
    if (r.ok) store.apply(r.message);
    else console.warn('[sotto] panel ignored a message:', r.reason);
  });
  // The service worker may be stopped; reconnect and take a fresh snapshot when it comes back.
  port.onDisconnect(() => setTimeout(open, 100));
  port.post({ type: 'panel-hello' });
}
open();

render(
  <I18n.Provider value={t}>
    <App store={store} />
  </I18n.Provider>,
  document.getElementById('app')!,
);
