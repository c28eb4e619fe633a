/**
 * Selectors that cross into open shadow roots and same-origin iframes. An adapter writes
 * `chat-app >>> message-list >>> .log`: each `>>>` enters the shadow root (or, for an
 * `<iframe>`, the document) of the element matched so far. A selector that starts with `>>>`
 * enters the context element's own shadow root first (e.g. the text inside a message component).
 * Closed shadow roots and cross-origin frames cannot be entered; the step then matches nothing.
 */

export const PIERCE = '>>>';

/** Splits a path into plain CSS steps (trimmed); a leading `>>>` yields an empty first step. */
export function steps(path: string): string[] {
  return path.split(PIERCE).map((s) => s.trim());
}

/** The shadow root or iframe document behind a host element, when we may enter it. */
export function inside(el: Element): ParentNode | null {
  if (el.shadowRoot) return el.shadowRoot;
  if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') {
    try {
      // Cross-origin frames throw or return null; both mean "cannot enter".
      return (el as HTMLIFrameElement).contentDocument ?? null;
    } catch {
      return null;
    }
  }
  return null;
}

function scopeOf(node: ParentNode): ParentNode | null {
  return node.nodeType === 1 ? inside(node as Element) : node;
}

/** First match of a path from `from`, or null. */
export function queryPath(from: ParentNode, path: string): Element | null {
  const parts = steps(path);
  let scope: ParentNode | null = from;
  for (let i = 0; i < parts.length; i++) {
    const sel = parts[i]!;
    if (!scope) return null;
    if (sel === '') {
      // Leading `>>>`: enter the context element itself.
      scope = scopeOf(scope);
      continue;
    }
    const el: Element | null = scope.querySelector(sel);
    if (!el) return null;
    if (i === parts.length - 1) return el;
    scope = inside(el);
  }
  return scope && scope.nodeType === 1 ? (scope as Element) : null;
}

/** Every match of the last step, through the first match of the earlier steps. */
export function queryPathAll(from: ParentNode, path: string): Element[] {
  const parts = steps(path);
  const last = parts.pop() ?? '';
  let scope: ParentNode | null = from;
  for (const sel of parts) {
    if (!scope) return [];
    if (sel === '') {
      scope = scopeOf(scope);
      continue;
    }
    const el: Element | null = scope.querySelector(sel);
    scope = el ? inside(el) : null;
  }
  if (!scope || last === '') return [];
  return Array.from(scope.querySelectorAll(last));
}

/**
 * The shadow roots and frame documents a path passes through, in order: the places a mutation
 * observer must watch, since mutations inside them do not reach the top document's observer.
 */
export function scopesOnPath(from: ParentNode, path: string): ParentNode[] {
  const parts = steps(path);
  parts.pop();
  const out: ParentNode[] = [];
  let scope: ParentNode | null = from;
  for (const sel of parts) {
    if (!scope) break;
    const next: ParentNode | null =
      sel === '' ? scopeOf(scope) : ((el) => (el ? inside(el) : null))(scope.querySelector(sel));
    if (!next) break;
    out.push(next);
    scope = next;
  }
  return out;
}

/** Does `path` (a plain selector, or one with `>>>`) cross a boundary at all? */
export function pierces(path: string): boolean {
  return path.includes(PIERCE);
}
