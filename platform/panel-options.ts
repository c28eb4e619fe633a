/**
 * Storage behind the options page: sync settings (`sotto:sync-settings`, read by the service
 * worker, retention and sync) and the panel's personal settings (`sotto:panel-settings`), with
 * the enterprise policy that overrides them.
 */
import { browser } from 'wxt/browser';
import { DEFAULT_OPTIONS, type OptionsValues } from '@/components/options/Options';
import { DEFAULT_SETTINGS, type PanelSettings } from '@/components/panel/Settings';
import { FEATURES, StoredDevice, lockedByPolicy, mergeSettings } from '@/lib/sync/config';
import { readPolicy, SYNC_SETTINGS_KEY } from './panel-sync';

const PANEL_KEY = 'sotto:panel-settings';
const DEVICE_KEY = 'sotto:device';

export interface LoadedOptions {
  values: OptionsValues;
  locked: Set<string>;
  enrolled: boolean;
}

export async function loadOptions(): Promise<LoadedOptions> {
  const got = await browser.storage.local.get([SYNC_SETTINGS_KEY, PANEL_KEY, DEVICE_KEY]);
  const policy = await readPolicy();
  const s = mergeSettings(got[SYNC_SETTINGS_KEY], policy);
  const panel = { ...DEFAULT_SETTINGS, ...((got[PANEL_KEY] as Partial<PanelSettings> | undefined) ?? {}) };
  const device = StoredDevice.safeParse(got[DEVICE_KEY]);
  const features = { ...DEFAULT_OPTIONS.features };
  for (const f of FEATURES) if (s.features?.[f] !== undefined) features[f] = s.features[f]!;
  return {
    values: {
      endpoint: s.endpoint ?? '',
      enrolmentCode: s.enrolmentCode ?? '',
      syncMode: s.syncMode ?? DEFAULT_OPTIONS.syncMode,
      retentionDays: s.retentionDays ?? DEFAULT_OPTIONS.retentionDays,
      features,
      lang: panel.lang,
      quiet: panel.quiet,
    },
    locked: lockedByPolicy(policy),
    enrolled: device.success && device.data.endpoint === s.endpoint,
  };
}

/**
 * Writes what the user may change. Values the policy sets are not written: the policy keeps
 * winning, and the local value is what applies if the policy is lifted.
 */
export async function saveOptions(v: OptionsValues): Promise<void> {
  const locked = lockedByPolicy(await readPolicy());
  const got = await browser.storage.local.get([SYNC_SETTINGS_KEY, PANEL_KEY]);
  const local = { ...((got[SYNC_SETTINGS_KEY] as Record<string, unknown> | undefined) ?? {}) };
  const put = (k: string, value: unknown) => {
    if (locked.has(k)) return;
    if (value === '' || value === undefined) delete local[k];
    else local[k] = value;
  };
  put('endpoint', v.endpoint);
  put('enrolmentCode', v.enrolmentCode);
  put('syncMode', v.syncMode);
  put('retentionDays', v.retentionDays);
  const features = { ...((local.features as Record<string, boolean> | undefined) ?? {}) };
  for (const f of FEATURES) if (!locked.has(`features.${f}`)) features[f] = v.features[f];
  local.features = features;
  const panel = { ...DEFAULT_SETTINGS, ...((got[PANEL_KEY] as Partial<PanelSettings> | undefined) ?? {}) };
  await browser.storage.local.set({
    [SYNC_SETTINGS_KEY]: local,
    [PANEL_KEY]: { ...panel, lang: v.lang, quiet: v.quiet },
  });
}
