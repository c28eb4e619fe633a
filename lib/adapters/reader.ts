/**
 * Reads a console's DOM through an adapter spec. Works on any `ParentNode`, so it runs in the
 * content script and in happy-dom tests alike; it never touches globals.
 */
import type { Speaker } from '../labels';
import type { AdapterSpec } from './spec';

export interface ReadItem {
  /** Stable key of the message within its conversation. */
  key: string;
  speaker: Speaker;
  text: string;
}

/** Text of an element without the parts the adapter says to ignore (timestamps, receipts…). */
export function itemText(el: Element, spec: AdapterSpec): string {
  const host = spec.text.selector ? (el.querySelector(spec.text.selector) ?? el) : el;
  if (spec.text.ignore.length === 0) return normaliseSpace(host.textContent ?? '');
  const ignore = spec.text.ignore.join(',');
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

function normaliseSpace(s: string): string {
  return s
    .replace(/[ \t\r\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

export function itemSpeaker(
  el: Element,
  spec: AdapterSpec,
): { speaker: Speaker; strip?: string } | undefined {
  for (const rule of spec.speaker.rules) {
    let target: Element | null = el;
    if (rule.selector) target = el.matches(rule.selector) ? el : el.querySelector(rule.selector);
    if (!target) continue;
    if (rule.attribute) {
      const v = target.getAttribute(rule.attribute.name);
      if (v === null || (rule.attribute.equals !== undefined && v !== rule.attribute.equals)) continue;
    }
    if (rule.textPrefix) {
      const text = itemText(el, spec);
      if (!text.startsWith(rule.textPrefix)) continue;
      return { speaker: rule.speaker, strip: rule.textPrefix };
    }
    return { speaker: rule.speaker };
  }
  return spec.speaker.default ? { speaker: spec.speaker.default } : undefined;
}

export function readItem(el: Element, index: number, spec: AdapterSpec): ReadItem | undefined {
  const who = itemSpeaker(el, spec);
  if (!who) return undefined;
  let text = itemText(el, spec);
  if (who.strip) text = text.slice(who.strip.length).trim();
  const attr = spec.messageKey ? el.getAttribute(spec.messageKey.attribute) : null;
  return { key: attr ?? `pos:${index}`, speaker: who.speaker, text };
}

export function findLogRoot(doc: ParentNode, spec: AdapterSpec): Element | null {
  return doc.querySelector(spec.log.root);
}

export function listItems(root: ParentNode, spec: AdapterSpec): Element[] {
  return Array.from(root.querySelectorAll(spec.log.item));
}

/** The conversation on screen, or undefined when the page shows none. */
export function readConversationId(doc: ParentNode, spec: AdapterSpec, href: string): string | undefined {
  const c = spec.conversation;
  if (c.from === 'url') {
    const m = new RegExp(c.pattern).exec(href);
    return m?.[1] ?? m?.[0] ?? undefined;
  }
  const el = doc.querySelector(c.selector);
  if (!el) return undefined;
  const v = c.from === 'attribute' ? el.getAttribute(c.attribute) : (el.textContent ?? '').trim();
  return v ? v : undefined;
}
