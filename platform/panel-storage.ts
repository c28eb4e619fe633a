/**
 * Side-panel persistence in `storage.local`: settings, feedback queued for the QA endpoint, and the
 * locale files for a language the agent chose over the browser's.
 */
import { browser } from 'wxt/browser';
import type { FeedbackEvent, FeedbackStore } from '@/components/panel/feedback';
import { FeedbackEvent as FeedbackEventSchema } from '@/components/panel/feedback';
import type { LocaleMessages } from '@/components/panel/i18n';
import { DEFAULT_SETTINGS, type PanelSettings } from '@/components/panel/Settings';

const SETTINGS_KEY = 'sotto:panel-settings';
const FEEDBACK_KEY = 'sotto:feedback';

export async function loadSettings(): Promise<PanelSettings> {
  const got = await browser.storage.local.get(SETTINGS_KEY);
  return { ...DEFAULT_SETTINGS, ...((got[SETTINGS_KEY] as Partial<PanelSettings> | undefined) ?? {}) };
}

export async function saveSettings(s: PanelSettings): Promise<void> {
  await browser.storage.local.set({ [SETTINGS_KEY]: s });
}

export const feedbackStore: FeedbackStore = {
  async load(): Promise<FeedbackEvent[]> {
    const got = await browser.storage.local.get(FEEDBACK_KEY);
    const raw = (got[FEEDBACK_KEY] as unknown[] | undefined) ?? [];
    // Drop anything an older version wrote that no longer parses rather than failing the panel.
    return raw.flatMap((r) => {
      const p = FeedbackEventSchema.safeParse(r);
      return p.success ? [p.data] : [];
    });
  },
  async save(events) {
    await browser.storage.local.set({ [FEEDBACK_KEY]: events });
  },
};

export async function loadLocale(lang: string): Promise<LocaleMessages> {
  const res = await fetch(browser.runtime.getURL(`/_locales/${lang}/messages.json` as '/'));
  return (await res.json()) as LocaleMessages;
}

export async function copyText(text: string): Promise<void> {
  await navigator.clipboard.writeText(text);
}

export function openTab(url: string): void {
  void browser.tabs.create({ url });
}
