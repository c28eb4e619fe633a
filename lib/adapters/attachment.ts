/**
 * Attaches to a console page: waits for the message log, reads what is already there, then
 * follows mutations (new messages, edits, conversation switches) and hands utterances to `send`.
 * DOM only, through the window it is given, so it runs in happy-dom tests as in the page.
 */
import type { MessageOf } from '../messages';
import { MAX_BATCH, type Utterance } from '../utterance';
import { PIPELINED_MAX } from './acked-port';
import { scopesOnPath } from './path';
import {
  type Geometry,
  alignElements,
  conversationElement,
  conversationFrom,
  conversationFromUrl,
  findLogRoot,
  keyedText,
  listItems,
  readItem,
  readsLayout,
} from './reader';
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
  /**
   * Called after each mutation callback with its own main-thread time (ms, sending included) and
   * the utterances it produced: what reading the console costs the page, message by message.
   */
  cost?: (ms: number, utterances: number) => void;
}

const RETRY_MS = [50, 200, 500, 1000, 2000, 5000];
/** Batches posted and not yet acknowledged, at most: twice what the background answers at once. */
const MAX_IN_FLIGHT = 16;
/** No answer for this long (the background answers within ACK_MS when it keeps up): it is behind. */
const BEHIND_MS = 300;
/** Longest wait for the browser's report of boxes (a page that stopped rendering). */
const FALLBACK_MS = 500;

/** Items read by one callback, waiting for their boxes (speakers by alignment). */
interface Batch {
  conv: string;
  els: Element[];
  positions: number[];
  /** Elements whose boxes it waits for. */
  need?: Element[];
  /** When it started waiting (Date.now), for the fallback. */
  at?: number;
  /** The items' texts as just read (`keyedText`), for a batch read at once. */
  texts?: (string | undefined)[];
}

export class ConsoleAttachment {
  private readonly tracker: ConversationTracker;
  private root: Element | null = null;
  private conversationId: string | undefined;
  /** Utterances the background could not take, waiting for a retry. */
  private pending: Utterance[] = [];
  /** Utterances sent and not yet accepted. */
  private inFlight = 0;
  private attempt = 0;
  private lastState = '';
  private observer: MutationObserver | undefined;
  /** Shadow roots and frame documents already observed (mutations there skip the top document). */
  private watched = new WeakSet<Node>();
  /** Batches waiting for boxes, oldest first, and the boxes reported so far (see `defer`). */
  private deferred: Batch[] = [];
  private boxes: IntersectionObserver | undefined;
  /** Boxes reported for waiting batches; emptied whenever no batch waits. */
  private readonly boxesSeen = new Map<Element, DOMRectReadOnly>();
  private fallback: number | undefined;
  /** Time of callbacks whose messages wait for boxes: counted with them when they are read. */
  private owedMs = 0;
  /** What each element showed, and in which conversation, when it was last read. */
  private readAs = new WeakMap<Element, { conv: string; mark: string }>();

  /**
   * What the observer asks the browser to queue. Around the log (the document, shadow roots and
   * frames on the way): added and removed nodes, and the attributes that can move the selection
   * to another conversation; text only when the id is read from text. Inside the log (its root
   * and the messages' own shadow roots) also text edits and the attributes messages are read
   * from. A page's own text and attribute changes elsewhere (clocks, receipts, typing
   * indicators, avatars loading) then queue nothing for us.
   */
  private readonly pageOptions: MutationObserverInit;
  /** On the log root, beside the page's registration above it: only what that one leaves out. */
  private readonly logOptions: MutationObserverInit;
  /** In a message's own shadow root, which nothing above reaches: everything. */
  private readonly itemOptions: MutationObserverInit;
  /** The element the conversation id was last read from, and the URL it was read at. */
  private convEl: Element | null = null;
  private href = '';

  constructor(private readonly d: AttachmentDeps) {
    this.tracker = new ConversationTracker(d.spec.id, d.spec.channel);
    const { spec } = d;
    const page = new Set(['class', 'aria-selected']);
    if (spec.conversation.from === 'attribute') page.add(spec.conversation.attribute);
    this.pageOptions = {
      childList: true,
      subtree: true,
      characterData: spec.conversation.from === 'text',
      attributes: true,
      attributeFilter: [...page],
    };
    const item = this.watchedAttributes();
    const inLogOnly = item.filter((a) => !page.has(a));
    this.logOptions = {
      subtree: true,
      characterData: true,
      ...(inLogOnly.length ? { attributes: true, attributeFilter: inLogOnly } : {}),
    };
    this.itemOptions = {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: item,
    };
  }

  start(): void {
    const { win, signal } = this.d;
    this.observer = new win.MutationObserver((records) => this.timed(() => this.onMutations(records)));
    this.watch(win.document, this.pageOptions);
    signal.addEventListener('abort', () => {
      this.observer?.disconnect();
      this.boxes?.disconnect();
      if (this.fallback !== undefined) win.clearTimeout(this.fallback);
      if (this.retryTimer !== undefined) win.clearTimeout(this.retryTimer);
    });
    // A frame on the path may (re)load without any mutation in this document; `load` does not
    // bubble, so listen in the capture phase.
    const onLoad = (e: Event) => {
      const t = e.target as Element | null;
      if (t && (t.tagName === 'IFRAME' || t.tagName === 'FRAME')) this.rescan();
    };
    win.document.addEventListener('load', onLoad, { capture: true, signal });
    // Single-page desks change the URL without a reload; when the id comes from the URL, the log
    // may re-render before or after the URL changes, so check again whenever it changes.
    const onUrl = () => this.onMutations([]);
    win.addEventListener('popstate', onUrl, { signal });
    win.addEventListener('hashchange', onUrl, { signal });
    const nav = (win as unknown as { navigation?: EventTarget }).navigation;
    nav?.addEventListener('currententrychange', onUrl, { signal });
    this.rescan();
    if (!this.root)
      this.reportState(false, `message log not found: no element matches "${this.d.spec.log.root}"`);
  }

  private watch(target: Node, options: MutationObserverInit): void {
    if (!this.observer || this.watched.has(target)) return;
    this.watched.add(target);
    this.observer.observe(target, options);
    // A frame's document gets its own load listener for frames nested inside it.
    if (target.nodeType === 9 && target !== this.d.win.document) {
      target.addEventListener(
        'load',
        (e) => {
          const t = e.target as Element | null;
          if (t && t.tagName === 'IFRAME') this.rescan();
        },
        { capture: true, signal: this.d.signal },
      );
    }
  }

  /** Observes every shadow root and frame on the way to the log, the compose box and the id. */
  private watchPaths(): void {
    const { win, spec } = this.d;
    const paths = [spec.log.root];
    if (spec.conversation.from !== 'url') paths.push(spec.conversation.selector);
    for (const p of paths)
      for (const scope of scopesOnPath(win.document, p)) this.watch(scope, this.pageOptions);
  }

  /** Utterances not yet accepted by the background (for tests and the status line). */
  get queued(): number {
    return this.pending.length + this.inFlight;
  }

  private watchedAttributes(): string[] {
    const { spec } = this.d;
    const names = new Set(['class', 'aria-selected']);
    if (spec.conversation.from === 'attribute') names.add(spec.conversation.attribute);
    // Recycled nodes (virtualised lists) change their key and speaker attributes in place.
    if (spec.messageKey) names.add(spec.messageKey.attribute);
    for (const r of spec.speaker.rules) {
      if (r.attribute) names.add(r.attribute.name);
      if (r.avatar) names.add(r.avatar.attribute);
    }
    return [...names];
  }

  /** The message item a mutated node belongs to, looking through shadow roots to their hosts. */
  private ownerItem(node: Node, root: Element): Element | null {
    const item = this.d.spec.log.item;
    let el: Element | null = node.nodeType === 1 ? (node as Element) : node.parentElement;
    while (el) {
      const owner = el.closest(item);
      if (owner && root.contains(owner)) return owner;
      const host = (el.getRootNode() as Partial<ShadowRoot>).host;
      el = host ?? null;
    }
    return null;
  }

  /**
   * Runs `f`, reporting its main-thread time and the utterances it queued to `cost`. A callback
   * that left its messages waiting for boxes reports nothing yet: its time is added to the step
   * that reads them, so each message carries every callback that handled it; so is the time of a
   * send made after the callback (`owe`), added to the next callback that reads messages.
   */
  private timed(f: () => void, owe = false): void {
    const cost = this.d.cost;
    if (!cost) {
      f();
      return;
    }
    const clock = this.d.win.performance;
    const t0 = clock.now();
    const before = this.produced;
    try {
      f();
    } finally {
      const ms = clock.now() - t0;
      const n = this.produced - before;
      if (owe || (this.deferred.length > 0 && n === 0)) this.owedMs += ms;
      else if (n === 0) cost(ms, 0);
      else {
        cost(ms + this.owedMs, n);
        this.owedMs = 0;
      }
    }
  }

  /** Utterances queued since the start (new and edited turns). */
  private produced = 0;
  /** Items in the log when it was last read (used without a message key). */
  private listed = 0;

  /** Is `node` inside the log (through the shadow roots of the messages in it)? */
  private inLog(node: Node, root: Element): boolean {
    for (let n: Node | null | undefined = node; n; n = (n.getRootNode() as Partial<ShadowRoot>).host) {
      if (root.contains(n)) return true;
    }
    return false;
  }

  /**
   * Whether the log or the conversation may have changed: only when something outside the log
   * changed (the log re-rendered or replaced, another conversation selected, its id's text or
   * attribute changed), the URL changed, or the log or the id's element left the page. A record
   * inside the log cannot move either, unless the id is read from inside the log itself. Most
   * callbacks (a message appended, a text edit) then skip the lookups through the page.
   */
  private mayHaveMoved(records: MutationRecord[], root: Element | null): boolean {
    if (!root?.isConnected) return true;
    const { spec, win } = this.d;
    if (spec.conversation.from === 'url') {
      if (win.location.href !== this.href) return true;
    } else {
      const el = this.convEl;
      if (!el?.isConnected || el === root || root.contains(el)) return true;
    }
    for (let i = 0; i < records.length; i++) if (!this.inLog(records[i]!.target, root)) return true;
    return records.length === 0;
  }

  /** The conversation on screen now (remembers where it was read, see `mayHaveMoved`). */
  private readConversation(): string | undefined {
    const { win, spec } = this.d;
    if (spec.conversation.from === 'url') {
      this.href = win.location.href;
      return conversationFromUrl(spec, this.href);
    }
    this.convEl = conversationElement(win.document, spec);
    return conversationFrom(this.convEl, spec);
  }

  private onMutations(records: MutationRecord[]): void {
    if (this.d.signal.aborted) return;
    let root = this.root;
    let conv = this.conversationId;
    const moved = this.mayHaveMoved(records, root);
    if (moved) {
      root = findLogRoot(this.d.win.document, this.d.spec);
      conv = this.readConversation();
      if (root !== this.root || conv !== this.conversationId) {
        this.rescan();
        return;
      }
    }
    if (!root) return;
    // Only the items touched by these mutations: O(changed messages), not O(log length).
    const touched = new Set<Element>();
    const added = new Set<Element>();
    const item = this.d.spec.log.item;
    let removed = false;
    // A re-render changes several nodes of an item (a virtualised list re-binds a row's key, text
    // and time, twice when it scrolls): each changed node's item is looked up once per callback.
    const owners = new Map<Node, Element | null>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const target = r.target;
      // The page's own changes around the log (a conversation list re-sorted, a clock, a badge)
      // hold no message of it: skip them before looking for items in them. Without `moved`
      // every record is inside the log already.
      if (moved && !this.inLog(target, root)) continue;
      // A child added to the log itself (the usual new message) has no owner above it.
      if (target !== root) {
        let owner = owners.get(target);
        if (owner === undefined) {
          owner = this.ownerItem(target, root);
          owners.set(target, owner);
        }
        if (owner) touched.add(owner);
      }
      // Only a childList record adds or removes nodes.
      if (r.type !== 'childList') continue;
      if (r.removedNodes.length && root.contains(target)) removed = true;
      const nodes = r.addedNodes;
      for (let j = 0; j < nodes.length; j++) {
        const n = nodes[j]!;
        if (n.nodeType !== 1) continue;
        const el = n as Element;
        if (el.matches(item)) added.add(el);
        else for (const x of el.querySelectorAll(item)) added.add(x);
      }
    }
    for (const el of added) touched.add(el);
    // Without a message key a removal shifts the positions of the messages after it.
    if (touched.size === 0 && !(removed && !this.d.spec.messageKey)) return;
    // Document order without re-listing the whole log (10,000-message logs stay cheap).
    const ordered = [...touched];
    if (ordered.length > 1) ordered.sort((a, b) => (a.compareDocumentPosition(b) & 4 ? -1 : 1));
    if (this.d.spec.messageKey) {
      this.ingest(conv, ordered);
      return;
    }
    // Without a message key, a message is known by its position. When the log only grew at its
    // end (and messages changed in place), positions before stay put: read the touched items
    // alone. Anything else (a removal, an insertion above) shifts positions: read it all again.
    const all = listItems(root, this.d.spec);
    const appendedOnly =
      all.length === this.listed + added.size &&
      [...added].every((el) => all.indexOf(el, this.listed) >= this.listed);
    if (!appendedOnly) {
      this.ingest(conv, all, all);
      return;
    }
    this.ingest(conv, ordered, all);
  }

  private rescan(): void {
    const { win, spec } = this.d;
    this.watchPaths();
    this.root = findLogRoot(win.document, spec);
    this.conversationId = this.readConversation();
    if (!this.root) return;
    this.watch(this.root, this.logOptions);
    if (!this.conversationId) {
      this.reportState(false, 'no conversation is selected');
      return;
    }
    this.reportState(true);
    this.ingest(this.conversationId, listItems(this.root, spec));
  }

  /** `all`: the whole log in page order, when messages are keyed by position (no message key). */
  private ingest(conv: string | undefined, els: Element[], all?: Element[]): void {
    if (!conv || !this.root) return;
    if (!this.d.spec.messageKey) all ??= listItems(this.root, this.d.spec);
    if (all) this.listed = all.length;
    // Positions: the whole log read in order, or a few items looked up (appended ones from the end).
    const position = (el: Element, i: number) => {
      if (!all) return 0;
      if (els === all) return i;
      const from = all.length - els.length;
      const at = all.indexOf(el, Math.max(0, from));
      return at >= 0 ? at : all.indexOf(el);
    };
    // Text inside a message component's own shadow root changes without touching the log.
    for (const el of els) if (el.shadowRoot) this.watch(el.shadowRoot, this.itemOptions);
    const batch = this.unknownOnly({ conv, els, positions: els.map(position) });
    if (batch.els.length > 0 && this.defer(batch)) return;
    this.read(batch);
  }

  /**
   * Leaves out the items that show a message this conversation already has, with the same text:
   * a virtualised list re-binds every row in view to the next message on each new one, and a
   * re-render touches items that did not change. Reading them would produce nothing, so their
   * speaker rules and boxes are not asked for. Keyed items only, whose text does not depend on
   * the speaker (`keyedText`); the text read here is kept for the items read at once.
   */
  private unknownOnly(b: Batch): Batch {
    const { spec } = this.d;
    if (!spec.messageKey) return b;
    const out: Batch = { conv: b.conv, els: [], positions: [], texts: [] };
    for (let i = 0; i < b.els.length; i++) {
      const el = b.els[i]!;
      const kt = keyedText(el, spec);
      if (kt && this.tracker.knows(b.conv, kt.key, kt.text)) {
        // As `read` would have it: an element last read in another conversation showing this
        // same message keeps that reading.
        const mark = `${kt.key}\u0000${kt.text}`;
        const prev = this.readAs.get(el);
        if (!(prev && prev.conv !== b.conv && prev.mark === mark))
          this.readAs.set(el, { conv: b.conv, mark });
        continue;
      }
      out.els.push(el);
      out.positions.push(b.positions[i]!);
      out.texts!.push(kt?.text);
    }
    return out;
  }

  private read(b: Batch, geometry?: Geometry): void {
    const { conv, els, positions } = b;
    const items = els.flatMap((el, i) => {
      const it = readItem(el, positions[i]!, this.d.spec, geometry, b.texts?.[i]);
      if (!it) return [];
      // Client routers may change the URL a frame before they re-render the log: an element
      // already read in another conversation, still showing the same message, is that
      // conversation's stale DOM, not a message of this one.
      const mark = `${it.key}\u0000${it.text}`;
      const prev = this.readAs.get(el);
      if (prev && prev.conv !== conv && prev.mark === mark) return [];
      this.readAs.set(el, { conv, mark });
      return [it];
    });
    const fresh = this.tracker.observe(conv, items, (this.d.now ?? Date.now)());
    if (fresh.length === 0) return;
    this.produced += fresh.length;
    this.post(fresh);
  }

  /**
   * Speakers told apart by alignment need boxes. Asking for them in the mutation callback
   * (getBoundingClientRect) forces the browser to lay out the page the console has just changed,
   * synchronously, in our callback: most of what reading a message cost on such desks. Instead the
   * items wait for an IntersectionObserver's first report on their bubbles and rows, whose boxes
   * the browser computes in its own rendering step, after the layout it does anyway. Read in page
   * order: a batch waits for the ones before it. A hidden page has no rendering step (and nothing
   * to compete with): it is read at once; a report that never comes is replaced after FALLBACK_MS.
   */
  private defer(b: Batch): boolean {
    const { win, spec } = this.d;
    if (!readsLayout(spec) || typeof win.IntersectionObserver !== 'function') return false;
    if (this.deferred.length === 0 && win.document.visibilityState === 'hidden') return false;
    this.boxes ??= new win.IntersectionObserver((entries) =>
      this.timed(() => {
        for (const e of entries) {
          this.boxesSeen.set(e.target, e.boundingClientRect);
          this.boxes?.unobserve(e.target);
        }
        this.drain(false);
      }),
    );
    const need: Element[] = [];
    for (const el of b.els)
      for (const x of alignElements(el, spec)) if (!this.boxesSeen.has(x) && !need.includes(x)) need.push(x);
    for (const x of need) this.boxes.observe(x);
    b.need = need;
    b.at = win.Date.now();
    // Read when the boxes come: from the page as it is then.
    b.texts = undefined;
    this.deferred.push(b);
    this.armFallback(FALLBACK_MS);
    return true;
  }

  /**
   * One timer for all waiting batches, left running when they are read: at 20 messages a second
   * a timer set and cleared per message cost more than the message's reading. When it fires, the
   * batches that waited FALLBACK_MS are read with layout asked now; it is set again for the rest.
   */
  private armFallback(ms: number): void {
    if (this.fallback !== undefined) return;
    const { win } = this.d;
    this.fallback = win.setTimeout(() => {
      this.fallback = undefined;
      this.timed(() => {
        const first = this.deferred[0];
        if (!first) return;
        const waited = win.Date.now() - first.at!;
        if (waited >= FALLBACK_MS) this.drain(true);
        else this.armFallback(FALLBACK_MS - waited);
      });
    }, ms);
  }

  /** Reads the waiting batches, in order, as far as their boxes have come (all when `now`). */
  private drain(now: boolean): void {
    while (this.deferred.length > 0) {
      const b = this.deferred[0]!;
      if (!now && b.need!.some((x) => !this.boxesSeen.has(x))) break;
      this.deferred.shift();
      // Read without a report: no element of it stays observed (each adds to every frame's work).
      if (now) for (const x of b.need!) this.boxes?.unobserve(x);
      // The console moved on to another conversation meanwhile: these elements may show its
      // messages now; the rescan that noticed it reads them under the right id.
      if (b.conv !== this.conversationId) continue;
      const seen = this.boxesSeen;
      this.read(b, (el) => seen.get(el) ?? (now ? el.getBoundingClientRect() : undefined));
    }
    if (this.deferred.length === 0) {
      this.boxesSeen.clear();
    }
  }

  /**
   * Hands utterances to the background at once, in the callback that read them: batches are
   * posted without waiting for the previous one's acknowledgement (the background acknowledges
   * several together, see AckBatcher), up to MAX_IN_FLIGHT unacknowledged, a few messages at a
   * time (PIPELINED_MAX) and while it keeps up (an answer within BEHIND_MS); otherwise what is read waits and goes out in one batch on the
   * next acknowledgement (a 10,000-message burst reaches the background in a few hundred batches,
   * not one per callback). A batch refused or
   * dropped goes back, with every batch posted after it, in order, and is retried: nothing is lost,
   * and a later edit of a message is never overtaken by an older text of it. Sends made later, from
   * an acknowledgement or a retry, are timed and added to the next reported callback.
   */
  private post(fresh: Utterance[]): void {
    this.pending.push(...fresh);
    this.flush();
  }

  /** Batches posted and not yet acknowledged, oldest first. */
  private sent: Utterance[][] = [];
  /** When the oldest of them was posted, or the last answer came (Date.now). */
  private oldestSentAt = 0;
  private retryTimer: number | undefined;

  private flush(): void {
    while (this.sent.length < MAX_IN_FLIGHT && this.pending.length > 0) {
      if (this.retryTimer !== undefined || this.d.signal.aborted) return;
      // A background that has not answered for a while is behind (a burst being analysed): what
      // is read now waits for its answer and goes as one batch, not as many small ones.
      if (this.sent.length > 0 && this.d.win.Date.now() - this.oldestSentAt > BEHIND_MS) return;
      // Only a live conversation's few messages go out beside a batch in flight; many at once (a
      // history loaded, a burst) wait for the answer and go together, as one batch.
      if (this.sent.length > 0 && this.pending.length > PIPELINED_MAX) return;
      const batch = this.pending.splice(0, MAX_BATCH);
      if (this.sent.length === 0) this.oldestSentAt = this.d.win.Date.now();
      this.sent.push(batch);
      this.inFlight += batch.length;
      this.d.send(batch).then(
        () =>
          // The acknowledgement is handled on the page's thread too: counted with the next message.
          this.timed(() => {
            const i = this.sent.indexOf(batch);
            if (i < 0) return; // already back in `pending` after an earlier batch failed
            this.sent.splice(i, 1);
            this.inFlight -= batch.length;
            // Acknowledged in order: the answer restarts the clock for what is still waiting.
            this.oldestSentAt = this.d.win.Date.now();
            this.attempt = 0;
            this.flush();
          }, true),
        () => this.giveBack(batch),
      );
    }
  }

  /** The background may be restarting: this batch and those after it wait and are sent again. */
  private giveBack(batch: Utterance[]): void {
    const i = this.sent.indexOf(batch);
    if (i < 0) return;
    const back = this.sent.splice(i);
    for (const b of back) this.inFlight -= b.length;
    this.pending.unshift(...back.flat());
    if (this.retryTimer !== undefined) return;
    const wait = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)]!;
    this.retryTimer = this.d.win.setTimeout(() => {
      this.retryTimer = undefined;
      this.timed(() => this.flush(), true);
    }, wait);
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
