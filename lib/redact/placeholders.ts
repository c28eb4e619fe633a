import { SIMPLIFIED_ONLY, TRADITIONAL_ONLY, isHan } from './chars';
import type { BuiltinType, LocaleOption, PiiKind, PlaceholderLocale } from './types';

type Words = Record<PlaceholderLocale, string>;

const BUILTIN: Record<BuiltinType, Words> = {
  PHONE: { 'zh-Hans': '电话', 'zh-Hant': '電話', en: 'PHONE' },
  ID: { 'zh-Hans': '身份证', 'zh-Hant': '身份證', en: 'ID' },
  CARD: { 'zh-Hans': '银行卡', 'zh-Hant': '銀行卡', en: 'CARD' },
  EMAIL: { 'zh-Hans': '邮箱', 'zh-Hant': '郵箱', en: 'EMAIL' },
  SSN: { 'zh-Hans': 'SSN', 'zh-Hant': 'SSN', en: 'SSN' },
  IBAN: { 'zh-Hans': 'IBAN', 'zh-Hant': 'IBAN', en: 'IBAN' },
};
// Mobile numbers get their everyday name (手机号), landlines the general one (电话).
const MOBILE: Words = { 'zh-Hans': '手机号', 'zh-Hant': '手機號', en: 'PHONE' };
const MOBILE_KINDS = new Set<PiiKind>(['cn-mobile', 'tw-mobile']);

export function builtinPlaceholder(type: BuiltinType, kind: PiiKind, locale: PlaceholderLocale): string {
  const words = type === 'PHONE' && MOBILE_KINDS.has(kind) ? MOBILE : BUILTIN[type];
  return `[${words[locale]}]`;
}

/** Every built-in placeholder in every language; redacted text must read as "nothing to find". */
export function allBuiltinPlaceholders(): string[] {
  const all = new Set<string>();
  for (const words of [...Object.values(BUILTIN), MOBILE])
    for (const w of Object.values(words)) all.add(`[${w}]`);
  return [...all];
}

/** Sticky regex that recognises any of the given placeholders at `lastIndex`. */
export function placeholderMatcher(placeholders: readonly string[]): RegExp {
  const alts = [...new Set(placeholders)]
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(alts.join('|'), 'y');
}

// Module-local aliases so the per-character loops below index the tables directly.
const SIMP = SIMPLIFIED_ONLY;
const TRAD = TRADITIONAL_ONLY;
const han = isHan;

const AROUND = 12;
const HK_TW_KINDS = new Set<PiiKind>(['hk-id', 'tw-id', 'hk-phone', 'tw-mobile', 'tw-landline']);

/**
 * Chooses the placeholder language for one match. A fixed locale wins. In `auto`, a match with Han
 * characters within AROUND code units (or inside it, e.g. 一三八…) gets Chinese, otherwise English; the
 * Chinese script follows the whole text's simplified- vs traditional-only characters, and on a tie
 * Hong Kong / Taiwan numbers get traditional.
 */
export class LocalePicker {
  private variant: 'zh-Hans' | 'zh-Hant' | 'tie' | undefined;
  constructor(
    private readonly text: string,
    private readonly option: LocaleOption,
  ) {}

  pick(start: number, end: number, kind: PiiKind): PlaceholderLocale {
    if (this.option !== 'auto') return this.option;
    const from = Math.max(0, start - AROUND);
    const to = Math.min(this.text.length, end + AROUND);
    let found = false;
    for (let i = from; i < to && !found; i++) found = han(this.text.charCodeAt(i));
    if (!found) return 'en';
    return this.scriptOf(kind);
  }

  private scriptOf(kind: PiiKind): 'zh-Hans' | 'zh-Hant' {
    // Counted once per text (a tie is remembered too), so many matches in one text stay linear.
    if (this.variant === undefined) {
      let simp = 0;
      let trad = 0;
      for (let i = 0; i < this.text.length; i++) {
        const c = this.text.charCodeAt(i);
        simp += SIMP[c] ?? 0;
        trad += TRAD[c] ?? 0;
      }
      this.variant = simp === trad ? 'tie' : simp > trad ? 'zh-Hans' : 'zh-Hant';
    }
    if (this.variant !== 'tie') return this.variant;
    return HK_TW_KINDS.has(kind) ? 'zh-Hant' : 'zh-Hans';
  }
}

/** Normalises locale spellings callers commonly have (`zh-CN`, `zh_TW`, `en-US`) to a placeholder locale. */
export function normaliseLocale(locale: string | undefined): LocaleOption {
  if (locale === undefined || locale === '' || locale === 'auto') return 'auto';
  const l = locale.replace('_', '-').toLowerCase();
  if (l === 'zh-hant' || l === 'zh-tw' || l === 'zh-hk' || l === 'zh-mo' || l.startsWith('zh-hant'))
    return 'zh-Hant';
  if (l.startsWith('zh')) return 'zh-Hans';
  if (l.startsWith('en')) return 'en';
  throw new Error(`unknown locale "${locale}": use auto, zh-Hans, zh-Hant or en`);
}
