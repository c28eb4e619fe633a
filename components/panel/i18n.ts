/**
 * Components take their strings from this context, so they render in tests without a browser;
 * the side panel provides a lookup into `_locales` (the browser's, or the language the agent chose).
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { UiLang } from '@/lib/scripts';

export type Translate = (key: string, subs?: string | string[]) => string;
export const I18n = createContext<Translate>((key) => key);
export const useT = (): Translate => useContext(I18n);

/** The language of localized data (rule names, scripts): the same one the strings are in. */
export const Lang = createContext<UiLang>('en');
export const useLang = (): UiLang => useContext(Lang);

export const UI_LANGS: readonly UiLang[] = ['zh_CN', 'zh_TW', 'en'];

/** Maps a BCP 47 tag (`navigator.language`, `i18n.getUILanguage()`) to one of our locales. */
export function uiLangOf(tag: string): UiLang {
  const t = tag.toLowerCase().replace('_', '-');
  if (!t.startsWith('zh')) return 'en';
  // Traditional script: zh-TW, zh-HK, zh-MO and explicit zh-Hant.
  return /-(tw|hk|mo|hant)\b/.test(t) ? 'zh_TW' : 'zh_CN';
}

export type LocaleMessages = Record<string, { message: string }>;

/**
 * A lookup over one `messages.json`, with Chrome's positional `$1`…`$9` substitutions. Used when
 * the agent overrides the browser language, which `i18n.getMessage` cannot do.
 */
export function makeTranslator(messages: LocaleMessages): Translate {
  return (key, subs) => {
    const m = messages[key]?.message;
    if (m === undefined) return key;
    const list = subs === undefined ? [] : Array.isArray(subs) ? subs : [subs];
    return m.replace(/\$(\d)/g, (_, d: string) => list[Number(d) - 1] ?? '').replace(/\$\$/g, '$');
  };
}
