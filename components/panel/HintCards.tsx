/**
 * Reply suggestions: rule hints first, then library scripts chosen by intent, emotion and active
 * rules, with `{customerName}`/`{orderId}` filled in. Insert puts the text in the console's compose
 * box (the agent still sends it); Copy is the fallback where insertion is not possible.
 */
import { type Hint, type RuleHint, selectHints } from '@/lib/scripts';
import type { PanelActions } from './actions';
import { useLang, useT } from './i18n';
import type { ConversationView, PanelStore } from './store';

export function hintsFor(store: PanelStore, c: ConversationView, lang: ReturnType<typeof useLang>): Hint[] {
  const fb = c.feedback.value;
  const live = c.findings.value.filter((f) => !fb.wrong.has(f.id) && !fb.snoozed.has(f.ruleId ?? ''));
  const ruleHints: RuleHint[] = [];
  // Latest first: a rule that fired again has the most relevant text.
  for (const f of [...live].reverse()) {
    const hint = f.actions?.hint;
    if (!hint || !f.ruleId) continue;
    ruleHints.push({
      ruleId: f.ruleId,
      title: f.names?.[lang] ?? f.title ?? f.ruleId,
      text: hint.text[lang],
      insertable: hint.insertable ?? false,
    });
  }
  return selectHints(
    store.scripts,
    {
      intent: c.intent.value,
      emotion: c.emotion.value,
      activeRules: new Set(live.map((f) => f.ruleId ?? '')),
      lang,
      vars: c.vars.value,
    },
    ruleHints,
  );
}

export type InsertOutcome = { kind: 'inserted' } | { kind: 'copied' } | { kind: 'failed'; reason: string };

/** Inserts into the console when possible, copies otherwise; the outcome is shown on the card. */
export async function applyHint(
  store: PanelStore,
  actions: PanelActions,
  conversationId: string,
  hint: Hint,
): Promise<InsertOutcome> {
  const tabId = store.tabFor(conversationId);
  if (hint.insertable && tabId !== undefined) {
    const r = await actions
      .insertHint({ tabId, conversationId, hintId: hint.id, text: hint.text })
      .catch((e: unknown) => ({ ok: false, inserted: false, reason: String(e) }));
    if (r.ok && r.inserted !== false) return { kind: 'inserted' };
    await actions.copy(hint.text).catch(() => {});
    return { kind: 'failed', reason: r.reason ?? 'no answer' };
  }
  await actions.copy(hint.text);
  return { kind: 'copied' };
}

function HintCard({
  hint,
  index,
  onUse,
  onCopy,
  outcome,
}: {
  hint: Hint;
  index: number;
  onUse: () => void;
  onCopy: () => void;
  outcome: InsertOutcome | undefined;
}) {
  const t = useT();
  return (
    <li class={`hint hint--${hint.source}`} data-testid="hint" data-hint={hint.id} data-source={hint.source}>
      <div class="hint__head">
        <span class="hint__title">{hint.title}</span>
        {hint.source === 'rule' ? <span class="chip chip--rule">{t('hintFromRule')}</span> : null}
      </div>
      <p class="hint__text" data-testid="hint-text">
        {hint.text}
      </p>
      {hint.missing.length > 0 ? (
        <p class="hint__missing">{t('hintMissing', hint.missing.map((m) => t(`var_${m}`)).join(', '))}</p>
      ) : null}
      <div class="hint__actions">
        {hint.insertable ? (
          <button
            type="button"
            class="btn btn--primary"
            data-testid="hint-insert"
            aria-label={t('hintInsertLabel', hint.title)}
            aria-keyshortcuts={index === 0 ? 'Alt+Shift+H' : undefined}
            onClick={onUse}
          >
            {t('hintInsert')}
          </button>
        ) : null}
        <button
          type="button"
          class="btn"
          data-testid="hint-copy"
          aria-label={t('hintCopyLabel', hint.title)}
          onClick={onCopy}
        >
          {t('hintCopy')}
        </button>
      </div>
      {outcome ? (
        <p class="hint__outcome" role="status" data-testid="hint-outcome" data-outcome={outcome.kind}>
          {outcome.kind === 'inserted'
            ? t('hintInserted')
            : outcome.kind === 'copied'
              ? t('hintCopied')
              : t('hintInsertFailed', outcome.reason)}
        </p>
      ) : null}
    </li>
  );
}

export function HintCards({
  store,
  conversation,
  actions,
  outcomes,
  onOutcome,
}: {
  store: PanelStore;
  conversation: ConversationView;
  actions: PanelActions;
  outcomes: ReadonlyMap<string, InsertOutcome>;
  onOutcome: (hintId: string, o: InsertOutcome) => void;
}) {
  const t = useT();
  const lang = useLang();
  const hints = hintsFor(store, conversation, lang);
  const use = async (h: Hint, insert: boolean) => {
    const o = insert
      ? await applyHint(store, actions, conversation.id, h)
      : await actions.copy(h.text).then(
          (): InsertOutcome => ({ kind: 'copied' }),
          (e: unknown): InsertOutcome => ({ kind: 'failed', reason: String(e) }),
        );
    onOutcome(h.id, o);
  };
  return (
    <section class="card" aria-labelledby="hints-title" data-testid="hints">
      <h2 class="card__title" id="hints-title">
        {t('hints')} <span class="card__aside">{hints.length > 0 ? t('hintShortcut') : ''}</span>
      </h2>
      {hints.length === 0 ? (
        <p class="muted">{t('noHints')}</p>
      ) : (
        <ol class="hints">
          {hints.map((h, i) => (
            <HintCard
              key={h.id}
              hint={h}
              index={i}
              outcome={outcomes.get(h.id)}
              onUse={() => void use(h, true)}
              onCopy={() => void use(h, false)}
            />
          ))}
        </ol>
      )}
    </section>
  );
}
