/**
 * The options page: every setting editable and saved, settings the enterprise policy sets shown
 * disabled with a note, validation in the user's language, and the policy lock computed from the
 * same parse that merges the settings.
 */
import { cleanup, fireEvent, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, Options, type OptionsValues } from '../../../components/options/Options';
import { lockedByPolicy, mergeSettings } from '../../../lib/sync/config';
import { renderIn } from '../panel/helpers';

afterEach(cleanup);

function setup(locked: Set<string> = new Set(), lang: 'en' | 'zh_CN' | 'zh_TW' = 'en') {
  const saved: OptionsValues[] = [];
  const r = renderIn(
    <Options
      values={DEFAULT_OPTIONS}
      locked={locked}
      enrolled={false}
      onSave={async (v) => {
        saved.push(v);
        return { ok: true };
      }}
    />,
    lang,
  );
  return { r, saved };
}

describe('Options', () => {
  it('saves endpoint, code, sync mode, retention, features, language and quiet', async () => {
    const { r, saved } = setup();
    fireEvent.input(r.getByTestId('opt-endpoint'), { target: { value: 'https://qa.example.com' } });
    fireEvent.input(r.getByTestId('opt-enrolment'), { target: { value: 'ENROL-1234' } });
    fireEvent.change(r.getByTestId('opt-sync-mode'), { target: { value: 'transcripts-redacted' } });
    fireEvent.input(r.getByTestId('opt-retention'), { target: { value: '14' } });
    fireEvent.click(r.getByTestId('opt-feature-callAudio'));
    fireEvent.change(r.getByTestId('opt-language'), { target: { value: 'zh_TW' } });
    fireEvent.click(r.getByTestId('opt-quiet'));
    fireEvent.click(r.getByTestId('opt-save'));
    await waitFor(() => expect(r.getByTestId('opt-status').dataset.kind).toBe('saved'));
    expect(saved[0]).toEqual({
      endpoint: 'https://qa.example.com',
      enrolmentCode: 'ENROL-1234',
      syncMode: 'transcripts-redacted',
      retentionDays: 14,
      features: { presendCheck: true, callAudio: false, hints: true, leadMode: true },
      lang: 'zh_TW',
      quiet: true,
    });
    expect(r.queryByTestId('policy-banner')).toBeNull();
  });

  it('shows what the policy sets disabled, with the note tied to the control', () => {
    const locked = lockedByPolicy({
      endpoint: 'https://qa.corp.example',
      syncMode: 'findings-redacted',
      features: { hints: false },
    });
    expect([...locked].sort()).toEqual(['endpoint', 'features.hints', 'syncMode']);
    const { r } = setup(locked, 'zh_CN');
    expect(r.getByTestId('policy-banner').textContent).toContain('由贵机构统一配置');
    const endpoint = r.getByTestId('opt-endpoint') as HTMLInputElement;
    expect(endpoint.disabled).toBe(true);
    expect(endpoint.getAttribute('aria-describedby')).toBe('locked-endpoint');
    expect(r.getByTestId('locked-endpoint').textContent).toBe('由贵机构设置');
    expect((r.getByTestId('opt-sync-mode') as HTMLSelectElement).disabled).toBe(true);
    expect((r.getByTestId('opt-feature-hints') as HTMLInputElement).disabled).toBe(true);
    // What the policy does not set stays the user's.
    expect((r.getByTestId('opt-feature-callAudio') as HTMLInputElement).disabled).toBe(false);
    expect((r.getByTestId('opt-retention') as HTMLInputElement).disabled).toBe(false);
    expect((r.getByTestId('opt-language') as HTMLSelectElement).disabled).toBe(false);
    expect(r.queryByTestId('locked-retentionDays')).toBeNull();
  });

  it('refuses a plain-http endpoint and a short code, in the chosen language', async () => {
    const { r, saved } = setup(new Set(), 'zh_TW');
    fireEvent.input(r.getByTestId('opt-endpoint'), { target: { value: 'http://qa.example.com' } });
    fireEvent.click(r.getByTestId('opt-save'));
    await waitFor(() => expect(r.getByTestId('opt-status').dataset.kind).toBe('error'));
    expect(r.getByTestId('opt-status').textContent).toContain('https');
    fireEvent.input(r.getByTestId('opt-endpoint'), { target: { value: 'http://localhost:8787' } });
    fireEvent.input(r.getByTestId('opt-enrolment'), { target: { value: 'short' } });
    fireEvent.click(r.getByTestId('opt-save'));
    await waitFor(() =>
      expect(r.getByTestId('opt-status').textContent).toBe('註冊碼長度應為 8 至 100 個字元。'),
    );
    expect(saved).toEqual([]);
  });
});

describe('policy merge', () => {
  it('merges features one by one and locks nothing for an invalid policy', () => {
    const s = mergeSettings(
      { features: { hints: true, callAudio: false }, retentionDays: 10 },
      { features: { hints: false }, retentionDays: 90 },
    );
    expect(s.features).toEqual({ hints: false, callAudio: false });
    expect(s.retentionDays).toBe(90);
    expect(lockedByPolicy({ endpoint: 'not a url' }).size).toBe(0);
    expect(lockedByPolicy(undefined).size).toBe(0);
  });
});
