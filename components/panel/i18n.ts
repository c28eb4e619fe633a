/**
 * Components take their strings from this context, so they render in tests without a browser;
 * the side panel provides the `_locales` lookup.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Translate = (key: string, subs?: string | string[]) => string;
export const I18n = createContext<Translate>((key) => key);
export const useT = (): Translate => useContext(I18n);
