/**
 * Turns what the agent clicked with the element picker (the message list, a customer message, an
 * agent message, the compose box, optionally the send button) into an adapter spec, then reads the
 * page back through the real reader to check that the two picked messages get the right speakers.
 */
import {
  adapterIdFor,
  type DetectOptions,
  familySelector,
  type MiniElement,
  originPattern,
  proposeConversation,
  proposeIgnore,
  proposeMessageKey,
  proposeSpeaker,
  uniqueSelector,
} from './detect';
import { findLogRoot, itemSpeaker, listItems } from './reader';
import { type AdapterSpec, type AdapterSpecInput, parseAdapter } from './spec';

export interface Picks {
  list: Element;
  customer: Element;
  agent: Element;
  compose: Element;
  send?: Element;
}

export type PickResult = { ok: true; spec: AdapterSpec; items: number } | { ok: false; error: string };

/** The child of `root` that holds `el` (a click on the text lands inside the item). */
export function itemUnder(root: Element, el: Element): Element | undefined {
  let cur: Element | null = el;
  while (cur && cur.parentElement !== root) cur = cur.parentElement;
  return cur ?? undefined;
}

/** The editable element at or inside a picked compose area. */
function editable(el: Element): Element {
  const ok = (e: Element) =>
    e.tagName === 'TEXTAREA' ||
    e.tagName === 'INPUT' ||
    (e.getAttribute('contenteditable') ?? 'false') !== 'false' ||
    e.getAttribute('role') === 'textbox';
  if (ok(el)) {
    // The outermost editable: a click lands on a paragraph inside a rich editor.
    let top = el;
    for (let p = el.parentElement; p && ok(p); p = p.parentElement) top = p;
    return top;
  }
  return (
    el.querySelector(
      'textarea, input[type="text"], [contenteditable]:not([contenteditable="false"]), [role="textbox"]',
    ) ?? el
  );
}

export function specFromPicks(doc: ParentNode, picks: Picks, opts: DetectOptions): PickResult {
  const root = picks.list;
  const cust = itemUnder(root, picks.customer);
  const agent = itemUnder(root, picks.agent);
  if (!cust || !agent)
    return { ok: false, error: 'the messages you picked are not inside the message list you picked' };
  if (cust === agent) return { ok: false, error: 'the customer and agent messages are the same element' };
  const pair = [cust, agent] as MiniElement[];
  const itemSel = familySelector(pair);
  if (!cust.matches(itemSel) || !agent.matches(itemSel))
    return { ok: false, error: 'the two messages are different kinds of element' };
  // Every item of the list, to split speakers on; the first pick is a customer's by construction.
  const items = Array.from(root.children).filter((c) => c.matches(itemSel)) as MiniElement[];
  const ordered = [cust, agent, ...items.filter((i) => i !== cust && i !== agent)] as MiniElement[];
  const speaker = proposeSpeaker(ordered, itemSel, opts.side);
  if (!speaker)
    return {
      ok: false,
      error: 'the customer and agent messages look the same: no class, attribute or side tells them apart',
    };
  const match = originPattern(opts.href);
  if (!match) return { ok: false, error: 'this page has no http(s) address' };
  const input = editable(picks.compose);
  const key = proposeMessageKey(items);
  const raw: AdapterSpecInput = {
    id: adapterIdFor(opts.href),
    name: /^https?:\/\/([^/:?#]+)/.exec(opts.href)?.[1] ?? 'console',
    version: 1,
    matches: [match],
    log: { root: uniqueSelector(root, doc), item: itemSel },
    speaker: { rules: speaker.rules, ...(speaker.default ? { default: speaker.default } : {}) },
    text: { ignore: proposeIgnore(pair) },
    ...(key ? { messageKey: { attribute: key } } : {}),
    conversation: proposeConversation(doc, root),
    compose: {
      input: uniqueSelector(input, doc),
      ...(picks.send ? { send: uniqueSelector(picks.send, doc) } : {}),
    },
  };
  const parsed = parseAdapter(raw);
  if (!parsed.ok) return { ok: false, error: parsed.errors.join('; ') };
  // Check the spec on the page it was made from, through the reader every adapter uses.
  const spec = parsed.spec;
  if (findLogRoot(doc, spec) !== root)
    return { ok: false, error: `the list selector "${spec.log.root}" does not find the list you picked` };
  const els = listItems(root, spec);
  if (itemSpeaker(cust, spec)?.speaker !== 'customer' || itemSpeaker(agent, spec)?.speaker !== 'agent')
    return {
      ok: false,
      error: 'the speaker rules do not tell the picked messages apart; pick two other messages',
    };
  return { ok: true, spec, items: els.length };
}
