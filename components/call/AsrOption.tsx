/**
 * The options page's speech server field (issue #7): where voice transcripts come from, if
 * anywhere. It says what is sent where; empty means no call audio leaves the device. A server set
 * by enterprise policy (`asr` in public/managed_schema.json) is shown instead, locked.
 */
import { useState } from 'preact/hooks';
import { AsrSettings } from '@/lib/asr/config';
import { useT } from '../panel/i18n';

export function validAsrEndpoint(endpoint: string): boolean {
  return endpoint === '' || AsrSettings.safeParse({ endpoint }).success;
}

export function AsrOption({
  endpoint,
  byPolicy,
  onSave,
}: {
  endpoint: string;
  /** The policy's server, when the organisation set one (the field is then locked). */
  byPolicy: string | undefined;
  onSave(endpoint: string): Promise<void>;
}) {
  const t = useT();
  const [value, setValue] = useState(byPolicy ?? endpoint);
  const [status, setStatus] = useState<{ error: boolean; text: string } | undefined>();
  return (
    <form
      class="options"
      data-testid="asr-option"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!validAsrEndpoint(value)) return setStatus({ error: true, text: t('optionsAsrErrUrl') });
        try {
          await onSave(value);
        } catch (err) {
          return setStatus({ error: true, text: String(err) });
        }
        setStatus({ error: false, text: t(value ? 'optionsAsrSaved' : 'optionsAsrCleared') });
      }}
    >
      <fieldset class="opt__group">
        <legend>{t('optionsAsrGroup')}</legend>
        <label class="opt__field">
          <span>{t('optionsAsrEndpoint')}</span>
          <input
            type="text"
            inputMode="url"
            name="asrEndpoint"
            autocomplete="off"
            spellcheck={false}
            data-testid="opt-asr-endpoint"
            placeholder="wss://asr.example.com"
            value={value}
            disabled={byPolicy !== undefined}
            aria-describedby="asr-help"
            onInput={(e) => {
              setValue((e.target as HTMLInputElement).value.trim());
              setStatus(undefined);
            }}
          />
          <span class="opt__help" id="asr-help">
            {t('optionsAsrHelp')}
          </span>
          {byPolicy !== undefined ? (
            <span class="opt__locked" data-testid="locked-asr">
              {t('optionsAsrPolicy', byPolicy)}
            </span>
          ) : null}
        </label>
        {byPolicy === undefined ? (
          <div class="opt__actions">
            <button type="submit" class="btn" data-testid="opt-asr-save">
              {t('optionsAsrSave')}
            </button>
            <p
              class={`opt__status${status?.error ? ' opt__status--error' : ''}`}
              role="status"
              data-testid="opt-asr-status"
            >
              {status?.text ?? ''}
            </p>
          </div>
        ) : null}
      </fieldset>
    </form>
  );
}
