/**
 * The console's compose box: reading the draft and inserting text the way typing does (so React
 * and Vue inputs keep their state). The pre-send guard on it is in presend-guard.ts.
 * DOM only, through the window it is given.
 */
import { queryPath } from './path';
import type { AdapterSpec } from './spec';

type Editable = HTMLTextAreaElement | HTMLInputElement | HTMLElement;

export function findCompose(doc: Document, spec: AdapterSpec): Editable | null {
  return spec.compose ? (queryPath(doc, spec.compose.input) as Editable | null) : null;
}

function isField(el: Element): el is HTMLTextAreaElement | HTMLInputElement {
  return el.tagName === 'TEXTAREA' || el.tagName === 'INPUT';
}

export function readDraft(el: Editable): string {
  // innerText keeps the line breaks the agent typed; textContent would run lines together.
  // biome-ignore lint/performance/useDomNodeTextContent: line breaks matter in a draft
  return isField(el) ? el.value : (el.innerText ?? el.textContent ?? '');
}

/**
 * Puts `text` into the compose box with the caret after it. Text fields get the prototype's value
 * setter (React tracks the own-property setter and would ignore a plain assignment) and an input
 * event; contenteditable editors get execCommand('insertText'), which they see as typing.
 */
export function insertText(el: Editable, text: string, mode: 'replace' | 'append' = 'replace'): boolean {
  const win = el.ownerDocument.defaultView;
  if (!win) return false;
  el.focus();
  if (isField(el)) {
    const proto =
      el.tagName === 'TEXTAREA' ? win.HTMLTextAreaElement.prototype : win.HTMLInputElement.prototype;
    const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
    const next =
      mode === 'append' && el.value ? `${el.value}${/\s$/.test(el.value) ? '' : ' '}${text}` : text;
    if (setter) setter.call(el, next);
    else el.value = next;
    el.dispatchEvent(
      new win.InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: text }),
    );
    el.dispatchEvent(new win.Event('change', { bubbles: true }));
    el.setSelectionRange(next.length, next.length);
    return el.value === next;
  }
  if (!el.isContentEditable) return false;
  const sel = win.getSelection();
  if (!sel) return false;
  const range = el.ownerDocument.createRange();
  range.selectNodeContents(el);
  if (mode === 'append') range.collapse(false);
  sel.removeAllRanges();
  sel.addRange(range);
  // execCommand is deprecated but is the one way rich editors (Draft, Slate, Lexical, Quill)
  // see the change as typing; fall back to a text node plus an input event.
  const doc = el.ownerDocument as Document & { execCommand?: (c: string, u: boolean, v: string) => boolean };
  const prefix = mode === 'append' && readDraft(el).trim() ? ' ' : '';
  if (!doc.execCommand?.('insertText', false, prefix + text)) {
    if (mode === 'replace') el.textContent = '';
    el.append(el.ownerDocument.createTextNode(prefix + text));
    el.dispatchEvent(new win.InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText' }));
  }
  const end = el.ownerDocument.createRange();
  end.selectNodeContents(el);
  end.collapse(false);
  sel.removeAllRanges();
  sel.addRange(end);
  return readDraft(el).includes(text);
}
