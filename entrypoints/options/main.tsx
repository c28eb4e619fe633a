import { render } from 'preact';
import { AsrOption } from '@/components/call/AsrOption';
import { DEFAULT_OPTIONS, Options, type OptionsValues } from '@/components/options/Options';
import { I18n, Lang, makeTranslator, type Translate, uiLangOf } from '@/components/panel/i18n';
import { t as browserT, uiLanguage } from '@/platform/i18n';
import { loadOptions, saveOptions } from '@/platform/panel-options';
import { loadLocale } from '@/platform/panel-storage';
import { loadAsrOption, saveAsrOption } from '@/platform/capture';
import { send } from '@/platform/runtime';

async function translatorFor(lang: OptionsValues['lang']): Promise<Translate> {
  return lang === 'auto' ? browserT : makeTranslator(await loadLocale(lang));
}

async function start(): Promise<void> {
  const loaded = await loadOptions().catch(() => ({
    values: DEFAULT_OPTIONS,
    locked: new Set<string>(),
    enrolled: false,
  }));
  const draw = async (values: OptionsValues, enrolled: boolean) => {
    const lang = values.lang === 'auto' ? uiLangOf(uiLanguage()) : values.lang;
    document.documentElement.lang = lang.replace('_', '-');
    const t = await translatorFor(values.lang).catch(() => browserT);
    document.title = t('optionsTitle');
    render(
      <I18n.Provider value={t}>
        <Lang.Provider value={lang}>
          <Options
            // A new key re-reads the stored values after a language change re-renders the page.
            key={`${lang}:${enrolled}`}
            values={values}
            locked={loaded.locked}
            enrolled={enrolled}
            onSave={async (next) => {
              try {
                await saveOptions(next);
              } catch (e) {
                return { ok: false, reason: String(e) };
              }
              // Enrol and send now rather than at the next alarm.
              await send({ type: 'sync-now' }).catch(() => {});
              if (next.lang !== values.lang) {
                const again = await loadOptions();
                void draw(again.values, again.enrolled);
              }
              return { ok: true };
            }}
          />
        </Lang.Provider>
      </I18n.Provider>,
      document.getElementById('app')!,
    );
    // The speech server: its own form and storage key, saved on its own.
    const asr = await loadAsrOption().catch(() => ({ endpoint: '', byPolicy: undefined }));
    render(
      <I18n.Provider value={t}>
        <Lang.Provider value={lang}>
          <AsrOption key={lang} endpoint={asr.endpoint} byPolicy={asr.byPolicy} onSave={saveAsrOption} />
        </Lang.Provider>
      </I18n.Provider>,
      document.getElementById('asr')!,
    );
  };
  await draw(loaded.values, loaded.enrolled);
}
void start();
