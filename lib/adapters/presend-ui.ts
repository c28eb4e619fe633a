/**
 * The inline pre-send warning: one host element with a CLOSED shadow root, so the console's own
 * scripts cannot read what rule fired or what it says. Keyboard first: focus lands on "Use the
 * rewrite", Tab moves between the three choices, Escape goes back to editing.
 */
import type { Localized } from '../finding';
import type { GuardUi } from './presend-guard';
import type { DraftHit } from './presend';

export interface PresendTexts {
  title: string;
  useRewrite: string;
  sendAnyway: string;
  edit: string;
  rewriteLabel: string;
  /** Title of the warn-only notice (rules that show a warning without stopping the send). */
  noticeTitle?: string;
  dismiss?: string;
}

const CSS = `
:host { all: initial; }
.card { position: fixed; z-index: 2147483647; max-width: 420px; box-sizing: border-box;
  font: 13px/1.45 system-ui, sans-serif; color-scheme: light dark; background: Canvas; color: CanvasText;
  border: 2px solid #dc2626; border-radius: 10px; padding: 12px 14px; box-shadow: 0 6px 24px rgb(0 0 0 / .25); }
h2 { margin: 0 0 6px; font-size: 14px; color: light-dark(#b91c1c, #fca5a5); }
ul { margin: 0 0 8px; padding-left: 18px; }
mark { background: light-dark(#fecaca, #7f1d1d); color: inherit; }
.rw { margin: 0 0 10px; padding: 6px 8px; border-radius: 6px; background: light-dark(#f1f5f9, #1e293b); white-space: pre-wrap; }
.rw span { display: block; font-size: 11px; opacity: .75; }
.row { display: flex; gap: 8px; flex-wrap: wrap; }
button { font: inherit; padding: 5px 10px; border-radius: 6px; border: 1px solid GrayText; background: ButtonFace; color: ButtonText; cursor: pointer; }
button.primary { background: #2563eb; border-color: #2563eb; color: #fff; }
button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 1px; }
.note { border-color: #d97706; padding: 8px 12px; max-width: 360px; }
.note h2 { color: light-dark(#92400e, #fcd34d); font-size: 13px; }
.note ul { margin-bottom: 4px; }
.note button { position: absolute; top: 4px; right: 6px; padding: 0 6px; border: 0; background: transparent; color: inherit; }
`;

/** Above the compose box when there is room, else pinned to the bottom right of the window. */
function place(card: HTMLElement, near: Element, doc: Document): void {
  const r = near.getBoundingClientRect();
  const view = doc.defaultView;
  if (near.ownerDocument === doc && r.width > 0 && r.top > 180) {
    card.style.left = `${Math.max(8, r.left)}px`;
    card.style.bottom = `${Math.max(8, (view?.innerHeight ?? 0) - r.top + 8)}px`;
  } else {
    card.style.right = '16px';
    card.style.bottom = '16px';
  }
}

function warningItems(doc: Document, hits: readonly DraftHit[], lang: keyof Localized): HTMLUListElement {
  const ul = doc.createElement('ul');
  for (const hit of hits) {
    const li = doc.createElement('li');
    li.append(hit.warning?.[lang] ?? hit.names[lang]);
    for (const e of hit.evidence.slice(0, 3)) {
      const m = doc.createElement('mark');
      m.textContent = e.text;
      li.append(' ', m);
    }
    ul.append(li);
  }
  return ul;
}

export function presendUi(opts: {
  doc: Document;
  lang: keyof Localized;
  texts: PresendTexts;
  rewrite(draft: string, hits: DraftHit[]): string;
}): GuardUi {
  let host: HTMLElement | null = null;
  let note: { host: HTMLElement; key: string } | null = null;
  const close = () => {
    host?.remove();
    host = null;
  };
  const dismiss = () => {
    note?.host.remove();
    note = null;
  };
  return {
    close,
    dismiss,
    notify(hits, near) {
      const { doc, lang, texts } = opts;
      const key = hits.map((h) => `${h.ruleId}:${h.evidence.map((e) => e.text).join('|')}`).join(',');
      if (note?.key === key && note.host.isConnected) return; // same warnings: no flicker, no churn
      dismiss();
      const el = doc.createElement('sotto-presend-note');
      const root = el.attachShadow({ mode: 'closed' });
      const style = doc.createElement('style');
      style.textContent = CSS;
      const card = doc.createElement('div');
      card.className = 'card note';
      // Polite: read out after the agent pauses, and never takes the focus from the compose box.
      card.setAttribute('role', 'status');
      card.setAttribute('aria-live', 'polite');
      const h = doc.createElement('h2');
      h.textContent = texts.noticeTitle ?? texts.title;
      const x = doc.createElement('button');
      x.type = 'button';
      x.textContent = '×';
      x.setAttribute('aria-label', texts.dismiss ?? 'Dismiss');
      x.addEventListener('click', dismiss);
      card.addEventListener('keydown', (e) => {
        e.stopPropagation();
        if (e.key === 'Escape') dismiss();
      });
      card.append(h, warningItems(doc, hits, lang), x);
      root.append(style, card);
      place(card, near, doc);
      doc.documentElement.append(el);
      note = { host: el, key };
    },
    ask(hits, draft, near) {
      close();
      const { doc, lang, texts } = opts;
      host = doc.createElement('sotto-presend');
      const root = host.attachShadow({ mode: 'closed' });
      const style = doc.createElement('style');
      style.textContent = CSS;
      const card = doc.createElement('div');
      card.className = 'card';
      card.setAttribute('role', 'alertdialog');
      card.setAttribute('aria-modal', 'false');
      const h = doc.createElement('h2');
      h.id = 'sotto-presend-title';
      h.textContent = texts.title;
      card.setAttribute('aria-labelledby', h.id);
      const ul = warningItems(doc, hits, lang);
      const rw = doc.createElement('p');
      rw.className = 'rw';
      const label = doc.createElement('span');
      label.textContent = texts.rewriteLabel;
      rw.append(label, opts.rewrite(draft, hits));
      const row = doc.createElement('div');
      row.className = 'row';
      const button = (text: string, cls = '') => {
        const b = doc.createElement('button');
        b.type = 'button';
        b.textContent = text;
        if (cls) b.className = cls;
        row.append(b);
        return b;
      };
      const bRewrite = button(texts.useRewrite, 'primary');
      const bSend = button(texts.sendAnyway);
      const bEdit = button(texts.edit);
      card.append(h, ul, rw, row);
      root.append(style, card);
      place(card, near, doc);
      doc.documentElement.append(host);
      return new Promise((resolve) => {
        const done = (c: 'rewrite' | 'send' | 'edit') => {
          close();
          resolve(c);
        };
        bRewrite.addEventListener('click', () => done('rewrite'));
        bSend.addEventListener('click', () => done('send'));
        bEdit.addEventListener('click', () => done('edit'));
        card.addEventListener('keydown', (e) => {
          // Keys typed here are ours: the console's shortcuts must not see them.
          e.stopPropagation();
          if (e.key === 'Escape') done('edit');
        });
        bRewrite.focus();
      });
    },
  };
}
