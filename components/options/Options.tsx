/**
 * The options page: where findings go (endpoint, enrolment code, sync mode), how long they stay on
 * this device, which features run, the language and notifications. Settings an organisation sets
 * through enterprise policy (storage.managed) are shown, disabled, with a note saying so.
 */
import { useState } from 'preact/hooks';
import { FEATURES, type Feature, SYNC_MODES } from '@/lib/sync/config';
import type { UiLang } from '@/lib/scripts';
import { useT } from '../panel/i18n';
import { LanguageOptions } from '../panel/LanguageOptions';

export interface OptionsValues {
  endpoint: string;
  enrolmentCode: string;
  syncMode: (typeof SYNC_MODES)[number];
  retentionDays: number;
  features: Record<Feature, boolean>;
  lang: 'auto' | UiLang;
  quiet: boolean;
}

export const DEFAULT_OPTIONS: OptionsValues = {
  endpoint: '',
  enrolmentCode: '',
  syncMode: 'findings-redacted',
  retentionDays: 30,
  features: { presendCheck: true, callAudio: true, hints: true, leadMode: true },
  lang: 'auto',
  quiet: false,
};

export type SaveOutcome = { ok: true } | { ok: false; reason: string };

export function validateOptions(v: OptionsValues): string | undefined {
  if (v.endpoint) {
    try {
      const u = new URL(v.endpoint);
      if (u.protocol !== 'https:' && u.hostname !== 'localhost' && u.hostname !== '127.0.0.1')
        return 'optionsErrHttps';
    } catch {
      return 'optionsErrUrl';
    }
  }
  if (v.enrolmentCode && (v.enrolmentCode.length < 8 || v.enrolmentCode.length > 100))
    return 'optionsErrCode';
  if (!Number.isInteger(v.retentionDays) || v.retentionDays < 1 || v.retentionDays > 3650)
    return 'optionsErrRetention';
  return undefined;
}

export function Options({
  values,
  locked,
  enrolled,
  onSave,
}: {
  values: OptionsValues;
  /** Keys set by policy: `endpoint`, `syncMode`, `features.hints`, … */
  locked: ReadonlySet<string>;
  /** This device already has a token for the endpoint (the code was used and forgotten). */
  enrolled: boolean;
  onSave: (next: OptionsValues) => Promise<SaveOutcome>;
}) {
  const t = useT();
  const [v, setV] = useState(values);
  const [status, setStatus] = useState<{ kind: 'saved' | 'error'; text: string } | undefined>();
  const set = <K extends keyof OptionsValues>(k: K, value: OptionsValues[K]) => {
    setV((old) => ({ ...old, [k]: value }));
    setStatus(undefined);
  };
  const isLocked = (k: string) => locked.has(k);
  /** The note under a locked control; the control points at it with aria-describedby. */
  const note = (k: string) =>
    isLocked(k) ? (
      <span class="opt__locked" id={`locked-${k}`} data-testid={`locked-${k}`}>
        {t('optionsLockedByPolicy')}
      </span>
    ) : null;
  const described = (k: string) => (isLocked(k) ? { 'aria-describedby': `locked-${k}` } : {});

  return (
    <main class="options" data-testid="options">
      <h1>{t('optionsTitle')}</h1>
      {locked.size > 0 ? (
        <p class="opt__policy" data-testid="policy-banner">
          {t('optionsPolicyBanner')}
        </p>
      ) : null}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const problem = validateOptions(v);
          if (problem) {
            setStatus({ kind: 'error', text: t(problem) });
            return;
          }
          const r = await onSave(v);
          setStatus(r.ok ? { kind: 'saved', text: t('optionsSaved') } : { kind: 'error', text: r.reason });
        }}
      >
        <fieldset class="opt__group">
          <legend>{t('optionsSyncGroup')}</legend>
          <label class="opt__field">
            <span>{t('optionsEndpoint')}</span>
            <input
              type="url"
              name="endpoint"
              data-testid="opt-endpoint"
              placeholder="https://qa.example.com"
              value={v.endpoint}
              disabled={isLocked('endpoint')}
              onInput={(e) => set('endpoint', (e.target as HTMLInputElement).value.trim())}
              {...described('endpoint')}
            />
            {note('endpoint')}
          </label>
          <label class="opt__field">
            <span>{t('optionsEnrolmentCode')}</span>
            <input
              type="password"
              name="enrolmentCode"
              autocomplete="off"
              data-testid="opt-enrolment"
              value={v.enrolmentCode}
              disabled={isLocked('enrolmentCode')}
              onInput={(e) => set('enrolmentCode', (e.target as HTMLInputElement).value.trim())}
              aria-describedby={isLocked('enrolmentCode') ? 'locked-enrolmentCode' : 'enrol-help'}
            />
            <span class="opt__help" id="enrol-help" data-testid="enrol-state">
              {enrolled ? t('optionsEnrolled') : t('optionsEnrolmentHelp')}
            </span>
            {note('enrolmentCode')}
          </label>
          <label class="opt__field">
            <span>{t('optionsSyncMode')}</span>
            <select
              name="syncMode"
              data-testid="opt-sync-mode"
              value={v.syncMode}
              disabled={isLocked('syncMode')}
              onChange={(e) =>
                set('syncMode', (e.target as HTMLSelectElement).value as OptionsValues['syncMode'])
              }
              {...described('syncMode')}
            >
              {SYNC_MODES.map((m) => (
                <option key={m} value={m}>
                  {t(m === 'findings-redacted' ? 'optionsSyncFindings' : 'optionsSyncTranscripts')}
                </option>
              ))}
            </select>
            {note('syncMode')}
          </label>
          <label class="opt__field">
            <span>{t('optionsRetention')}</span>
            <input
              type="number"
              name="retentionDays"
              min={1}
              max={3650}
              step={1}
              data-testid="opt-retention"
              value={v.retentionDays}
              disabled={isLocked('retentionDays')}
              onInput={(e) => set('retentionDays', Number((e.target as HTMLInputElement).value))}
              {...described('retentionDays')}
            />
            {note('retentionDays')}
          </label>
        </fieldset>

        <fieldset class="opt__group">
          <legend>{t('optionsFeatures')}</legend>
          {FEATURES.map((f) => (
            <label key={f} class="opt__check">
              <input
                type="checkbox"
                name={`features.${f}`}
                data-testid={`opt-feature-${f}`}
                checked={v.features[f]}
                disabled={isLocked(`features.${f}`)}
                onChange={(e) =>
                  set('features', { ...v.features, [f]: (e.target as HTMLInputElement).checked })
                }
                {...described(`features.${f}`)}
              />{' '}
              <span>{t(`optionsFeature_${f}`)}</span>
              {note(`features.${f}`)}
            </label>
          ))}
        </fieldset>

        <fieldset class="opt__group">
          <legend>{t('optionsPersonal')}</legend>
          <label class="opt__field">
            <span>{t('settingLanguage')}</span>
            <select
              name="lang"
              data-testid="opt-language"
              value={v.lang}
              onChange={(e) => set('lang', (e.target as HTMLSelectElement).value as OptionsValues['lang'])}
            >
              <LanguageOptions />
            </select>
          </label>
          <label class="opt__check">
            <input
              type="checkbox"
              name="quiet"
              data-testid="opt-quiet"
              checked={v.quiet}
              onChange={(e) => set('quiet', (e.target as HTMLInputElement).checked)}
            />{' '}
            <span>{t('settingQuiet')}</span>
          </label>
        </fieldset>

        <div class="opt__actions">
          <button type="submit" class="btn btn--primary" data-testid="opt-save">
            {t('settingSave')}
          </button>
          <p
            class={`opt__status${status?.kind === 'error' ? ' opt__status--error' : ''}`}
            role="status"
            data-testid="opt-status"
            data-kind={status?.kind ?? ''}
          >
            {status?.text ?? ''}
          </p>
        </div>
      </form>
    </main>
  );
}
