import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '@testing-library/preact';
import type { ComponentChildren } from 'preact';
import { I18n, Lang, makeTranslator } from '../../../components/panel/i18n';
import { createPanelStore, type PanelStoreOptions } from '../../../components/panel/store';
import type { Analysis } from '../../../lib/analysis/types';
import type { Finding } from '../../../lib/finding';
import { newId } from '../../../lib/ids';
import { ScriptLibrary, type UiLang } from '../../../lib/scripts';
import type { Utterance } from '../../../lib/utterance';

const root = join(import.meta.dirname, '../../..');
export const library = ScriptLibrary.parse(
  JSON.parse(readFileSync(join(root, 'scripts/library/general.json'), 'utf8')),
);

export function translator(lang: UiLang) {
  return makeTranslator(
    JSON.parse(readFileSync(join(root, `public/_locales/${lang}/messages.json`), 'utf8')),
  );
}

export function renderIn(ui: ComponentChildren, lang: UiLang = 'en') {
  return render(
    <I18n.Provider value={translator(lang)}>
      <Lang.Provider value={lang}>{ui}</Lang.Provider>
    </I18n.Provider>,
  );
}

export function makeStore(opts: PanelStoreOptions = {}) {
  return createPanelStore({ scripts: library.scripts, checklist: library.checklist, ...opts });
}

export const T0 = 1_800_000_000_000;

export function utterance(seq: number, speaker: Utterance['speaker'], text: string, c = 'c1'): Utterance {
  return { conversationId: c, seq, speaker, text, ts: T0 + seq * 5000, channel: 'chat', source: 'demo-desk' };
}

export function analysis(
  seq: number,
  opts: { emotion?: string; intent?: string; findings?: Finding[] } = {},
  c = 'c1',
): Analysis {
  const a: Analysis = { conversationId: c, seq, findings: opts.findings ?? [], workerMs: 1 };
  if (opts.emotion) a.emotion = { label: opts.emotion as never, probs: { [opts.emotion]: 0.9 } };
  if (opts.intent) a.intent = { label: opts.intent as never, probs: { [opts.intent]: 0.9 } };
  return a;
}

export function finding(
  seq: number,
  ruleId: string,
  over: Partial<Finding> & { start?: number; end?: number; text?: string } = {},
  c = 'c1',
): Finding {
  const { start = 0, end = 4, text = 'text', ...rest } = over;
  return {
    id: newId(T0 + seq * 5000),
    conversationId: c,
    ruleId,
    kind: 'violation',
    severity: 'critical',
    title: ruleId,
    names: { zh_CN: `规则 ${ruleId}`, zh_TW: `規則 ${ruleId}`, en: `Rule ${ruleId}` },
    evidence: [{ seq, start, end, text }],
    scores: {},
    ts: T0 + seq * 5000,
    ...rest,
  };
}
