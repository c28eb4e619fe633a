/** Translations come from `_locales` through the browser; the key list is checked by a test. */
import { browser } from 'wxt/browser';

export function t(key: string, subs?: string | string[]): string {
  const getMessage = browser.i18n.getMessage as (k: string, s?: string | string[]) => string;
  return getMessage(key, subs) || key;
}

export function uiLanguage(): string {
  return browser.i18n.getUILanguage();
}
