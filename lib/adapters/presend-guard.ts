/**
 * The pre-send guard on a console's compose box. While the agent types, the draft is checked in
 * the worker (debounced, never awaited by typing). On Enter or a click on send, a rule in `block`
 * mode stops the send once with the inline warning and a rewrite; rules in `warn` mode show a
 * notice beside the compose box and never stop anything. IME composition is left alone, and the
 * host's own send handlers run when the send goes through. Whatever happens to the check (a cold
 * worker, a dead background), a held send goes out after `holdMs`: the guard fails open.
 * DOM only, through the window it is given, so it runs in happy-dom tests as in the page.
 */
import { findCompose, insertText, readDraft } from './compose';
import { queryPath, scopesOnPath } from './path';
import { type DraftHit, blocking, interceptKey, warnOnly } from './presend';
import type { AdapterSpec } from './spec';

type Editable = HTMLTextAreaElement | HTMLInputElement | HTMLElement;

export interface GuardUi {
  /** Shows the blocking warning; resolves with what the agent chose. */
  ask(hits: DraftHit[], draft: string, near: Element): Promise<'rewrite' | 'send' | 'edit'>;
  close(): void;
  /** Shows (or replaces) the warn-only notice; it takes no focus and stops nothing. */
  notify?(hits: DraftHit[], near: Element): void;
  /** Removes the warn-only notice. */
  dismiss?(): void;
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
  /** Longest a send is held for a check that has not answered; then it goes out (fail open). */
  holdMs?: number;
  /** Latest check latency in ms (bench and status line). */
  onChecked?(ms: number): void;
}

const HOLD_MS = 1500;

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
  private el: Editable | null = null;

  constructor(private readonly d: ComposeGuardDeps) {}

  start(): void {
    this.listen(this.d.win.document);
    this.attachFrames();
    this.d.signal.addEventListener('abort', () => {
      if (this.timer !== undefined) this.d.win.clearTimeout(this.timer);
      this.d.ui.close();
      this.d.ui.dismiss?.();
    });
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

  /**
   * The compose box, cached while it stays in the document: a keystroke costs one `isConnected`
   * check, not a selector walk (single-page desks replace the box, and then it is looked up again).
   */
  private compose(): Editable | null {
    if (this.el?.isConnected) return this.el;
    this.attachFrames();
    this.el = findCompose(this.d.win.document, this.d.spec);
    return this.el;
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
      if (el) void this.run(readDraft(el)).then((hits) => this.show(el, hits));
    }, this.d.debounceMs ?? 120);
  }

  /** The warn-only notice follows the latest check of what is in the box now. */
  private show(el: Editable, hits: DraftHit[]): void {
    if (this.d.signal.aborted || readDraft(el) !== this.last?.text) return;
    const warn = warnOnly(hits);
    if (warn.length > 0) this.d.ui.notify?.(warn, el);
    else this.d.ui.dismiss?.();
  }

  private run(text: string): Promise<DraftHit[]> {
    if (this.last?.text === text) return Promise.resolve(this.last.hits);
    if (this.inflight && this.inflightText === text) return this.inflight;
    const t0 = this.d.win.performance.now();
    this.inflightText = text;
    const p = (text.trim() ? this.d.check(text) : Promise.resolve([]))
      .catch(() => [] as DraftHit[]) // the check must never stand between the agent and a send
      .then((hits) => {
        this.d.onChecked?.(this.d.win.performance.now() - t0);
        this.last = { text, hits };
        if (this.inflight === p) this.inflight = undefined;
        return hits;
      });
    this.inflight = p;
    return p;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== 'Enter') return;
    const c = this.d.spec.compose;
    if (!c || e.shiftKey || e.altKey) return;
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

  /** Lets the send through, or stops it (once per draft) while a blocking hit stands. */
  private gate(e: Event, via: 'key' | 'click'): void {
    if (this.replaying) return;
    const el = this.compose();
    if (!el) return;
    const text = readDraft(el);
    if (!text.trim()) return;
    const known = this.last?.text === text ? this.last.hits : undefined;
    if (known) {
      const stop = blocking(known);
      if (stop.length === 0 || this.warned.has(interceptKey(text, stop))) {
        this.d.ui.dismiss?.();
        return;
      }
      e.preventDefault();
      e.stopImmediatePropagation();
      void this.warn(el, text, stop, via);
      return;
    }
    // Sent before the debounced check came back (or while the worker is still starting): hold this
    // one send for the answer, at most `holdMs`, then let it through unless a blocking rule fired.
    e.preventDefault();
    e.stopImmediatePropagation();
    let settled = false;
    const timeout = this.d.win.setTimeout(() => {
      if (settled) return;
      settled = true;
      this.replay(el, via);
    }, this.d.holdMs ?? HOLD_MS);
    void this.run(text).then((hits) => {
      if (settled) return;
      settled = true;
      this.d.win.clearTimeout(timeout);
      const stop = blocking(hits);
      if (stop.length === 0 || this.warned.has(interceptKey(text, stop))) this.replay(el, via);
      else void this.warn(el, text, stop, via);
    });
  }

  private async warn(el: Editable, text: string, hits: DraftHit[], via: 'key' | 'click'): Promise<void> {
    this.warned.add(interceptKey(text, hits));
    // Bounded: one entry per intercepted draft; a long shift never grows it without end.
    if (this.warned.size > 200) this.warned.delete(this.warned.values().next().value as string);
    this.d.ui.dismiss?.();
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
    this.d.ui.dismiss?.();
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
