/** Panel settings: language (browser or chosen), quiet notifications, the QA endpoint for lead mode. */
import { useState } from 'preact/hooks';
import type { UiLang } from '@/lib/scripts';
import { useT } from './i18n';
import { LanguageOptions } from './LanguageOptions';

export interface PanelSettings {
  lang: 'auto' | UiLang;
  quiet: boolean;
  mode: 'agent' | 'lead';
  endpoint: string;
  token: string;
}

export const DEFAULT_SETTINGS: PanelSettings = {
  lang: 'auto',
  quiet: false,
  mode: 'agent',
  endpoint: '',
  token: '',
};

export function Settings({
  settings,
  onChange,
  onClose,
}: {
  settings: PanelSettings;
  onChange: (next: PanelSettings) => void;
  onClose: () => void;
}) {
  const t = useT();
  const [endpoint, setEndpoint] = useState(settings.endpoint);
  const [token, setToken] = useState(settings.token);
  return (
    <section class="card settings" aria-labelledby="settings-title" data-testid="settings">
      <h2 class="card__title" id="settings-title">
        {t('settings')}
      </h2>
      <label class="field">
        {t('settingLanguage')}{' '}
        <select
          data-testid="setting-language"
          value={settings.lang}
          onChange={(e) =>
            onChange({ ...settings, lang: (e.target as HTMLSelectElement).value as PanelSettings['lang'] })
          }
        >
          <LanguageOptions />
        </select>
      </label>
      <label class="field field--check">
        <input
          type="checkbox"
          data-testid="setting-quiet"
          checked={settings.quiet}
          onChange={(e) => onChange({ ...settings, quiet: (e.target as HTMLInputElement).checked })}
        />{' '}
        {t('settingQuiet')}
      </label>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ ...settings, endpoint: endpoint.trim(), token: token.trim() });
        }}
      >
        <label class="field">
          {t('settingEndpoint')}
          <input
            type="url"
            placeholder="https://qa.example.com"
            value={endpoint}
            onInput={(e) => setEndpoint((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          {t('settingToken')}
          <input
            type="password"
            autocomplete="off"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          />
        </label>
        <div class="finding__actions">
          <button type="submit" class="btn btn--primary">
            {t('settingSave')}
          </button>
          <button type="button" class="btn" onClick={onClose}>
            {t('settingsClose')}
          </button>
        </div>
      </form>
    </section>
  );
}
