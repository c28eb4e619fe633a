/**
 * Every UI string goes through `_locales`: each key the side panel uses (literal or built from a
 * label list) and each `__MSG_…__` in the manifest exists in zh_CN, zh_TW and en, and the three
 * files have the same keys.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Severity } from '../../../lib/finding';
import { EMOTIONS, INTENTS } from '../../../lib/labels';
import { VARIABLE_NAMES } from '../../../lib/scripts';

const root = join(import.meta.dirname, '../../..');
const LOCALES = ['en', 'zh_CN', 'zh_TW'] as const;
const messages = Object.fromEntries(
  LOCALES.map((l) => [
    l,
    JSON.parse(readFileSync(join(root, `public/_locales/${l}/messages.json`), 'utf8')) as Record<
      string,
      { message: string }
    >,
  ]),
);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

/** Keys the components build at run time from label lists. */
const dynamic = [
  ...['agent', 'customer', 'system'].map((s) => `speaker_${s}`),
  ...[...EMOTIONS, 'pending'].map((e) => `emotion_${e}`),
  ...INTENTS.map((i) => `intent_${i}`),
  ...Severity.options.map((s) => `severity_${s.replace('-', '_')}`),
  ...VARIABLE_NAMES.map((v) => `var_${v}`),
  ...['Done', 'Pending', 'Overdue', 'Missed'].map((s) => `checklist${s}`),
  'modeAgent',
  'modeLead',
];

function usedKeys(): Set<string> {
  const keys = new Set<string>(dynamic);
  for (const f of [...files(join(root, 'components')), ...files(join(root, 'entrypoints/sidepanel'))]) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\bt\(\s*'([A-Za-z][A-Za-z0-9_]*)'/g)) keys.add(m[1]!);
  }
  const manifest = readFileSync(join(root, 'wxt.config.ts'), 'utf8');
  for (const m of manifest.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) keys.add(m[1]!);
  return keys;
}

describe('locales', () => {
  it('the three locale files have the same keys and no empty message', () => {
    const en = Object.keys(messages.en!).sort();
    for (const l of LOCALES) {
      expect(Object.keys(messages[l]!).sort(), l).toEqual(en);
      for (const [k, v] of Object.entries(messages[l]!)) expect(v.message.trim(), `${l}.${k}`).not.toBe('');
    }
  });

  it('every key the side panel and the manifest use exists in every locale', () => {
    const keys = usedKeys();
    expect(keys.size).toBeGreaterThan(100);
    for (const l of LOCALES) {
      const missing = [...keys].filter((k) => !(k in messages[l]!));
      expect(missing, l).toEqual([]);
    }
  });

  it('placeholders match across languages ($1, $2…)', () => {
    for (const k of Object.keys(messages.en!)) {
      const ph = (l: string) =>
        [...(messages[l]![k]?.message ?? '').matchAll(/\$\d/g)].map((m) => m[0]).sort();
      expect(ph('zh_CN'), k).toEqual(ph('en'));
      expect(ph('zh_TW'), k).toEqual(ph('en'));
    }
  });
});
