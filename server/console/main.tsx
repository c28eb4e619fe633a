// biome-ignore-all lint/correctness/useJsxKeyInIterable: lists are re-rendered whole from each API reply; no item state to keep
// biome-ignore-all lint/complexity/noCommaOperator: `(e.preventDefault(), go(…))` keeps link handlers one line
// biome-ignore-all lint/suspicious/noAssignInExpressions: signal writes inside one-line handlers
// biome-ignore-all lint/correctness/useExhaustiveDependencies: useApi takes its dependencies explicitly
/** The QA console: a small Preact app over /v1/qa (session cookie auth, role-aware navigation). */
import { signal } from '@preact/signals';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Chart } from './chart';
import { CUSTOMER_INTENTS } from '../../lib/label-names';
import { intentName, type Key, type Lang, lang, loc, STRINGS, setLang, t } from './i18n';

// biome-ignore lint/suspicious/noExplicitAny: API replies are read field by field
type Any = any;
const route = signal(location.pathname.replace(/^\/console\/?/, ''));
const me = signal<Any>(null);
const dark = signal(
  localStorage.getItem('sotto.dark') === '1' ||
    (localStorage.getItem('sotto.dark') === null && matchMedia('(prefers-color-scheme: dark)').matches),
);

function go(path: string) {
  history.pushState(null, '', `/console/${path}`);
  route.value = path;
}
addEventListener('popstate', () => {
  route.value = location.pathname.replace(/^\/console\/?/, '');
});

async function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<Any> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  if (res.status === 401) {
    me.value = null;
    throw new Error('unauthenticated');
  }
  const json = res.status === 204 ? {} : await res.json();
  if (!res.ok) throw new Error(json.reason ?? json.error ?? String(res.status));
  return json;
}

/**
 * GET `path` and keep its answer. The fourth value says the data on screen answers an earlier path
 * (a filter was just changed), so lists can mark themselves busy instead of passing old rows off as
 * the new result.
 */
function useApi(path: string | null, deps: unknown[] = []): [Any, () => void, string | null, boolean] {
  const [data, setData] = useState<Any>(null);
  const [loadedPath, setLoadedPath] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    api(path).then(
      (d) => live && (setData(d), setLoadedPath(path), setErr(null)),
      (e: Error) => live && (setLoadedPath(path), setErr(e.message)),
    );
    return () => {
      live = false;
    };
  }, [path, n, ...deps]);
  return [data, () => setN((x) => x + 1), err, path !== null && loadedPath !== path];
}

const fmt = (ms: number | null | undefined) =>
  ms ? new Date(ms).toLocaleString(lang.value === 'en' ? 'en-GB' : 'zh-CN', { hour12: false }) : '';
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`;
const emo = (e: string | null) => (e ? t(e as Key) : '—');
const locale = () => (lang.value === 'en' ? 'en-GB' : lang.value === 'zh_TW' ? 'zh-TW' : 'zh-CN');
/** `2026-11-30` → "30 Nov" / "11月30日". */
const fmtDay = (iso: string) =>
  new Date(`${iso}T00:00:00Z`).toLocaleDateString(locale(), {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
/** Customer emotion as a level for the timeline, calm to angry. */
const EMOTIONS = ['positive', 'neutral', 'frustrated', 'angry'] as const;
const EMOTION_LEVEL: Record<string, number> = Object.fromEntries(EMOTIONS.map((e, i) => [e, i]));
/** May review, decide appeals, sample, calibrate and edit rules and scorecards. */
const canManage = (meta: Any) => ['qa', 'admin'].includes(meta.me.role);
const convPath = (id: string) => `c/${encodeURIComponent(id)}`;
/** A channel, severity or appeal state in the console's language (unknown values as they are). */
const enumLabel = (v: string) => (v && `enum_${v}` in STRINGS ? t(`enum_${v}` as Key) : v);

/**
 * A form's submit handler: the page stays (no navigation), and `handle` gets the form's fields
 * and the form itself.
 */
function onSubmitForm(handle: (fields: FormData, form: HTMLFormElement) => unknown) {
  return (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    return handle(new FormData(form), form);
  };
}

/** An in-app link: a real href (so a new tab works) that navigates without a reload. */
function Link({ to, title, children }: { to: string; title?: string; children: preact.ComponentChildren }) {
  return (
    <a
      href={`/console/${to}`}
      title={title}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        go(to);
      }}
    >
      {children}
    </a>
  );
}

function Head({ cols }: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th scope="col">{c}</th>
        ))}
      </tr>
    </thead>
  );
}

function TeamSelect({
  meta,
  value,
  onChange,
  any,
}: {
  meta: Any;
  value: string;
  onChange: (team: string) => void;
  any?: boolean;
}) {
  return (
    <label>
      {t('team')}{' '}
      <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {any && <option value="">{t('any')}</option>}
        {meta.teams.map((x: Any) => (
          <option value={x.id}>{x.name}</option>
        ))}
      </select>
    </label>
  );
}

function Mood({ labels }: { labels: string[] }) {
  return (
    <span class="mood" role="img" aria-label={labels.map((l) => t(l as Key)).join(' → ')}>
      {labels.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: positions are the identity of a trend
        <i key={i} class={`m-${l}`} />
      ))}
    </span>
  );
}

function Login() {
  const [err, setErr] = useState('');
  return (
    <form
      class="card login"
      onSubmit={onSubmitForm(async (f) => {
        try {
          await api('/v1/auth/login', {
            method: 'POST',
            body: { email: f.get('email'), password: f.get('password') },
          });
          me.value = (await api('/v1/qa/meta')).me;
        } catch (x) {
          setErr((x as Error).message);
        }
      })}
    >
      <h1>Sotto · {t('title')}</h1>
      <label>
        {t('email')} <input name="email" type="email" autocomplete="username" required />
      </label>
      <label>
        {t('password')} <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <button type="submit">{t('signIn')}</button>
      {err && (
        <p role="alert" class="err">
          {err}
        </p>
      )}
    </form>
  );
}

const FILTERS = [
  'team',
  'agent',
  'from',
  'to',
  'channel',
  'rule',
  'severity',
  'emotion',
  'intent',
  'scoreMin',
  'scoreMax',
  'appealed',
  'reviewed',
] as const;

/** The list filters without paging: what an export or a saved view keeps. */
function listFilters(query: Record<string, string>): Record<string, string> {
  const { page: _p, ...rest } = query;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== ''));
}

function Conversations({ meta }: { meta: Any }) {
  const params = new URLSearchParams(location.search);
  const [query, setQuery] = useState<Record<string, string>>(Object.fromEntries(params));
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '')).toString();
  const [data, , , stale] = useApi(`/v1/qa/conversations?${qs}`);
  const [views, reloadViews] = useApi('/v1/qa/views');
  const page = Number(query.page ?? 1);
  const apply = (q: Record<string, string>) => {
    setQuery(q);
    history.replaceState(
      null,
      '',
      `/console/?${new URLSearchParams(Object.entries(q).filter(([, v]) => v !== ''))}`,
    );
  };
  const sel = (name: string, options: [string, string][]) => (
    <label>
      {t(name as Key)}
      <select name={name}>
        <option value="">{t('any')}</option>
        {options.map(([v, l]) => (
          <option value={v} selected={query[name] === v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
  const toDate = (ms?: string) => (ms ? new Date(Number(ms)).toISOString().slice(0, 10) : '');
  return (
    <section>
      <h2>{t('conversations')}</h2>
      {/* The fields start from the applied filters and are the user's until the next apply: a
          re-render (the list arriving) must not reset a choice not applied yet, so they are
          uncontrolled, and the form starts afresh when the applied filters change. */}
      <form
        key={qs}
        class="filters"
        aria-label={t('filters')}
        onSubmit={onSubmitForm((f) => {
          const q: Record<string, string> = {};
          for (const k of FILTERS) {
            const v = String(f.get(k) ?? '');
            if (!v) continue;
            q[k] = k === 'from' || k === 'to' ? String(Date.parse(v)) : v;
          }
          apply(q);
        })}
      >
        {sel(
          'team',
          meta.teams.map((x: Any) => [x.id, x.name]),
        )}
        {sel(
          'agent',
          meta.agents.map((x: Any) => [x.id, x.name]),
        )}
        <label>
          {t('from')} <input type="date" name="from" defaultValue={toDate(query.from)} />
        </label>
        <label>
          {t('to')} <input type="date" name="to" defaultValue={toDate(query.to)} />
        </label>
        {sel('channel', [
          ['chat', t('chat')],
          ['voice', t('voice')],
        ])}
        {sel(
          'rule',
          meta.rules.map((r: string) => [r, r]),
        )}
        {sel(
          'severity',
          ['hint', 'warning', 'critical', 'auto-fail'].map((s) => [s, enumLabel(s)]),
        )}
        {sel(
          'emotion',
          ['angry', 'frustrated', 'neutral', 'positive'].map((s) => [s, t(s as Key)]),
        )}
        {sel(
          'intent',
          CUSTOMER_INTENTS.map((s) => [s, intentName(s)]),
        )}
        <label>
          {t('scoreMin')}{' '}
          <input type="number" name="scoreMin" min="0" max="100" defaultValue={query.scoreMin ?? ''} />
        </label>
        <label>
          {t('scoreMax')}{' '}
          <input type="number" name="scoreMax" min="0" max="100" defaultValue={query.scoreMax ?? ''} />
        </label>
        {sel('appealed', [
          ['true', t('yes')],
          ['false', t('no')],
        ])}
        {sel('reviewed', [
          ['true', t('yes')],
          ['false', t('no')],
        ])}
        <button type="submit">{t('apply')}</button>
        <button
          type="button"
          onClick={async () => {
            const name = prompt(t('name'));
            if (!name) return;
            await api('/v1/qa/views', { method: 'POST', body: { name, query: listFilters(query) } });
            reloadViews();
          }}
        >
          {t('saveView')}
        </button>
      </form>
      <p class="exports-row">
        <ExportLinks base="conversations" label={t('exportList')} query={listFilters(query)} />
      </p>
      {views?.views?.length > 0 && (
        <nav class="views" aria-label={t('views')}>
          {t('views')}:{' '}
          {views.views.map((v: Any) => (
            <button type="button" class="link" onClick={() => apply(v.query)}>
              {v.name}
            </button>
          ))}
        </nav>
      )}
      {!data ? (
        <p>{t('loading')}</p>
      ) : (
        <>
          <table class="list" aria-busy={stale ? 'true' : 'false'} data-testid="conversation-list">
            <Head
              cols={[
                t('started'),
                t('team'),
                t('agent'),
                t('channel'),
                t('score'),
                t('worst'),
                t('mood'),
                t('emotion'),
              ]}
            />
            <tbody>
              {data.rows.map((r: Any) => (
                <tr data-id={r.id}>
                  <td>
                    <Link to={convPath(r.id)}>{fmt(r.startedAt)}</Link>
                  </td>
                  <td>{r.teamName}</td>
                  <td>{r.agentName}</td>
                  <td>{enumLabel(r.channel)}</td>
                  <td class={r.passed ? 'ok' : 'bad'}>
                    {r.score}
                    {r.overrideScore !== null && ' ✎'}
                  </td>
                  <td>
                    {r.worstSeverity ? (
                      <span class={`sev sev-${r.worstSeverity}`}>{r.worstTitle ?? r.worstRule}</span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <Mood labels={r.mood} />
                  </td>
                  <td>{emo(r.emotion)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager">
            <button
              type="button"
              disabled={page <= 1}
              onClick={() => apply({ ...query, page: String(page - 1) })}
            >
              {t('prev')}
            </button>
            <span>
              {t('page')} {page} · {t('total')} {data.total}
              {data.totalCapped ? '+' : ''}
            </span>
            <button
              type="button"
              disabled={page * data.pageSize >= data.total}
              onClick={() => apply({ ...query, page: String(page + 1) })}
            >
              {t('next')}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

function Highlight({ text, spans }: { text: string; spans: { start: number; end: number }[] }) {
  const out: preact.ComponentChildren[] = [];
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at) continue;
    out.push(text.slice(at, s.start), <mark>{text.slice(s.start, s.end)}</mark>);
    at = s.end;
  }
  out.push(text.slice(at));
  return <>{out}</>;
}

function Conversation({ id, meta }: { id: string; meta: Any }) {
  const [d, reload, err] = useApi(`/v1/qa/conversations/${encodeURIComponent(id)}`);
  if (err) return <p class="err">{err}</p>;
  if (!d) return <p>{t('loading')}</p>;
  const manager = ['qa', 'admin', 'lead'].includes(meta.me.role);
  const spansBySeq = new Map<number, { start: number; end: number }[]>();
  for (const f of d.findings)
    if (!f.voided) for (const e of f.evidence) spansBySeq.set(e.seq, [...(spansBySeq.get(e.seq) ?? []), e]);
  const items = new Map<string, Any>();
  for (const dim of d.scorecard.dimensions) for (const it of dim.items) items.set(it.id, it);
  // Rules by the name their findings carry (the device's rulebook), else by id.
  const ruleName = (id: string) => loc(d.findings.find((f: Any) => f.ruleId === id)?.names) || id;
  return (
    <section class="conv">
      <h2>
        {id} · {t('finalScore')}{' '}
        <span class="big" data-testid="final-score">
          {d.conversation.score}
        </span>{' '}
        ({t('autoScore')} {d.conversation.autoScore})
      </h2>
      <div class="cols">
        <div>
          <h3>{t('evidence')}</h3>
          <ul class="findings">
            {d.findings.map((f: Any) => (
              <li class={f.voided ? 'voided' : ''}>
                <span class={`sev sev-${f.severity}`}>{enumLabel(f.severity)}</span>{' '}
                <b>{loc(f.names) || f.title || f.ruleId}</b> {f.voided && `(${t('voided')})`}
                {f.appeal && (
                  <em>
                    {' '}
                    · {t('appeals')}: {enumLabel(f.appeal.state)}
                  </em>
                )}
                {f.evidence.map((e: Any) => (
                  <blockquote>
                    #{e.seq} <mark>{e.text}</mark>
                  </blockquote>
                ))}
              </li>
            ))}
          </ul>
          {d.transcript.length > 0 && (
            <>
              <h3>{t('transcript')}</h3>
              <ol class="transcript">
                {d.transcript.map((u: Any) => (
                  <li class={`spk-${u.speaker}`}>
                    <span class="who">{u.speaker}</span>{' '}
                    <Highlight text={u.text} spans={spansBySeq.get(u.seq) ?? []} />{' '}
                    {u.emotion && <span class={`chip m-${u.emotion}`}>{t(u.emotion as Key)}</span>}
                  </li>
                ))}
              </ol>
              <Chart
                title={t('timeline')}
                testId="timeline"
                x={d.timeline.map((p: Any) => `#${p.seq}`)}
                series={[
                  {
                    label: t('customerEmotion'),
                    values: d.timeline.map((p: Any) =>
                      p.emotion ? (EMOTION_LEVEL[p.emotion] ?? null) : null,
                    ),
                    color: '--angry',
                    kind: 'step',
                  },
                  {
                    label: t('silenceSeconds'),
                    values: d.timeline.map((p: Any) => (p.silenceMs === null ? null : p.silenceMs / 1000)),
                    color: '--accent',
                    kind: 'bars',
                    right: true,
                  },
                ]}
                max={3}
                format={(v) => (Number.isInteger(v) ? t(EMOTIONS[v] as Key) : '')}
                formatRight={(v) => `${Math.round(v * 10) / 10} s`}
              />
            </>
          )}
        </div>
        <div>
          <h3>{t('breakdown')}</h3>
          <table class="breakdown">
            <tbody>
              {d.breakdown.dimensions.map((dim: Any) => {
                const def = d.scorecard.dimensions.find((x: Any) => x.id === dim.dimensionId);
                return (
                  <>
                    <tr class="dim">
                      <th>{loc(def?.name)}</th>
                      <td>
                        {dim.score}/{dim.max} · {t('weight')} {dim.weight}
                      </td>
                    </tr>
                    {dim.items
                      .filter((i: Any) => i.deducted > 0)
                      .map((i: Any) => (
                        <tr>
                          <td>↳ {loc(items.get(i.itemId)?.name)}</td>
                          <td class="bad">−{i.deducted}</td>
                        </tr>
                      ))}
                    {dim.unmapped.map((u: Any) => (
                      <tr>
                        <td title={u.ruleId}>↳ {ruleName(u.ruleId)}</td>
                        <td class="bad">−{u.deducted}</td>
                      </tr>
                    ))}
                  </>
                );
              })}
              {d.breakdown.autoFailed.length > 0 && (
                <tr>
                  <th>{t('autoFail')}</th>
                  <td class="bad">
                    {d.breakdown.autoFailed
                      .map((a: Any) =>
                        a.ruleId ? ruleName(a.ruleId) : loc(items.get(a.itemId)?.name) || a.itemId,
                      )
                      .join(', ')}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {manager && (
            <form
              class="card"
              aria-label={t('manualReview')}
              onSubmit={onSubmitForm(async (f) => {
                const o = String(f.get('override') ?? '');
                const manual: Record<string, number> = {};
                for (const [k, v] of f.entries())
                  if (k.startsWith('m:') && v !== '') manual[k.slice(2)] = Number(v);
                await api(`/v1/qa/conversations/${encodeURIComponent(id)}/review`, {
                  method: 'POST',
                  body: {
                    overrideScore: o === '' ? null : Number(o),
                    manual,
                    comment: String(f.get('comment') ?? '') || undefined,
                  },
                });
                reload();
              })}
            >
              <h3>{t('manualReview')}</h3>
              {[...items.values()]
                .filter((i) => i.kind === 'manual')
                .map((i) => (
                  <label>
                    {loc(i.question)} (0–{i.points}){' '}
                    <input type="number" name={`m:${i.id}`} min="0" max={i.points} />
                  </label>
                ))}
              <label>
                {t('override')} <input type="number" name="override" min="0" max="100" step="0.5" />
              </label>
              <label>
                {t('comment')} <textarea name="comment" rows={2} />
              </label>
              <button type="submit">{t('submit')}</button>
            </form>
          )}
          {canManage(meta) && (
            <p>
              {t('case')}:{' '}
              {(['good', 'bad'] as const).map((k) => (
                <button
                  type="button"
                  aria-pressed={d.case?.kind === k}
                  onClick={async () => (
                    await api(`/v1/qa/conversations/${encodeURIComponent(id)}/case`, {
                      method: 'PUT',
                      body: { kind: d.case?.kind === k ? 'none' : k },
                    }),
                    reload()
                  )}
                >
                  {t(k)}
                </button>
              ))}
            </p>
          )}
          <h3>{t('comments')}</h3>
          <ul>
            {d.comments.map((c: Any) => (
              <li>
                <b>{c.author}</b> {fmt(c.createdAt)}: {c.body}
              </li>
            ))}
          </ul>
          {manager && (
            <form
              onSubmit={onSubmitForm(async (f, el) => {
                const text = String(f.get('text') ?? '');
                if (!text) return;
                await api(`/v1/qa/conversations/${encodeURIComponent(id)}/comments`, {
                  method: 'POST',
                  body: { text },
                });
                el.reset();
                reload();
              })}
            >
              <input name="text" aria-label={t('comment')} /> <button type="submit">{t('submit')}</button>
            </form>
          )}
          <h3>{t('audit')}</h3>
          <ul class="audit">
            {d.audit.map((a: Any) => (
              <li>
                {fmt(a.createdAt)} · {a.user} · {a.action}{' '}
                {a.detail.scoreAfter !== undefined && `(${a.detail.scoreBefore} → ${a.detail.scoreAfter})`}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}

function Appeals({ meta }: { meta: Any }) {
  const [state, setState] = useState('open');
  const [d, reload] = useApi(`/v1/qa/appeals?state=${state}`);
  const canDecide = canManage(meta);
  return (
    <section>
      <h2>{t('appeals')}</h2>
      <label>
        {t('state')}{' '}
        <select value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
          {['open', 'overdue', 'accepted', 'rejected'].map((s) => (
            <option value={s}>{enumLabel(s)}</option>
          ))}
        </select>
      </label>
      <table class="list">
        <Head
          cols={[t('agent'), t('rule'), t('evidence'), t('reason'), t('deadline'), t('state'), t('actions')]}
        />
        <tbody>
          {d?.appeals.map((a: Any) => (
            <tr data-appeal={a.id}>
              <td>{a.agentName}</td>
              <td>
                <Link to={convPath(a.conversationId)} title={a.ruleId}>
                  {loc(a.names) || a.title || a.ruleId}
                </Link>
              </td>
              <td>
                {a.evidence.map((e: Any) => (
                  <mark>{e.text}</mark>
                ))}
              </td>
              <td>{a.reason}</td>
              <td class={a.overdue ? 'bad' : ''}>
                {fmt(a.deadlineAt)} {a.overdue && t('overdue')}
              </td>
              <td>
                {enumLabel(a.state)}
                {a.scoreAfter !== null && ` (${a.scoreBefore} → ${a.scoreAfter})`}
              </td>
              <td>
                {canDecide && a.state === 'open' && (
                  <>
                    <button
                      type="button"
                      onClick={async () => (
                        await api(`/v1/qa/appeals/${a.id}/decide`, {
                          method: 'POST',
                          body: { decision: 'accept', comment: '' },
                        }),
                        reload()
                      )}
                    >
                      {t('accept')}
                    </button>
                    <button
                      type="button"
                      onClick={async () => {
                        const comment = prompt(t('comment'));
                        if (comment)
                          await api(`/v1/qa/appeals/${a.id}/decide`, {
                            method: 'POST',
                            body: { decision: 'reject', comment },
                          });
                        reload();
                      }}
                    >
                      {t('reject')}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Review({ meta }: { meta: Any }) {
  const [queue, reloadQueue] = useApi('/v1/qa/queue');
  const [sessions, reloadSessions] = useApi('/v1/qa/calibrations');
  const [open, setOpen] = useState<string | null>(null);
  const manager = canManage(meta);
  return (
    <section>
      <h2>{t('review')}</h2>
      {manager && (
        <form
          class="filters"
          onSubmit={onSubmitForm(async (f) => {
            await api('/v1/qa/sampling', {
              method: 'POST',
              body: { strategy: f.get('strategy'), percent: Number(f.get('percent')) },
            });
            reloadQueue();
          })}
        >
          <label>
            {t('sample')}{' '}
            <select name="strategy">
              <option value="risk">{t('risk')}</option>
              <option value="random">{t('random')}</option>
            </select>
          </label>
          <label>
            {t('percent')} <input type="number" name="percent" value="10" min="1" max="100" />
          </label>
          <button type="submit">{t('sample')}</button>
        </form>
      )}
      <h3>{t('queue')}</h3>
      <ul>
        {queue?.items.map((q: Any) => (
          <li>
            <Link to={convPath(q.conversationId)}>{q.conversationId}</Link> · {q.score} · {emo(q.emotion)} ·{' '}
            {q.reason} · {q.assignee}
          </li>
        ))}
      </ul>
      <h3>{t('calibration')}</h3>
      {manager && (
        <form
          class="filters"
          onSubmit={onSubmitForm(async (f) => {
            const ids = String(f.get('ids') ?? '')
              .split(/[\s,]+/)
              .filter(Boolean);
            const reviewerIds = f.getAll('reviewers').map(String);
            const r = await api('/v1/qa/calibrations', {
              method: 'POST',
              body: { name: f.get('name'), conversationIds: ids, reviewerIds },
            });
            reloadSessions();
            setOpen(r.id);
          })}
        >
          <label>
            {t('name')} <input name="name" required />
          </label>
          <label>
            {t('conversations')} <input name="ids" required placeholder="id1, id2" />
          </label>
          <fieldset>
            {meta.reviewers.map((r: Any) => (
              <label>
                <input type="checkbox" name="reviewers" value={r.id} /> {r.name}
              </label>
            ))}
          </fieldset>
          <button type="submit">{t('newSession')}</button>
        </form>
      )}
      <ul>
        {sessions?.sessions.map((s: Any) => (
          <li>
            <button type="button" class="link" onClick={() => setOpen(s.id)}>
              {s.name}
            </button>
          </li>
        ))}
      </ul>
      {open && <Calibration id={open} />}
    </section>
  );
}

function Calibration({ id }: { id: string }) {
  const [d, reload] = useApi(`/v1/qa/calibrations/${id}`, [id]);
  if (!d) return null;
  return (
    <div class="card" data-testid="calibration">
      <h3>{d.name}</h3>
      <p>
        {t('kappa')} (Fleiss):{' '}
        <b data-testid="kappa">{d.fleissKappa === null ? '—' : d.fleissKappa.toFixed(3)}</b> ({d.band}) ·{' '}
        {t('gap')}: {d.meanAbsGapToAuto === null ? '—' : d.meanAbsGapToAuto.toFixed(1)}
      </p>
      <p>
        Cohen:{' '}
        {d.pairs
          .map(
            (p: Any) =>
              `${d.reviewers.find((r: Any) => r.id === p.a)?.name} × ${d.reviewers.find((r: Any) => r.id === p.b)?.name}: ${p.kappa === null ? '—' : p.kappa.toFixed(3)}`,
          )
          .join('; ')}
      </p>
      <table class="list">
        <thead>
          <tr>
            <th>{t('conversations')}</th>
            {d.reviewers.map((r: Any) => (
              <th>{r.name}</th>
            ))}
            <th>{t('autoScore')}</th>
            <th>{t('gap')}</th>
            {d.amReviewer && <th>{t('rate')}</th>}
          </tr>
        </thead>
        <tbody>
          {d.rows.map((r: Any) => (
            <tr>
              <td>{r.conversationId}</td>
              {r.scores.map((s: number | null) => (
                <td>{s ?? '—'}</td>
              ))}
              <td>{r.autoScore}</td>
              <td>{r.gap === null ? '—' : r.gap.toFixed(1)}</td>
              {d.amReviewer && (
                <td>
                  <input
                    type="number"
                    min="0"
                    max="100"
                    aria-label={`${t('rate')} ${r.conversationId}`}
                    onChange={async (e) => {
                      await api(`/v1/qa/calibrations/${id}/ratings`, {
                        method: 'POST',
                        body: {
                          conversationId: r.conversationId,
                          score: Number((e.target as HTMLInputElement).value),
                        },
                      });
                      reload();
                    }}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const EXPORT_KINDS = ['daily', 'agents', 'rules', 'conversations'] as const;

/** CSV and XLSX links for one export, with the console's language for the column headings. */
function ExportLinks({ base, query, label }: { base: string; query: Record<string, string>; label: string }) {
  const qs = (format: string) =>
    `/v1/qa/${base}.${format}?${new URLSearchParams({ ...query, lang: lang.value })}`;
  return (
    <span class="exports">
      {label}:{' '}
      {(['csv', 'xlsx'] as const).map((f) => (
        <a class="button" href={qs(f)} download>
          {f.toUpperCase()}
        </a>
      ))}
    </span>
  );
}

function Analytics({ meta }: { meta: Any }) {
  const [team, setTeam] = useState('');
  const [d] = useApi(`/v1/qa/analytics${team ? `?team=${team}` : ''}`);
  const days = (d?.daily ?? []).map((r: Any) => fmtDay(r.date));
  const topRules = (d?.rules ?? []).slice(0, 10);
  const ruleName = (id: string) => loc(d?.ruleNames?.[id]) || id;
  return (
    <section>
      <h2>{t('analytics')}</h2>
      <div class="filters">
        <TeamSelect meta={meta} value={team} onChange={setTeam} any />
      </div>
      <p class="exports-row">
        {t('export')}:{' '}
        {EXPORT_KINDS.map((k) => (
          <ExportLinks
            base="analytics"
            label={t(`kind_${k}` as Key)}
            query={{ kind: k, ...(team ? { team } : {}) }}
          />
        ))}
      </p>
      {d && (
        <div class="grid">
          <div class="card">
            <Chart
              title={t('scoreTrend')}
              testId="chart-score"
              x={days}
              max={100}
              series={[
                { label: t('avgScore'), values: d.daily.map((r: Any) => r.avgScore), color: '--accent' },
              ]}
            />
            <Chart
              title={t('angryTrend')}
              testId="chart-angry"
              x={days}
              series={[
                {
                  label: t('angry'),
                  values: d.daily.map((r: Any) => r.angry),
                  color: '--angry',
                  kind: 'bars',
                },
                { label: t('failed'), values: d.daily.map((r: Any) => r.failed), color: '--frustrated' },
              ]}
            />
            <Chart
              title={t('ruleHits')}
              testId="chart-rules"
              x={topRules.map((r: Any) => ruleName(r.ruleId))}
              series={[
                {
                  label: t('hits'),
                  values: topRules.map((r: Any) => r.hits),
                  color: '--accent',
                  kind: 'bars',
                },
              ]}
              height={200}
            />
          </div>
          <div class="card">
            <h3>{t('hot')}</h3>
            <ul>
              {d.hot.intents.map((h: Any) => (
                <li>
                  <Link to={`?intent=${encodeURIComponent(h.key)}`}>{intentName(h.key)}</Link> {h.lastWeek} →{' '}
                  {h.thisWeek}
                </li>
              ))}
              {d.hot.rules.map((h: Any) => (
                <li>
                  <Link to={`?rule=${encodeURIComponent(h.key)}`} title={h.key}>
                    {ruleName(h.key)}
                  </Link>{' '}
                  {h.lastWeek} → {h.thisWeek}
                </li>
              ))}
              {/* Redacted evidence snippets: no list filter searches free text, so they are not links. */}
              {d.hot.phrases.map((h: Any) => (
                <li>
                  <q>{h.key}</q> {h.lastWeek} → {h.thisWeek}
                </li>
              ))}
            </ul>
          </div>
          <div class="card">
            <h3>{t('precision')}</h3>
            <table class="list" data-testid="precision">
              <Head cols={[t('rule'), t('hits'), t('wrongCount'), t('precision')]} />
              <tbody>
                {d.rules.map((r: Any) => (
                  <tr data-rule={r.ruleId}>
                    <td title={r.ruleId}>{ruleName(r.ruleId)}</td>
                    <td>{r.hits}</td>
                    <td>{r.wrong}</td>
                    <td class="prec">{pct(r.precision)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="card">
            <h3>{t('agent')}</h3>
            <table class="list">
              <Head cols={[t('agent'), t('conversations'), t('avgScore'), t('angry')]} />
              <tbody>
                {d.agents.map((a: Any) => (
                  <tr>
                    <td>{a.name}</td>
                    <td>{a.n}</td>
                    <td>{a.avgScore}</td>
                    <td>{a.angry}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>{t('intent')}</h3>
            <ul>
              {d.intents.slice(0, 10).map((i: Any) => (
                <li>
                  {intentName(i.key)}: {i.thisWeek}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </section>
  );
}

function Coaching({ meta }: { meta: Any }) {
  const [agent, setAgent] = useState(meta.agents[0]?.id ?? '');
  const [s] = useApi(agent ? `/v1/qa/coaching/suggest?agent=${agent}` : null, [agent]);
  const [items, reload] = useApi('/v1/qa/coaching');
  return (
    <section>
      <h2>{t('coaching')}</h2>
      <label>
        {t('agent')}{' '}
        <select value={agent} onChange={(e) => setAgent((e.target as HTMLSelectElement).value)}>
          {meta.agents.map((a: Any) => (
            <option value={a.id}>{a.name}</option>
          ))}
        </select>
      </label>
      {s && (
        <div class="card">
          <h3>{t('weakest')}</h3>
          {s.weakest.map((w: Any) => (
            <form
              class="filters"
              onSubmit={onSubmitForm(async (f) => {
                const note = String(f.get('note') ?? '');
                await api('/v1/qa/coaching', {
                  method: 'POST',
                  body: {
                    agentUserId: agent,
                    dimensionId: w.dimensionId,
                    note,
                    examples: [...w.ownExamples, ...w.library.map((l: Any) => l.id)],
                  },
                });
                reload();
              })}
            >
              <b>{loc(w.name) || w.dimensionId}</b> {pct(w.ratio)} · {t('examples')}:{' '}
              {[...w.ownExamples, ...w.library.map((l: Any) => `${l.id} (${t(l.kind)})`)].join(', ')}
              <input name="note" required aria-label={t('note')} placeholder={t('note')} />
              <button type="submit">{t('assign')}</button>
            </form>
          ))}
        </div>
      )}
      <ul>
        {items?.items.map((i: Any) => (
          <li>
            {i.agentName} · {i.dimensionId} · {i.note} · {i.state}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A team picker's choice, that team's document from `path(team)`, and its JSON text for editing. */
function useTeamDocument(meta: Any, path: (team: string) => string, editable: (d: Any) => unknown) {
  const [team, setTeam] = useState<string>(meta.teams[0]?.id ?? '');
  const [d, reload] = useApi(team ? path(team) : null, [team]);
  const [text, setText] = useState('');
  useEffect(() => {
    if (d) setText(JSON.stringify(editable(d), null, 2));
  }, [d]);
  return { team, setTeam, d, reload, text, setText };
}

function Rules({ meta }: { meta: Any }) {
  const { team, setTeam, d, reload, text, setText } = useTeamDocument(
    meta,
    (team) => `/v1/qa/rules/${team}`,
    (d) => d.draft?.body ?? d.live?.body ?? {},
  );
  const [msg, setMsg] = useState<Any>(null);
  const [shadow, setShadow] = useState<Any>(null);
  const manager = canManage(meta);
  const save = async () => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      setMsg({ valid: false, errors: [{ path: '', message: (e as Error).message }] });
      return false;
    }
    const r = await api(`/v1/qa/rules/${team}/draft`, { method: 'PUT', body: { rulebook: json } });
    setMsg(r);
    return r.valid;
  };
  return (
    <section>
      <h2>{t('rules')}</h2>
      <TeamSelect meta={meta} value={team} onChange={setTeam} />
      {d && (
        <p data-testid="live-version">
          {t('live')}: v{d.live?.version ?? '—'} <code>{d.live?.etag}</code>
        </p>
      )}
      <textarea
        class="code"
        rows={16}
        value={text}
        aria-label={t('draft')}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        readOnly={!manager}
      />
      {manager && (
        <p>
          <button type="button" onClick={save}>
            {t('saveDraft')}
          </button>
          <button
            type="button"
            onClick={async () =>
              (await save()) && setShadow(await api(`/v1/qa/rules/${team}/shadow`, { method: 'POST' }))
            }
          >
            {t('shadow')}
          </button>
          <button
            type="button"
            onClick={async () =>
              (await save()) &&
              (setMsg({ published: await api(`/v1/qa/rules/${team}/publish`, { method: 'POST' }) }), reload())
            }
          >
            {t('publish')}
          </button>
        </p>
      )}
      {msg && (
        <div role="status" class="card">
          {msg.published
            ? `${t('published')} v${msg.published.version} ${msg.published.etag}`
            : msg.valid
              ? t('valid')
              : msg.errors?.map((e: Any) => <div class="err">{`${e.path}: ${e.message}`}</div>)}
        </div>
      )}
      {shadow && (
        <div class="card" data-testid="shadow">
          <h3>
            {t('shadow')}: {shadow.conversations} {t('conversations')}
          </h3>
          <ul>
            {shadow.diff.map((x: Any) => (
              <li>
                <b>{x.ruleId}</b> {x.status} {x.before} → {x.after}
              </li>
            ))}
          </ul>
          {shadow.rules
            .filter((r: Any) => r.examples.length)
            .slice(0, 8)
            .map((r: Any) => (
              <div>
                <b>{r.ruleId}</b> · {r.conversations}
                {r.examples.map((e: Any) => (
                  <blockquote>
                    {e.conversationId} #{e.seq}: <Highlight text={e.text} spans={e.spans} />
                  </blockquote>
                ))}
              </div>
            ))}
        </div>
      )}
      <h3>{t('version')}</h3>
      <ul>
        {d?.versions.map((v: Any) => (
          <li>
            v{v.version} · {fmt(v.createdAt)} · {v.by}{' '}
            {manager && v.version !== d.live?.version && (
              <button
                type="button"
                onClick={async () => (
                  await api(`/v1/qa/rules/${team}/rollback`, {
                    method: 'POST',
                    body: { version: v.version },
                  }),
                  reload()
                )}
              >
                {t('rollback')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Scorecards({ meta }: { meta: Any }) {
  const { team, setTeam, d, reload, text, setText } = useTeamDocument(
    meta,
    (team) => `/v1/qa/scorecards/${team}`,
    (d) => d.current,
  );
  const [msg, setMsg] = useState('');
  return (
    <section>
      <h2>{t('scorecards')}</h2>
      <TeamSelect meta={meta} value={team} onChange={setTeam} />
      {d && (
        <table class="list">
          <Head cols={[t('name'), t('weight'), t('items')]} />
          <tbody>
            {d.current.dimensions.map((dim: Any) => (
              <tr>
                <td>{loc(dim.name)}</td>
                <td>{dim.weight}</td>
                <td>
                  {dim.items
                    .map(
                      (i: Any) =>
                        `${loc(i.name)} (${i.kind === 'rule' ? i.ruleIds.join('/') : 'manual'}, −${i.points}${i.autoFail ? `, ${t('autoFail')}` : ''})`,
                    )
                    .join('; ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canManage(meta) && (
        <>
          <textarea
            class="code"
            rows={12}
            value={text}
            aria-label={t('scorecards')}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          />
          <button
            type="button"
            onClick={async () => {
              try {
                const r = await fetch(`/v1/qa/scorecards/${team}`, {
                  method: 'PUT',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ scorecard: JSON.parse(text) }),
                });
                const j = await r.json();
                setMsg(r.ok ? `${t('version')} ${j.version}` : (j.errors ?? [j.reason]).join('\n'));
                reload();
              } catch (e) {
                setMsg((e as Error).message);
              }
            }}
          >
            {t('save')}
          </button>
          <pre role="status">{msg}</pre>
        </>
      )}
      <ul>
        {d?.versions.map((v: Any) => (
          <li>
            v{v.version} · {fmt(v.createdAt)} · {v.by}
          </li>
        ))}
      </ul>
    </section>
  );
}

const PAGES: { path: string; key: Key; roles: string[] }[] = [
  { path: '', key: 'conversations', roles: ['agent', 'lead', 'qa', 'admin'] },
  { path: 'review', key: 'review', roles: ['lead', 'qa', 'admin'] },
  { path: 'appeals', key: 'appeals', roles: ['agent', 'lead', 'qa', 'admin'] },
  { path: 'analytics', key: 'analytics', roles: ['lead', 'qa', 'admin'] },
  { path: 'coaching', key: 'coaching', roles: ['lead', 'qa', 'admin'] },
  { path: 'rules', key: 'rules', roles: ['lead', 'qa', 'admin'] },
  { path: 'scorecards', key: 'scorecards', roles: ['lead', 'qa', 'admin'] },
];

function App() {
  const [meta, reloadMeta] = useApi(me.value ? '/v1/qa/meta' : null, [me.value]);
  useEffect(() => {
    document.documentElement.classList.toggle('dark', dark.value);
  }, [dark.value]);
  useEffect(() => {
    api('/v1/qa/meta').then(
      (m) => (me.value = m.me),
      () => (me.value = null),
    );
  }, []);
  void reloadMeta;
  void lang.value;
  const header = (
    <header>
      <a class="skip" href="#main">
        {t('skip')}
      </a>
      <b>Sotto · {t('title')}</b>
      {meta && (
        <nav aria-label={t('pages')} class="pages">
          {PAGES.filter((p) => p.roles.includes(meta.me.role)).map((p) => (
            <a
              href={`/console/${p.path}`}
              aria-current={route.value.split('?')[0] === p.path ? 'page' : undefined}
              onClick={(e) => (e.preventDefault(), go(p.path))}
            >
              {t(p.key)}
            </a>
          ))}
        </nav>
      )}
      <span class="spacer" />
      <select
        aria-label={t('language')}
        value={lang.value}
        onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}
      >
        <option value="zh_CN">简体中文</option>
        <option value="zh_TW">繁體中文</option>
        <option value="en">English</option>
      </select>
      <label>
        <input
          type="checkbox"
          checked={dark.value}
          onChange={(e) => (
            (dark.value = (e.target as HTMLInputElement).checked),
            localStorage.setItem('sotto.dark', dark.value ? '1' : '0')
          )}
        />{' '}
        {t('dark')}
      </label>
      {meta && (
        <button
          type="button"
          onClick={async () => (await api('/v1/auth/logout', { method: 'POST' }), (me.value = null))}
        >
          {meta.me.name} · {t('signOut')}
        </button>
      )}
    </header>
  );
  if (!me.value)
    return (
      <>
        {header}
        <main id="main" tabIndex={-1}>
          <Login />
        </main>
      </>
    );
  if (!meta)
    return (
      <>
        {header}
        <main id="main" tabIndex={-1}>
          {t('loading')}
        </main>
      </>
    );
  const path = route.value.split('?')[0] ?? '';
  const page = path.startsWith('c/') ? null : PAGES.find((p) => p.path === path);
  const allowed = page ? page.roles.includes(meta.me.role) : true;
  return (
    <>
      {header}
      <main id="main" tabIndex={-1}>
        {!allowed ? (
          <p role="alert">{t('forbidden')}</p>
        ) : path.startsWith('c/') ? (
          <Conversation id={decodeURIComponent(path.slice(2))} meta={meta} />
        ) : path === 'review' ? (
          <Review meta={meta} />
        ) : path === 'appeals' ? (
          <Appeals meta={meta} />
        ) : path === 'analytics' ? (
          <Analytics meta={meta} />
        ) : path === 'coaching' ? (
          <Coaching meta={meta} />
        ) : path === 'rules' ? (
          <Rules meta={meta} />
        ) : path === 'scorecards' ? (
          <Scorecards meta={meta} />
        ) : (
          <Conversations meta={meta} key={location.search} />
        )}
      </main>
    </>
  );
}

setLang(lang.value);
render(<App />, document.getElementById('app')!);
