/**
 * Attaches to a console page: waits for the message log, reads what is already there, then
 * follows mutations (new messages, edits, conversation switches) and hands utterances to `send`.
 * DOM only, through the window it is given, so it runs in happy-dom tests as in the page.
 */
import type { MessageOf } from '../messages';
import type { Utterance } from '../utterance';
import { findLogRoot, listItems, readConversationId, readItem } from './reader';
import type { AdapterSpec } from './spec';
import { ConversationTracker } from './tracker';

type AttachState = MessageOf<'attach-state'>['state'];

export interface AttachmentDeps {
  win: Window & typeof globalThis;
  spec: AdapterSpec;
  /** Delivers a batch; rejects when the background cannot be reached (it is retried). */
  send(utterances: Utterance[]): Promise<void>;
  report(state: AttachState): void;
  now?: () => number;
  signal: AbortSignal;
}

const RETRY_MS = [50, 200, 500, 1000, 2000, 5000];

export class ConsoleAttachment {
  private readonly tracker: ConversationTracker;
  private root: Element | null = null;
  private conversationId: string | undefined;
  private pending: Utterance[] = [];
  private sending = false;
  private attempt = 0;
  private lastState = '';

  constructor(private readonly d: AttachmentDeps) {
    this.tracker = new ConversationTracker(d.spec.id, d.spec.channel);
  }

  start(): void {
    const { win, signal } = this.d;
    const observer = new win.MutationObserver((records) => this.onMutations(records));
    observer.observe(win.document.documentElement, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: this.watchedAttributes(),
    });
    signal.addEventListener('abort', () => observer.disconnect());
    this.rescan();
    if (!this.root)
      this.reportState(false, `message log not found: no element matches "${this.d.spec.log.root}"`);
  }

  /** Utterances not yet accepted by the background (for tests and the status line). */
  get queued(): number {
    return this.pending.length;
  }

  private watchedAttributes(): string[] {
    const c = this.d.spec.conversation;
    return c.from === 'attribute' ? [c.attribute, 'class', 'aria-selected'] : ['class'];
  }

  private onMutations(records: MutationRecord[]): void {
    if (this.d.signal.aborted) return;
    const root = findLogRoot(this.d.win.document, this.d.spec);
    const conv = readConversationId(this.d.win.document, this.d.spec, this.d.win.location.href);
    if (root !== this.root || conv !== this.conversationId || !this.d.spec.messageKey) {
      this.rescan();
      return;
    }
    if (!root) return;
    // Only the items touched by these mutations: O(changed messages), not O(log length).
    const touched = new Set<Element>();
    const item = this.d.spec.log.item;
    for (const r of records) {
      const target = r.target.nodeType === 1 ? (r.target as Element) : r.target.parentElement;
      if (!target || !root.contains(target)) continue;
      const owner = target.closest(item);
      if (owner && root.contains(owner)) touched.add(owner);
      for (const n of Array.from(r.addedNodes)) {
        if (n.nodeType !== 1) continue;
        const el = n as Element;
        if (el.matches(item)) touched.add(el);
        else for (const x of Array.from(el.querySelectorAll(item))) touched.add(x);
      }
    }
    if (touched.size === 0) return;
    // Document order without re-listing the whole log (10,000-message logs stay cheap).
    const ordered = [...touched].sort((a, b) => (a.compareDocumentPosition(b) & 4 ? -1 : 1));
    this.ingest(conv, ordered);
  }

  private rescan(): void {
    const { win, spec } = this.d;
    this.root = findLogRoot(win.document, spec);
    this.conversationId = readConversationId(win.document, spec, win.location.href);
    if (!this.root) return;
    if (!this.conversationId) {
      this.reportState(false, 'no conversation is selected');
      return;
    }
    this.reportState(true);
    this.ingest(this.conversationId, listItems(this.root, spec));
  }

  private ingest(conv: string | undefined, els: Element[]): void {
    if (!conv || !this.root) return;
    const all = this.d.spec.messageKey ? null : listItems(this.root, this.d.spec);
    const items = els.flatMap((el) => {
      const idx = all ? all.indexOf(el) : 0;
      const it = readItem(el, idx, this.d.spec);
      return it ? [it] : [];
    });
    const fresh = this.tracker.observe(conv, items, (this.d.now ?? Date.now)());
    if (fresh.length === 0) return;
    this.pending.push(...fresh);
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.sending || this.pending.length === 0 || this.d.signal.aborted) return;
    this.sending = true;
    const batch = this.pending.slice(0, 500);
    try {
      await this.d.send(batch);
      this.pending.splice(0, batch.length);
      this.attempt = 0;
    } catch {
      // The background may be restarting; keep the batch and try again shortly.
      const wait = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)]!;
      this.sending = false;
      this.d.win.setTimeout(() => void this.flush(), wait);
      return;
    }
    this.sending = false;
    if (this.pending.length > 0) void this.flush();
  }

  private reportState(attached: boolean, reason?: string): void {
    const state: AttachState = {
      adapterId: this.d.spec.id,
      url: this.d.win.location.href,
      attached,
      ...(reason ? { reason } : {}),
      ...(this.conversationId ? { activeConversationId: this.conversationId } : {}),
    };
    const key = JSON.stringify(state);
    if (key === this.lastState) return;
    this.lastState = key;
    this.d.report(state);
  }
}
