import type { UiLang } from '@/lib/scripts';
import { UI_LANGS, useT } from './i18n';

/** Each language named in itself, so it can be found whatever the current UI language is. */
const NATIVE: Record<UiLang, string> = { zh_CN: '简体中文', zh_TW: '繁體中文', en: 'English' };

/** The options of every UI-language picker (side panel settings, options page): "auto" first. */
export function LanguageOptions() {
  const t = useT();
  return (
    <>
      <option value="auto">{t('settingLanguageAuto')}</option>
      {UI_LANGS.map((l) => (
        <option key={l} value={l} lang={l.replace('_', '-')}>
          {NATIVE[l]}
        </option>
      ))}
    </>
  );
}
