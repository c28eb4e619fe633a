/**
 * Generic detection for consoles without an adapter (issue #6, "Unknown consoles"). Pure logic over
 * the few DOM members listed in `MiniElement`, so it runs in the content script and in happy-dom
 * tests alike. It proposes an adapter spec; the agent confirms it ("Attach here?") before it is
 * saved, and the proposal goes through the same zod schema and reader as a built-in adapter.
 */
import type { Speaker } from '../labels';
import { inside, PIERCE } from './path';
import { findLogRoot, listItems, readItem } from './reader';
import { type AdapterSpec, type AdapterSpecInput, parseAdapter } from './spec';

/** What the detector reads of an element (a subset of the DOM `Element`). */
export type MiniElement = Pick<
  Element,
  | 'tagName'
  | 'id'
  | 'children'
  | 'parentElement'
  | 'classList'
  | 'attributes'
  | 'getAttribute'
  | 'hasAttribute'
  | 'textContent'
  | 'querySelectorAll'
  | 'querySelector'
  | 'matches'
  | 'closest'
  | 'contains'
>;

export interface DetectOptions {
  /** Page URL (conversation id fallback and the proposed match pattern). */
  href: string;
  /**
   * Element children appended to a container since the page was first seen: a log that grows is a
   * strong sign (the content script counts additions with a MutationObserver).
   */
  added?: (el: Element) => number;
  /** Which side of its row an element sits on, when layout is known (not in Node tests). */
  side?: (el: Element) => 'left' | 'right' | undefined;
}

export interface Proposal {
  spec: AdapterSpec;
  /** Items the proposed log holds now, and how many of them got a speaker. */
  items: number;
  withSpeaker: number;
  /** 0…1, how sure the detector is; the panel says so in words. */
  confidence: number;
  /** Why this log was chosen, for the panel (short phrases). */
  reasons: string[];
}

const MAX_SCAN = 6000;
const AGENT_WORDS =
  /(^|[-_\s])(agent|me|mine|self|own|out|outgoing|outbound|sent|right|end|staff|operator|support|reply|rep|op|客服|坐席)([-_\s]|$)/i;
const CUSTOMER_WORDS =
  /(^|[-_\s])(customer|client|visitor|user|guest|them|in|incoming|inbound|received|left|start|contact|buyer|客户|访客|买家)([-_\s]|$)/i;
const SYSTEM_WORDS = /(^|[-_\s])(system|notice|info|event|divider|sys|系统)([-_\s]|$)/i;
const LOG_WORDS = /message|msg|chat|thread|conversation|transcript|log|timeline|bubble|history/i;
const NOISE_CLASS =
  /time|date|stamp|meta|receipt|status|read|avatar|author|name|who|sender|ago|sent-at|tick/i;
const TIME_ONLY = /^(\d{1,2}:\d{2}(:\d{2})?(\s?[ap]\.?m\.?)?|(上午|下午)\d{1,2}:\d{2})$/i;
/** Class names a framework generated (hashes) say nothing stable about a page. */
const HASHY = /^(css|sc|jsx|emotion|styled)-|^[a-z]{1,3}[0-9a-f]{5,}$|[0-9a-f]{6,}|^_/i;

function stableClasses(el: MiniElement): string[] {
  return Array.from(el.classList).filter((c) => !HASHY.test(c) && c.length < 60);
}

/** An item's text: its own, or its shadow root's when a message component renders it there. */
function textOf(el: MiniElement): string {
  const own = (el.textContent ?? '').trim();
  if (own) return own;
  return ((el as Element).shadowRoot?.textContent ?? '').trim();
}

/** A CSS identifier, escaped (CSS.escape is not everywhere the detector runs). */
export function cssIdent(s: string): string {
  const out = s.replace(/[^a-zA-Z0-9_\-\u00a0-\uffff]/g, (m) => `\\${m}`);
  return out.replace(/^(-?)(\d)/, (_m, dash: string, d: string) => `${dash}\\3${d} `);
}

function cssString(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

function countIn(doc: ParentNode, selector: string): number {
  try {
    return doc.querySelectorAll(selector).length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** A selector for one element of `doc`, as short as stays unique: id, then classes up a chain. */
export function uniqueSelector(el: MiniElement, doc: ParentNode): string {
  const parts: string[] = [];
  let cur: MiniElement | null = el;
  while (cur && cur.tagName !== 'HTML') {
    if (cur.id && !HASHY.test(cur.id) && countIn(doc, `#${cssIdent(cur.id)}`) === 1) {
      parts.unshift(`#${cssIdent(cur.id)}`);
      return parts.join(' > ');
    }
    const tag = cur.tagName.toLowerCase();
    let step =
      tag +
      stableClasses(cur)
        .slice(0, 2)
        .map((c) => `.${cssIdent(c)}`)
        .join('');
    for (const attr of ['role', 'aria-label', 'name', 'data-testid']) {
      const v = cur.getAttribute(attr);
      if (v && v.length < 60) {
        step += `[${attr}=${cssString(v)}]`;
        break;
      }
    }
    const parent: MiniElement | null = cur.parentElement;
    if (parent) {
      const same = Array.from(parent.children).filter((c) => c.matches(step));
      if (same.length > 1)
        step += `:nth-of-type(${
          Array.from(parent.children)
            .filter((c) => c.tagName === cur!.tagName)
            .indexOf(cur as Element) + 1
        })`;
    }
    parts.unshift(step);
    const sel = parts.join(' > ');
    if (countIn(doc, sel) === 1) return sel;
    cur = parent;
  }
  return parts.join(' > ');
}

/** The selector every element of a family matches: tag plus the classes they all share. */
export function familySelector(items: MiniElement[]): string {
  const first = items[0]!;
  // The shortest class they all share names the family (`msg`, not `msg--agent` or `starts-group`).
  const shared = stableClasses(first)
    .filter((c) => items.every((i) => i.classList.contains(c)))
    .sort((a, b) => a.length - b.length);
  return (
    first.tagName.toLowerCase() +
    shared
      .slice(0, 1)
      .map((c) => `.${cssIdent(c)}`)
      .join('')
  );
}

/** The largest group of an element's children with the same tag and a shared class (or none). */
function largestFamily(el: MiniElement): MiniElement[] {
  const kids = Array.from(el.children) as MiniElement[];
  if (kids.length < 2) return [];
  const groups = new Map<string, MiniElement[]>();
  for (const k of kids) {
    if (/^(SCRIPT|STYLE|TEMPLATE|LINK|META|BR)$/.test(k.tagName)) continue;
    const cls = stableClasses(k);
    const keys = cls.length ? cls.map((c) => `${k.tagName}.${c}`) : [k.tagName];
    for (const key of keys) {
      const g = groups.get(key);
      if (g) g.push(k);
      else groups.set(key, [k]);
    }
  }
  let best: MiniElement[] = [];
  for (const g of groups.values()) if (g.length > best.length) best = g;
  return best;
}

/** A distinguishing feature of some items: a class or attribute on the item or inside it. */
interface Feature {
  /** Selector rule as the adapter writes it. */
  rule: { selector?: string; attribute?: { name: string; equals: string } };
  label: string;
  has: Set<MiniElement>;
}

const SKIP_ATTR =
  /^(id|style|href|src|title|alt|tabindex|aria-label|aria-describedby|aria-labelledby|datetime|data-(?:.*-)?(?:id|key|index|ts|time|seq))$/i;

function featuresOf(items: MiniElement[], itemSel: string): Feature[] {
  const byKey = new Map<string, Feature>();
  const add = (key: string, f: Omit<Feature, 'has'>, item: MiniElement) => {
    let x = byKey.get(key);
    if (!x) {
      x = { ...f, has: new Set() };
      byKey.set(key, x);
    }
    x.has.add(item);
  };
  for (const item of items) {
    // The item itself, then its descendants to two levels (a bubble's class often tells the side).
    const els: { el: MiniElement; self: boolean }[] = [{ el: item, self: true }];
    for (const c of Array.from(item.children) as MiniElement[]) {
      els.push({ el: c, self: false });
      for (const g of Array.from(c.children) as MiniElement[]) els.push({ el: g, self: false });
    }
    for (const { el, self } of els) {
      for (const c of stableClasses(el)) {
        const sel = self ? `${itemSel}.${cssIdent(c)}` : `.${cssIdent(c)}`;
        add(`c:${sel}`, { rule: { selector: sel }, label: c }, item);
      }
      for (const a of Array.from(el.attributes)) {
        if (SKIP_ATTR.test(a.name) || a.name === 'class' || a.value.length > 40) continue;
        if (self)
          add(
            `a:${a.name}=${a.value}`,
            { rule: { attribute: { name: a.name, equals: a.value } }, label: `${a.name} ${a.value}` },
            item,
          );
        else {
          const sel = `[${a.name}=${cssString(a.value)}]`;
          add(`d:${sel}`, { rule: { selector: sel }, label: `${a.name} ${a.value}` }, item);
        }
      }
    }
  }
  const n = items.length;
  return [...byKey.values()].filter((f) => f.has.size >= 1 && f.has.size < n);
}

function speakerOfLabel(label: string): Speaker | undefined {
  if (SYSTEM_WORDS.test(label)) return 'system';
  const agent = AGENT_WORDS.test(label);
  const customer = CUSTOMER_WORDS.test(label);
  if (agent && !customer) return 'agent';
  if (customer && !agent) return 'customer';
  return undefined;
}

type SpeakerRuleInput = AdapterSpecInput['speaker']['rules'][number];

/**
 * Speaker rules for a family of items: features whose name says the side (agent/me/out/right…),
 * else a feature that splits the items in two with layout telling which half is the agent's,
 * else the first item's side is the customer's (customers open conversations).
 */
export function proposeSpeaker(
  items: MiniElement[],
  itemSel: string,
  side?: DetectOptions['side'],
): { rules: SpeakerRuleInput[]; default?: Speaker; how: string } | undefined {
  const feats = featuresOf(items, itemSel);
  const named = feats
    .map((f) => ({ f, who: speakerOfLabel(f.label) }))
    .filter((x): x is { f: Feature; who: Speaker } => x.who !== undefined);
  const whos = new Set(named.map((x) => x.who));
  if (whos.has('agent') || whos.has('customer')) {
    // Most-used feature per speaker; the other side is the default when only one is named.
    const best = new Map<Speaker, Feature>();
    for (const { f, who } of named)
      if (!best.has(who) || best.get(who)!.has.size < f.has.size) best.set(who, f);
    const rules: SpeakerRuleInput[] = [];
    for (const who of ['system', 'agent', 'customer'] as const) {
      const f = best.get(who);
      if (f) rules.push({ speaker: who, ...f.rule });
    }
    const def: Speaker | undefined = !best.has('customer')
      ? 'customer'
      : !best.has('agent')
        ? 'agent'
        : undefined;
    return {
      rules,
      ...(def ? { default: def } : {}),
      how: `named classes (${[...best.values()].map((f) => f.label).join(', ')})`,
    };
  }
  // A feature that splits the log into two sizeable halves that alternate.
  const n = items.length;
  const splits = feats
    .filter((f) => f.has.size >= Math.max(1, n * 0.15) && f.has.size <= n * 0.85)
    .map((f) => {
      let switches = 0;
      for (let i = 1; i < n; i++) if (f.has.has(items[i]!) !== f.has.has(items[i - 1]!)) switches++;
      return { f, switches };
    })
    .sort((a, b) => b.switches - a.switches || a.f.label.length - b.f.label.length);
  const split = splits[0];
  if (split && split.switches >= 1) {
    const inside = [...split.f.has];
    const outside = items.filter((i) => !split.f.has.has(i));
    let agentInside: boolean | undefined;
    if (side) {
      const right = (els: MiniElement[]) =>
        els.filter((e) => side(e as Element) === 'right').length / Math.max(1, els.length);
      const a = right(inside);
      const b = right(outside);
      if (a !== b) agentInside = a > b;
    }
    // Customers usually open: the first item's group is the customer's.
    agentInside ??= !split.f.has.has(items[0]!);
    return {
      rules: [{ speaker: agentInside ? 'agent' : 'customer', ...split.f.rule }],
      default: agentInside ? 'customer' : 'agent',
      how: `items differ by ${split.f.label}${side ? '' : ' (first speaker taken as the customer)'}`,
    };
  }
  // Old-style transcripts: only a label in front of each line says who spoke ("Agent:", "客户：").
  const prefix = prefixSpeakers(items);
  if (prefix) return prefix;
  if (side) {
    const sides = items.map((i) => side(i as Element));
    if (sides.includes('left') && sides.includes('right'))
      return {
        rules: [{ speaker: 'agent', align: 'right' }],
        default: 'customer',
        how: 'bubbles on the right are the agent’s',
      };
  }
  return undefined;
}

/** A short label every item starts with (its first child), two or more kinds, named by their words. */
function prefixSpeakers(
  items: MiniElement[],
): { rules: SpeakerRuleInput[]; default?: Speaker; how: string } | undefined {
  const labels = new Map<string, Speaker | undefined>();
  for (const item of items) {
    const first = item.children[0] as MiniElement | undefined;
    const label = (first?.textContent ?? '').trim();
    if (!label || label.length > 20 || !textOf(item).startsWith(label)) return undefined;
    labels.set(label, speakerOfLabel(label.replace(/[:：]\s*$/, '')));
  }
  const named = [...labels].filter((x): x is [string, Speaker] => x[1] !== undefined);
  if (labels.size < 2 || named.length === 0) return undefined;
  return {
    rules: named.map(([label, speaker]) => ({ speaker, textPrefix: label })),
    how: `a label before each line (${named.map(([l]) => l).join(', ')})`,
  };
}

/** Parts of an item that are not the message: time stamps, receipts, names, buttons. */
export function proposeIgnore(items: MiniElement[]): string[] {
  const out = new Set<string>();
  for (const item of items.slice(0, 50)) {
    for (const el of Array.from(item.querySelectorAll('*')) as MiniElement[]) {
      const tag = el.tagName.toLowerCase();
      if (tag === 'time' || tag === 'button') out.add(tag);
      else if (el.hasAttribute('datetime')) out.add(`[datetime]`);
      else for (const c of stableClasses(el)) if (NOISE_CLASS.test(c)) out.add(`.${cssIdent(c)}`);
      // A leaf that holds only a clock time is a time stamp, whatever its class says.
      const own = (el.textContent ?? '').trim();
      if (el.children.length === 0 && TIME_ONLY.test(own)) {
        const cls = stableClasses(el)[0];
        out.add(cls ? `.${cssIdent(cls)}` : `${familySelector([el.parentElement ?? el])} > ${tag}`);
      }
      if (tag === 'small' && (el.textContent ?? '').trim().length <= 24)
        out.add(`${familySelector([el.parentElement ?? el])} > small`);
    }
  }
  return [...out].slice(0, 12);
}

export function proposeMessageKey(items: MiniElement[]): string | undefined {
  const first = items[0]!;
  for (const a of Array.from(first.attributes)) {
    if (!/^(data-[\w-]*(id|key)|data-id|id)$/i.test(a.name)) continue;
    const values = items.map((i) => i.getAttribute(a.name));
    if (values.every((v) => v) && new Set(values).size === values.length) return a.name;
  }
  return undefined;
}

function isComposeCandidate(el: MiniElement): boolean {
  if (el.tagName === 'TEXTAREA') return !el.hasAttribute('readonly') && !el.hasAttribute('disabled');
  if (el.tagName === 'INPUT') {
    const type = (el.getAttribute('type') ?? 'text').toLowerCase();
    return type === 'text' && !/search|搜索|搜尋/i.test(el.getAttribute('placeholder') ?? '');
  }
  const ce = el.getAttribute('contenteditable');
  return ce === '' || ce === 'true' || ce === 'plaintext-only' || el.getAttribute('role') === 'textbox';
}

export function proposeCompose(
  doc: ParentNode,
  log: MiniElement | null,
): { input: MiniElement; send?: MiniElement } | undefined {
  const c = composeIn(doc, log);
  return c && (c.send ? { input: c.input, send: c.send } : { input: c.input });
}

/** The likeliest compose box in one scope (with its score, to compare scopes), and its send button. */
function composeIn(
  doc: ParentNode,
  log: MiniElement | null,
): { input: MiniElement; send?: MiniElement; score: number } | undefined {
  const all = Array.from(
    doc.querySelectorAll('textarea, input, [contenteditable], [role="textbox"]'),
  ) as MiniElement[];
  const cands = all
    .filter(isComposeCandidate)
    .filter((el) => !el.parentElement?.closest('[contenteditable]'));
  let best: { el: MiniElement; score: number } | undefined;
  for (const [i, el] of cands.entries()) {
    let score = i / Math.max(1, cands.length); // later in the page is likelier (below the log)
    if (el.tagName === 'TEXTAREA' || el.getAttribute('contenteditable') !== null) score += 2;
    const hint = `${el.getAttribute('placeholder') ?? ''} ${el.getAttribute('aria-label') ?? ''} ${el.id} ${Array.from(el.classList).join(' ')}`;
    if (/message|reply|type|compose|write|chat|回复|回覆|输入|輸入|消息|訊息/i.test(hint)) score += 3;
    // Shares a near ancestor with the log.
    if (log) {
      let a: MiniElement | null = el.parentElement;
      for (let d = 0; a && d < 4; d++, a = a.parentElement)
        if (a.contains(log as Element)) {
          score += 2 - d * 0.4;
          break;
        }
    }
    if (!best || score > best.score) best = { el, score };
  }
  if (!best) return undefined;
  // The send button: a button near the input that says send (or submits its form). In a shadow
  // root the input may have no parent element: the root itself is then the nearest scope.
  let send: MiniElement | undefined;
  let scope: ParentNode | null = best.el.parentElement ?? doc;
  for (let d = 0; scope && d < 3 && !send; d++) {
    for (const b of Array.from(
      scope.querySelectorAll('button, [role="button"], input[type="submit"]'),
    ) as MiniElement[]) {
      const words = `${b.textContent ?? ''} ${b.getAttribute('aria-label') ?? ''} ${b.getAttribute('title') ?? ''} ${b.getAttribute('value') ?? ''} ${Array.from(b.classList).join(' ')}`;
      if (/send|submit|reply|发送|發送|傳送|回复|回覆/i.test(words) || b.getAttribute('type') === 'submit') {
        send = b;
        break;
      }
    }
    scope = scope === doc ? null : ((scope as Element).parentElement ?? doc);
  }
  return { input: best.el, score: best.score, ...(send ? { send } : {}) };
}

/** Which conversation is open: a selected list item with an id-like attribute, else the URL. */
export function proposeConversation(doc: ParentNode, log: MiniElement): AdapterSpecInput['conversation'] {
  return selectedConversation(doc, log) ?? { from: 'url', pattern: '^([^?]*)' };
}

function selectedConversation(
  doc: ParentNode,
  log: MiniElement,
): AdapterSpecInput['conversation'] | undefined {
  const selected = Array.from(
    doc.querySelectorAll('[aria-selected="true"], [aria-current="page"], [aria-current="true"]'),
  ) as MiniElement[];
  const outside = selected.filter((el) => !log.contains(el as Element));
  // A selected row that carries an id attribute names the conversation best.
  for (const el of outside) {
    for (const a of Array.from(el.attributes)) {
      if (!/^data-[\w-]*(id|key)$/i.test(a.name) || !a.value) continue;
      const which = el.hasAttribute('aria-selected')
        ? '[aria-selected="true"]'
        : `[aria-current=${cssString(el.getAttribute('aria-current') ?? 'page')}]`;
      return { from: 'attribute', selector: familySelector([el]) + which, attribute: a.name };
    }
  }
  // Else a current link with a query or hash (a section link in the top bar is not a conversation).
  for (const el of outside) {
    const href = el.getAttribute('href') ?? '';
    if (!/[?#/].+/.test(href) || el.closest('header, [role="banner"]')) continue;
    const which = `[aria-current=${cssString(el.getAttribute('aria-current') ?? 'page')}]`;
    return { from: 'attribute', selector: familySelector([el]) + which, attribute: 'href' };
  }
  return undefined;
}

/**
 * Where the text of items that render it in their own shadow root lives: the leaf with the most
 * text that is not a name, time or button (`>>> p.body`), when most items have it.
 */
function shadowTextSelector(items: MiniElement[]): string | undefined {
  const shadow = (el: MiniElement) => (el as Element).shadowRoot ?? null;
  const first = items.find((i) => shadow(i));
  const root = first ? shadow(first) : null;
  if (!root) return undefined;
  let best: { el: MiniElement; len: number } | undefined;
  for (const el of Array.from(root.querySelectorAll('*')) as MiniElement[]) {
    if (el.children.length > 0 || /^(TIME|BUTTON|STYLE|SCRIPT|IMG|SVG)$/i.test(el.tagName)) continue;
    if (stableClasses(el).some((c) => NOISE_CLASS.test(c))) continue;
    const len = (el.textContent ?? '').trim().length;
    if (len > 0 && (!best || len > best.len)) best = { el, len };
  }
  if (!best) return undefined;
  const sel = familySelector([best.el]);
  const found = items.filter((i) => shadow(i)?.querySelector(sel)).length;
  return found >= items.length * 0.6 ? `${PIERCE} ${sel}` : undefined;
}

/** `https://desk.example.com:8443/x` → `https://desk.example.com/*` (Chrome ignores the port). */
export function originPattern(href: string): string | undefined {
  const m = /^(https?):\/\/([^/:?#]+)/.exec(href);
  return m ? `${m[1]}://${m[2]}/*` : undefined;
}

/** A short adapter id from a host name: `desk.example.com` → `user-desk-example-com`. */
export function adapterIdFor(href: string, suffix = ''): string {
  const host = /^https?:\/\/([^/:?#]+)/.exec(href)?.[1] ?? 'page';
  const base = `user-${host}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 50);
  return `${base}${suffix}`.replace(/-$/, '');
}

/** A place the detector looks: the page, an open shadow root or a same-origin frame's document. */
export interface Scope {
  root: ParentNode;
  /** The adapter path that enters it (`chat-app >>> `), empty for the page itself. */
  prefix: string;
}

const MAX_SCOPES = 40;
const MAX_DEPTH = 5;

/**
 * The page and every open shadow root and same-origin frame document inside it, breadth first,
 * each with the `>>>` path that reaches it. Hosts that repeat among their siblings (one message
 * component per message) are items, not places a log lives, and are not entered.
 */
export function scopesOf(doc: ParentNode): Scope[] {
  const out: Scope[] = [{ root: doc, prefix: '' }];
  for (let i = 0; i < out.length && out.length < MAX_SCOPES; i++) {
    const s = out[i]!;
    if (s.prefix.split(PIERCE).length > MAX_DEPTH) continue;
    for (const el of Array.from(s.root.querySelectorAll('*'))) {
      if (!el.shadowRoot && el.tagName !== 'IFRAME' && el.tagName !== 'FRAME') continue;
      const parent = el.parentNode as ParentNode | null;
      const twins = parent ? Array.from(parent.children).filter((c) => c.tagName === el.tagName).length : 1;
      if (twins > 2) continue;
      const next = inside(el);
      if (!next) continue;
      out.push({ root: next, prefix: `${s.prefix}${uniqueSelector(el, s.root)} ${PIERCE} ` });
      if (out.length >= MAX_SCOPES) break;
    }
  }
  return out;
}

interface Candidate {
  el: MiniElement;
  family: MiniElement[];
  score: number;
  reasons: string[];
}

function scoreCandidate(el: MiniElement, opts: DetectOptions): Candidate | undefined {
  const family = largestFamily(el);
  if (family.length < 2) return undefined;
  const reasons: string[] = [];
  const texts = family.map(textOf);
  const withText = texts.filter((t) => t.length > 0).length;
  if (withText < family.length * 0.6) return undefined;
  const avgLen = texts.reduce((s, t) => s + Math.min(t.length, 200), 0) / family.length;
  let score = Math.log2(family.length + 1) * 2 + Math.min(avgLen, 80) / 20;
  reasons.push(`${family.length} similar items`);
  // Conversation lists, menus and tables look like logs too: links and selectable rows are not messages.
  const linky = family.filter(
    (f) =>
      f.tagName === 'A' ||
      f.querySelector('a[href]') ||
      f.hasAttribute('aria-selected') ||
      f.getAttribute('role') === 'option' ||
      f.getAttribute('role') === 'tab',
  ).length;
  if (linky > family.length / 2) score -= 6;
  if (
    el.closest(
      'nav, aside, header, footer, [role="navigation"], [role="listbox"], [role="tablist"], [role="menu"]',
    )
  )
    score -= 6;
  if (el.getAttribute('role') === 'log' || el.getAttribute('aria-live')) {
    score += 4;
    reasons.push('marked as a live log');
  }
  const words = `${el.id} ${Array.from(el.classList).join(' ')} ${el.getAttribute('aria-label') ?? ''}`;
  if (LOG_WORDS.test(words)) {
    score += 2;
    reasons.push('named like a message log');
  }
  const grew = opts.added?.(el as Element) ?? 0;
  if (grew > 0) {
    score += 3 + Math.min(grew, 10) * 0.3;
    reasons.push(`grew by ${grew} while watched`);
  }
  // Two kinds of item that alternate (sides) is what a conversation looks like.
  const feats = featuresOf(family, familySelector(family));
  const alternating = feats.some((f) => {
    if (f.has.size < 1 || f.has.size > family.length - 1) return false;
    let sw = 0;
    for (let i = 1; i < family.length; i++) if (f.has.has(family[i]!) !== f.has.has(family[i - 1]!)) sw++;
    return sw >= 1;
  });
  if (alternating) {
    score += 3;
    reasons.push('items alternate between two kinds');
  }
  return { el, family, score, reasons };
}

/**
 * Proposes an adapter for the page, or undefined when nothing looks like a conversation. Looks in
 * the page, its open shadow roots and its same-origin frames; a log found inside them gets a
 * `>>>` path, as a hand-written adapter would.
 */
export function detect(doc: ParentNode, opts: DetectOptions): Proposal | undefined {
  const scopes = scopesOf(doc);
  let best: (Candidate & { scope: Scope }) | undefined;
  let budget = MAX_SCAN;
  for (const scope of scopes) {
    if (budget <= 0) break;
    const all = Array.from(scope.root.querySelectorAll(scope.root.nodeType === 9 ? 'body *' : '*')).slice(
      0,
      budget,
    ) as MiniElement[];
    budget -= all.length;
    for (const el of all) {
      if (el.children.length < 2 || /^(SCRIPT|STYLE|SELECT|SVG|TABLE|THEAD|TR|HEAD)$/i.test(el.tagName))
        continue;
      const c = scoreCandidate(el, opts);
      if (c && (!best || c.score > best.score)) best = { ...c, scope };
    }
  }
  if (!best || best.score < 4) return undefined;
  const { scope } = best;
  const itemSel = familySelector(best.family);
  const rootSel = scope.prefix + uniqueSelector(best.el, scope.root);
  const speaker = proposeSpeaker(best.family, itemSel, opts.side);
  if (!speaker) return undefined;
  // The compose box: the best-scoring one of all scopes (the log's own scope gets its bonus).
  let compose: { input: MiniElement; send?: MiniElement; score: number; scope: Scope } | undefined;
  for (const sc of scopes) {
    const c = composeIn(sc.root, sc === scope ? best.el : null);
    if (c && (!compose || c.score > compose.score)) compose = { ...c, scope: sc };
  }
  const key = proposeMessageKey(best.family);
  const host = /^https?:\/\/([^/:?#]+)/.exec(opts.href)?.[1] ?? 'page';
  const match = originPattern(opts.href);
  if (!match) return undefined;
  let conversation: AdapterSpecInput['conversation'] = { from: 'url', pattern: '^([^?]*)' };
  for (const sc of scopes) {
    const c = selectedConversation(sc.root, best.el);
    if (c?.from === 'attribute') {
      conversation = { ...c, selector: sc.prefix + c.selector };
      break;
    }
  }
  const shadowText = best.family.every((f) => !(f.textContent ?? '').trim())
    ? shadowTextSelector(best.family)
    : undefined;
  const raw: AdapterSpecInput = {
    id: adapterIdFor(opts.href),
    name: host,
    version: 1,
    matches: [match],
    log: { root: rootSel, item: itemSel },
    speaker: { rules: speaker.rules, ...(speaker.default ? { default: speaker.default } : {}) },
    text: { ...(shadowText ? { selector: shadowText } : {}), ignore: proposeIgnore(best.family) },
    ...(key ? { messageKey: { attribute: key } } : {}),
    conversation,
    ...(compose
      ? {
          compose: {
            input: compose.scope.prefix + uniqueSelector(compose.input, compose.scope.root),
            ...(compose.send
              ? { send: compose.scope.prefix + uniqueSelector(compose.send, compose.scope.root) }
              : {}),
          },
        }
      : {}),
  };
  const parsed = parseAdapter(raw);
  if (!parsed.ok) return undefined;
  // Read the log back through the real reader: what the proposal would deliver if attached.
  const root = findLogRoot(doc, parsed.spec);
  const els = root ? listItems(root, parsed.spec) : [];
  const withSpeaker = els.filter((el, i) => readItem(el, i, parsed.spec)).length;
  if (els.length === 0) return undefined;
  const reasons = [...best.reasons, `speaker: ${speaker.how}`];
  if (scope.prefix) reasons.push(`inside ${scope.prefix.replace(/\s*>>>\s*$/, '')}`);
  if (compose) reasons.push('compose box found');
  return {
    spec: parsed.spec,
    items: els.length,
    withSpeaker,
    confidence: Math.max(0, Math.min(1, (best.score - 4) / 12)),
    reasons,
  };
}
