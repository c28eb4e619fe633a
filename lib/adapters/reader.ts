/**
 * Reads a console's DOM through an adapter spec. Works on any `ParentNode`, so it runs in the
 * content script and in happy-dom tests alike; it never touches globals.
 */
import type { Speaker } from '../labels';
import { pierces, queryPath, queryPathAll } from './path';
import type { AdapterSpec } from './spec';

type SpeakerRule = AdapterSpec['speaker']['rules'][number];

// Adapters are few and their patterns fixed: compile each once.
const regexCache = new Map<string, RegExp>();
function re(source: string): RegExp {
  let r = regexCache.get(source);
  if (!r) {
    r = new RegExp(source);
    regexCache.set(source, r);
  }
  return r;
}

/** The item itself when it matches, else its first descendant (through `>>>` when given). */
function within(el: Element, selector: string): Element | null {
  if (pierces(selector)) return queryPath(el, selector);
  return el.matches(selector) ? el : el.querySelector(selector);
}

export interface ReadItem {
  /** Stable key of the message within its conversation (`pos:N` when the console shows none). */
  key: string;
  /** The key is the console's own message id, not the item's position. */
  keyed?: boolean;
  speaker: Speaker;
  text: string;
}

/** Text of an element without the parts the adapter says to ignore (timestamps, receipts…). */
export function itemText(el: Element, spec: AdapterSpec): string {
  const host = spec.text.selector ? (within(el, spec.text.selector) ?? el) : el;
  if (spec.text.ignore.length === 0) return normaliseSpace(host.textContent ?? '');
  const ignore = ignoreSelector(spec.text.ignore);
  let out = '';
  const walk = (node: Node) => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3) out += c.nodeValue ?? '';
      else if (c.nodeType === 1) {
        const e = c as Element;
        if (e.matches(ignore)) continue;
        if (e.tagName === 'BR') out += '\n';
        walk(e);
      }
    }
  };
  walk(host);
  return normaliseSpace(out);
}

// One selector list per adapter, not one join per message read.
const ignoreCache = new WeakMap<readonly string[], string>();
function ignoreSelector(parts: readonly string[]): string {
  let sel = ignoreCache.get(parts);
  if (sel === undefined) {
    sel = parts.join(',');
    ignoreCache.set(parts, sel);
  }
  return sel;
}

function normaliseSpace(s: string): string {
  return s
    .replace(/[ \t\r\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/** A box as layout reports it (`DOMRect`, an IntersectionObserver entry's `boundingClientRect`). */
export interface Box {
  left: number;
  width: number;
}

/**
 * Where a speaker rule's alignment is read: the rule's target (the item, or its `selector`'s
 * match) and the row it sits in (the item when a selector is given, else the item's parent).
 */
export function alignBoxes(target: Element, item: Element): { target: Element; row: Element } | undefined {
  const row = target === item ? item.parentElement : item;
  return row ? { target, row } : undefined;
}

/** Centre of `a` left or right of the centre of `b`; undefined without layout. */
export function sideOf(a: Box, b: Box): 'left' | 'right' | undefined {
  if (a.width === 0 || b.width === 0) return undefined; // not laid out (hidden, detached)
  return a.left + a.width / 2 > b.left + b.width / 2 ? 'right' : 'left';
}

/**
 * Boxes for alignment rules. The default asks layout now (getBoundingClientRect, which forces a
 * synchronous layout when the page has just changed); the attachment passes boxes the browser
 * computed in its own rendering step instead (see attachment.ts).
 */
export type Geometry = (el: Element) => Box | undefined;
const layoutNow: Geometry = (el) => el.getBoundingClientRect();

/** Every element whose box an item's alignment rules read (none when no rule aligns). */
export function alignElements(el: Element, spec: AdapterSpec): Element[] {
  const out: Element[] = [];
  for (const rule of spec.speaker.rules) {
    if (!rule.align) continue;
    const target = rule.selector ? within(el, rule.selector) : el;
    const boxes = target ? alignBoxes(target, el) : undefined;
    if (boxes) out.push(boxes.target, boxes.row);
  }
  return out;
}

/** Does telling a speaker need layout (an alignment rule)? */
export function readsLayout(spec: AdapterSpec): boolean {
  return spec.speaker.rules.some((r) => r.align);
}

function side(target: Element, item: Element, geometry: Geometry): 'left' | 'right' | undefined {
  const boxes = alignBoxes(target, item);
  if (!boxes) return undefined;
  const a = geometry(boxes.target);
  const b = geometry(boxes.row);
  return a && b ? sideOf(a, b) : undefined;
}

function ruleHolds(rule: SpeakerRule, el: Element, text: () => string, geometry: Geometry): boolean {
  const target = rule.selector ? within(el, rule.selector) : el;
  if (!target) return false;
  if (rule.attribute) {
    const v = target.getAttribute(rule.attribute.name);
    if (v === null) return false;
    if (rule.attribute.equals !== undefined && v !== rule.attribute.equals) return false;
    if (rule.attribute.matches !== undefined && !re(rule.attribute.matches).test(v)) return false;
  }
  if (rule.avatar) {
    const img = within(target, rule.avatar.selector);
    const v = img?.getAttribute(rule.avatar.attribute);
    if (v == null || !re(rule.avatar.matches).test(v)) return false;
  }
  if (rule.align && side(target, el, geometry) !== rule.align) return false;
  if (rule.textPrefix && !text().startsWith(rule.textPrefix)) return false;
  return true;
}

/** `text`: the item's text, when the caller has it (or reads it once for several rules). */
export function itemSpeaker(
  el: Element,
  spec: AdapterSpec,
  geometry: Geometry = layoutNow,
  text: () => string = () => itemText(el, spec),
): { speaker: Speaker; strip?: string } | undefined {
  for (const rule of spec.speaker.rules) {
    if (!ruleHolds(rule, el, text, geometry)) continue;
    return rule.textPrefix ? { speaker: rule.speaker, strip: rule.textPrefix } : { speaker: rule.speaker };
  }
  return spec.speaker.default ? { speaker: spec.speaker.default } : undefined;
}

export function readItem(
  el: Element,
  index: number,
  spec: AdapterSpec,
  geometry: Geometry = layoutNow,
  /** Its text, when the caller has just read it (`keyedText`). */
  text?: string,
): ReadItem | undefined {
  // Read once: speaker rules by text prefix and the utterance share it.
  let read = text;
  const full = () => (read ??= itemText(el, spec));
  const who = itemSpeaker(el, spec, geometry, full);
  if (!who) return undefined;
  let shown = full();
  if (who.strip) shown = shown.slice(who.strip.length).trim();
  const attr = spec.messageKey ? el.getAttribute(spec.messageKey.attribute) : null;
  return attr === null
    ? { key: `pos:${index}`, speaker: who.speaker, text: shown }
    : { key: attr, keyed: true, speaker: who.speaker, text: shown };
}

/**
 * The key and text of a keyed item, read without telling its speaker; undefined when its text
 * depends on the speaker (a text-prefix rule strips the prefix) or it shows no key.
 */
export function keyedText(el: Element, spec: AdapterSpec): { key: string; text: string } | undefined {
  if (!spec.messageKey || spec.speaker.rules.some((r) => r.textPrefix)) return undefined;
  const key = el.getAttribute(spec.messageKey.attribute);
  return key === null ? undefined : { key, text: itemText(el, spec) };
}

export function findLogRoot(doc: ParentNode, spec: AdapterSpec): Element | null {
  return queryPath(doc, spec.log.root);
}

export function listItems(root: ParentNode, spec: AdapterSpec): Element[] {
  return pierces(spec.log.item)
    ? queryPathAll(root, spec.log.item)
    : Array.from(root.querySelectorAll(spec.log.item));
}

/** The conversation on screen, or undefined when the page shows none. */
export function readConversationId(doc: ParentNode, spec: AdapterSpec, href: string): string | undefined {
  const c = spec.conversation;
  if (c.from === 'url') return conversationFromUrl(spec, href);
  return conversationFrom(queryPath(doc, c.selector), spec);
}

/** The element the conversation id is read from (none when it comes from the URL). */
export function conversationElement(doc: ParentNode, spec: AdapterSpec): Element | null {
  const c = spec.conversation;
  return c.from === 'url' ? null : queryPath(doc, c.selector);
}

export function conversationFromUrl(spec: AdapterSpec, href: string): string | undefined {
  const c = spec.conversation;
  if (c.from !== 'url') return undefined;
  const m = re(c.pattern).exec(href);
  return m?.[1] ?? m?.[0] ?? undefined;
}

/** The id an element of `conversationElement` shows. */
export function conversationFrom(el: Element | null, spec: AdapterSpec): string | undefined {
  const c = spec.conversation;
  if (!el || c.from === 'url') return undefined;
  let v = c.from === 'attribute' ? el.getAttribute(c.attribute) : (el.textContent ?? '').trim();
  if (v && c.pattern) {
    const m = re(c.pattern).exec(v);
    v = m?.[1] ?? m?.[0] ?? null;
  }
  return v ? v : undefined;
}
