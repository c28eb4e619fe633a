/**
 * Attaching to consoles from the side panel (issue #6): host access for the current console's
 * origin (asked from the agent's click), "Attach here?" on a page no adapter covers (the generic
 * detector's proposal), the element picker, and the user's adapters with export, import and delete.
 */
import type { ReadonlySignal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import type { AttachView } from '@/components/panel/store';
import { useT } from '@/components/panel/i18n';
import { originPattern } from '@/lib/adapters/detect';
import type { AdapterSpec } from '@/lib/adapters/spec';
import {
  exportAdapter,
  NO_ADAPTER_ID,
  type ProposalReply,
  parseImport,
  removeAdapter,
  upsertAdapter,
} from '@/lib/adapters/user-adapters';

export interface AttachActions {
  activeTab(): Promise<{ tabId: number; url?: string } | undefined>;
  hasOrigin(pattern: string): Promise<boolean>;
  /** Must be called synchronously from a click (Chrome needs the user gesture). */
  requestOrigin(pattern: string): Promise<boolean>;
  onOriginsChanged(fn: () => void): () => void;
  propose(tabId: number): Promise<ProposalReply>;
  pick(tabId: number): Promise<{ ok: boolean; reason?: string }>;
  load(): Promise<AdapterSpec[]>;
  save(specs: AdapterSpec[]): Promise<void>;
  onChanged(fn: (specs: AdapterSpec[]) => void): () => void;
  copy(text: string): Promise<void>;
  builtInIds: readonly string[];
}

function AccessRow({ actions }: { actions: AttachActions }) {
  const t = useT();
  const [tab, setTab] = useState<{ tabId: number; url?: string }>();
  const [typed, setTyped] = useState('');
  const [granted, setGranted] = useState<boolean>();
  const [note, setNote] = useState('');
  const url = tab?.url && /^https?:/.test(tab.url) ? tab.url : typed;
  const pattern = originPattern(url);

  useEffect(() => {
    const refresh = () => void actions.activeTab().then(setTab, () => setTab(undefined));
    refresh();
    window.addEventListener('focus', refresh);
    const off = actions.onOriginsChanged(refresh);
    return () => {
      window.removeEventListener('focus', refresh);
      off();
    };
  }, [actions]);
  useEffect(() => {
    if (!pattern) return setGranted(undefined);
    void actions.hasOrigin(pattern).then(setGranted, () => setGranted(undefined));
  }, [pattern, actions]);

  const ask = () => {
    if (!pattern) return;
    // No await before this call: the permission prompt needs the click's user gesture.
    actions.requestOrigin(pattern).then(
      (ok) => {
        setGranted(ok);
        setNote(ok ? t('attachAccessGranted') : t('attachAccessRefused'));
      },
      (e: unknown) => setNote(String(e)),
    );
  };

  return (
    <div class="attach__access" data-testid="attach-access">
      {tab?.url && /^https?:/.test(tab.url) ? null : (
        <label class="field">
          <span>{t('attachAddress')}</span>
          <input
            type="url"
            value={typed}
            placeholder="https://desk.example.com/"
            onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          />
        </label>
      )}
      {pattern ? (
        granted ? (
          <p class="muted" data-testid="attach-access-state" data-granted="yes">
            {t('attachAccessOn', pattern)}
          </p>
        ) : (
          <button type="button" class="btn btn--primary" data-testid="attach-allow" onClick={ask}>
            {t('attachAllow', pattern)}
          </button>
        )
      ) : null}
      {note ? <p role="status">{note}</p> : null}
    </div>
  );
}

function Unattached({
  state,
  actions,
  onSaved,
}: {
  state: AttachView;
  actions: AttachActions;
  onSaved(): void;
}) {
  const t = useT();
  const [reply, setReply] = useState<ProposalReply>();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const check = () => {
    setBusy(true);
    actions
      .propose(state.tabId)
      .then(setReply, (e: unknown) => setReply({ ok: false, reason: String(e) }))
      .finally(() => setBusy(false));
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: one check per page (tab and URL)
  useEffect(check, [state.tabId, state.url]);
  const proposal = reply?.proposal;
  const attach = async () => {
    if (!proposal) return;
    const spec = proposal.spec as AdapterSpec;
    await actions.save(upsertAdapter(await actions.load(), spec));
    setNote(t('attachSaved', spec.id));
    onSaved();
  };
  const pick = () => {
    setNote(t('attachPickStarted'));
    actions.pick(state.tabId).then(
      (r) => !r.ok && setNote(r.reason ?? ''),
      (e: unknown) => setNote(String(e)),
    );
  };
  let host = state.url;
  try {
    host = new URL(state.url).host;
  } catch {}
  return (
    <div class="attach__offer" data-testid="attach-offer" data-tab={state.tabId}>
      <p>
        <strong>{t('attachHere', host)}</strong>
      </p>
      {busy ? <p class="muted">{t('attachChecking')}</p> : null}
      {proposal ? (
        <div data-testid="attach-proposal">
          <p>{t('attachProposal', [String(proposal.items), String(proposal.withSpeaker)])}</p>
          <ul class="muted">
            {proposal.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      ) : reply && !busy ? (
        <p class="muted" data-testid="attach-no-proposal">
          {t('attachNoProposal', reply.reason ?? '')}
        </p>
      ) : null}
      <div class="attach__buttons">
        {proposal ? (
          <button
            type="button"
            class="btn btn--primary"
            data-testid="attach-accept"
            onClick={() => void attach()}
          >
            {t('attachAccept')}
          </button>
        ) : null}
        <button type="button" class="btn" data-testid="attach-pick" onClick={pick}>
          {t('attachPick')}
        </button>
        <button type="button" class="btn btn--quiet" onClick={check}>
          {t('attachCheckAgain')}
        </button>
      </div>
      {note ? (
        <p role="status" data-testid="attach-note">
          {note}
        </p>
      ) : null}
    </div>
  );
}

function download(name: string, text: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function UserAdapters({ actions }: { actions: AttachActions }) {
  const t = useT();
  const [specs, setSpecs] = useState<AdapterSpec[]>([]);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  useEffect(() => {
    void actions.load().then(setSpecs);
    return actions.onChanged(setSpecs);
  }, [actions]);
  const doImport = async (raw: string) => {
    const r = parseImport(raw, actions.builtInIds);
    if (!r.ok) {
      setError(t('attachImportError', r.error));
      return;
    }
    let next = await actions.load();
    for (const s of r.specs) next = upsertAdapter(next, s);
    await actions.save(next);
    setError('');
    setText('');
    setNote(t('attachImported', r.specs.map((s) => s.id).join(', ')));
  };
  return (
    <div class="attach__mine" data-testid="user-adapters">
      <h3 class="card__title">{t('attachMine')}</h3>
      {specs.length === 0 ? <p class="muted">{t('attachMineNone')}</p> : null}
      <ul class="attach__list">
        {specs.map((s) => (
          <li key={s.id} data-testid="user-adapter" data-adapter={s.id}>
            <span>
              <strong>{s.name}</strong> <code>{s.id}</code> <span class="muted">{s.matches.join(' ')}</span>
            </span>
            <span class="attach__buttons">
              <button
                type="button"
                class="btn btn--quiet"
                data-testid="user-adapter-copy"
                onClick={() =>
                  void actions.copy(exportAdapter(s)).then(
                    () => setNote(t('attachCopied', s.id)),
                    (e: unknown) => setNote(String(e)),
                  )
                }
              >
                {t('attachCopy')}
              </button>
              <button
                type="button"
                class="btn btn--quiet"
                data-testid="user-adapter-download"
                onClick={() => download(`${s.id}.json`, exportAdapter(s))}
              >
                {t('attachDownload')}
              </button>
              <button
                type="button"
                class="btn btn--quiet"
                data-testid="user-adapter-delete"
                aria-label={t('attachDeleteNamed', s.id)}
                onClick={() => void actions.load().then((all) => actions.save(removeAdapter(all, s.id)))}
              >
                {t('attachDelete')}
              </button>
            </span>
          </li>
        ))}
      </ul>
      <label class="field">
        <span>{t('attachImportLabel')}</span>
        <textarea
          rows={4}
          data-testid="user-adapter-import-text"
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="attach__buttons">
        <button
          type="button"
          class="btn"
          data-testid="user-adapter-import"
          onClick={() => void doImport(text)}
        >
          {t('attachImport')}
        </button>
        <label class="btn btn--quiet">
          {t('attachImportFile')}
          <input
            type="file"
            accept="application/json,.json"
            class="visually-hidden"
            data-testid="user-adapter-import-file"
            onChange={(e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) void f.text().then(doImport);
            }}
          />
        </label>
      </div>
      {error ? (
        <p role="alert" class="attach__error" data-testid="user-adapter-import-error">
          {error}
        </p>
      ) : null}
      {note ? <p role="status">{note}</p> : null}
    </div>
  );
}

export function AttachPanel({
  attach,
  actions,
}: {
  attach: ReadonlySignal<AttachView[]>;
  actions: AttachActions;
}) {
  const t = useT();
  const [, bump] = useState(0);
  const open = attach.value.filter((s) => !s.attached && s.adapterId === NO_ADAPTER_ID);
  return (
    <section class="card attach" aria-labelledby="attach-title" data-testid="attach">
      <h2 class="card__title" id="attach-title">
        {t('attachTitle')}
      </h2>
      <AccessRow actions={actions} />
      {open.map((s) => (
        <Unattached key={`${s.tabId}`} state={s} actions={actions} onSaved={() => bump((n) => n + 1)} />
      ))}
      <UserAdapters actions={actions} />
    </section>
  );
}
