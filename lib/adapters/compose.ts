/**
 * The console's compose box: reading the draft, inserting text the way typing does (so React and
 * Vue inputs keep their state), and the pre-send guard that stops a send once when a critical
 * rule fires. DOM only, through the window it is given; nothing of ours enters the host's DOM
 * except one host element with a closed shadow root (see presend-ui.ts).
 */
import { queryPath, scopesOnPath } from './path';
import { type DraftHit, blocking, interceptKey } from './presend';
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

export interface GuardUi {
  /** Shows the warning; resolves with what the agent chose. */
  ask(hits: DraftHit[], draft: string, near: Element): Promise<'rewrite' | 'send' | 'edit'>;
  close(): void;
}

export interface ComposeGuardDeps {
  win: Window & typeof globalThis;
  spec: AdapterSpec;
  check(text: string): Promise<DraftHit[]>;
  ui: GuardUi;
  rewrite(draft: string, hits: DraftHit[]): string;
  /** The agent sent despite the warning. */
  onOverride(draft: string, hits: DraftHit[]): void;
  signal: AbortSignal;
  debounceMs?: number;
  /** Latest check latency in ms (bench and status line). */
  onChecked?(ms: number): void;
}

export class ComposeGuard {
  private composing = false;
  private timer: number | undefined;
  private last: { text: string; hits: DraftHit[] } | undefined;
  private inflight: Promise<DraftHit[]> | undefined;
  private inflightText = '';
  /** Drafts already intercepted once: the next send of the same draft goes through. */
  private warned = new Set<string>();
  private replaying = false;
  private docs = new WeakSet<Document>();

  constructor(private readonly d: ComposeGuardDeps) {}

  start(): void {
    this.listen(this.d.win.document);
    this.attachFrames();
  }

  /** Compose boxes inside same-origin frames: events there never reach the top document. */
  attachFrames(): void {
    const c = this.d.spec.compose;
    if (!c) return;
    for (const scope of scopesOnPath(this.d.win.document, c.input))
      if (scope.nodeType === 9) this.listen(scope as Document);
  }

  private listen(doc: Document): void {
    if (this.docs.has(doc)) return;
    this.docs.add(doc);
    const opts = { capture: true, signal: this.d.signal };
    doc.addEventListener(
      'compositionstart',
      (e) => {
        if (this.inCompose(e)) this.composing = true;
      },
      opts,
    );
    doc.addEventListener(
      'compositionend',
      (e) => {
        if (this.inCompose(e)) this.composing = false;
      },
      opts,
    );
    doc.addEventListener('input', (e) => this.inCompose(e) && this.schedule(), opts);
    doc.addEventListener('keydown', (e) => this.onKey(e as KeyboardEvent), opts);
    doc.addEventListener('click', (e) => this.onClick(e), opts);
  }

  private compose(): Editable | null {
    this.attachFrames();
    return findCompose(this.d.win.document, this.d.spec);
  }

  private inCompose(e: Event): boolean {
    const el = this.compose();
    return !!el && e.composedPath().includes(el);
  }

  /** Debounced: a check per pause in typing, never per keystroke, and never awaited by typing. */
  private schedule(): void {
    if (this.timer !== undefined) this.d.win.clearTimeout(this.timer);
    this.timer = this.d.win.setTimeout(() => {
      this.timer = undefined;
      const el = this.compose();
      if (el) void this.run(readDraft(el));
    }, this.d.debounceMs ?? 120);
  }

  private run(text: string): Promise<DraftHit[]> {
    if (this.last?.text === text) return Promise.resolve(this.last.hits);
    if (this.inflight && this.inflightText === text) return this.inflight;
    const t0 = this.d.win.performance.now();
    this.inflightText = text;
    this.inflight = (text.trim() ? this.d.check(text) : Promise.resolve([]))
      .catch(() => [] as DraftHit[]) // the check must never stand between the agent and a send
      .then((hits) => {
        this.d.onChecked?.(this.d.win.performance.now() - t0);
        this.last = { text, hits };
        if (this.inflightText === text) this.inflight = undefined;
        return hits;
      });
    return this.inflight;
  }

  private onKey(e: KeyboardEvent): void {
    const c = this.d.spec.compose;
    if (!c || e.key !== 'Enter' || e.shiftKey || e.altKey) return;
    // IME composition: Enter picks a candidate; Chrome reports keyCode 229 during composition.
    if (e.isComposing || this.composing || e.keyCode === 229) return;
    if (!c.enterSends && !(e.ctrlKey || e.metaKey)) return;
    if (!this.inCompose(e)) return;
    this.gate(e, 'key');
  }

  private onClick(e: Event): void {
    const c = this.d.spec.compose;
    if (!c?.send) return;
    const btn = queryPath(this.d.win.document, c.send);
    if (!btn || !e.composedPath().includes(btn)) return;
    this.gate(e, 'click');
  }

  /** Lets the send through, or stops it (once per draft) while a critical hit stands. */
  private gate(e: Event, via: 'key' | 'click'): void {
    if (this.replaying) return;
    const el = this.compose();
    if (!el) return;
    const text = readDraft(el);
    if (!text.trim()) return;
    const known = this.last?.text === text ? this.last.hits : undefined;
    if (known) {
      const stop = blocking(known);
      if (stop.length === 0 || this.warned.has(interceptKey(text, stop))) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      void this.warn(el, text, stop, via);
      return;
    }
    // Sent before the debounced check came back: hold this one send until it does, then let it
    // through unless a critical rule fires. Costs one round trip to the worker, only in this case.
    e.preventDefault();
    e.stopImmediatePropagation();
    void this.run(text).then((hits) => {
      const stop = blocking(hits);
      if (stop.length === 0 || this.warned.has(interceptKey(text, stop))) this.replay(el, via);
      else void this.warn(el, text, stop, via);
    });
  }

  private async warn(el: Editable, text: string, hits: DraftHit[], via: 'key' | 'click'): Promise<void> {
    this.warned.add(interceptKey(text, hits));
    const choice = await this.d.ui.ask(hits, text, el);
    if (choice === 'rewrite') {
      insertText(el, this.d.rewrite(text, hits));
      this.schedule();
    } else if (choice === 'send') {
      this.d.onOverride(text, hits);
      this.replay(el, via);
    } else {
      el.focus();
    }
  }

  /** Sends the way the agent tried to: the host's own send button or Enter handler runs. */
  private replay(el: Editable, via: 'key' | 'click'): void {
    const c = this.d.spec.compose;
    this.replaying = true;
    try {
      const btn = c?.send ? (queryPath(this.d.win.document, c.send) as HTMLElement | null) : null;
      if (via === 'click' && btn) btn.click();
      else {
        const win = el.ownerDocument.defaultView ?? this.d.win;
        el.focus();
        const init = {
          key: 'Enter',
          code: 'Enter',
          keyCode: 13,
          which: 13,
          bubbles: true,
          cancelable: true,
          composed: true,
        };
        const handled = !el.dispatchEvent(new win.KeyboardEvent('keydown', init));
        el.dispatchEvent(new win.KeyboardEvent('keypress', init));
        el.dispatchEvent(new win.KeyboardEvent('keyup', init));
        // A desk that only listens for clicks (or checks isTrusted on keys) still sends.
        if (!handled && btn && readDraft(el).trim()) btn.click();
      }
    } finally {
      this.replaying = false;
    }
  }
}
