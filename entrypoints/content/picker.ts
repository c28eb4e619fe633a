/**
 * The element picker (issue #6): an overlay in a CLOSED shadow root, so the page can neither style
 * nor read it. The agent points at or walks to an element (arrows: ↑ parent, ↓ first child, ←/→
 * siblings; Enter picks; Esc cancels) and picks, in order: the message list, a customer message, an
 * agent message, the compose box and, optionally, the send button.
 */
import type { Picks } from '@/lib/adapters/detect-picks';

export type PickStep = 'list' | 'customer' | 'agent' | 'compose' | 'send';
const STEPS: PickStep[] = ['list', 'customer', 'agent', 'compose', 'send'];

export interface PickerTexts {
  steps: Record<PickStep, string>;
  progress: (n: number, of: number) => string;
  notInList: string;
  skip: string;
  cancel: string;
  keys: string;
}

export interface PickerDeps {
  doc: Document;
  texts: PickerTexts;
  signal: AbortSignal;
  /** Builds and saves the adapter; returns an error to show, or undefined when it is saved. */
  done(picks: Picks): Promise<string | undefined>;
  cancelled(): void;
}

const CSS = `
:host { pointer-events: none; }
.box { position: fixed; pointer-events: none; border: 2px solid #f59e0b; background: rgb(245 158 11 / .12);
  border-radius: 3px; z-index: 2147483646; display: none; }
.bar { position: fixed; top: 8px; left: 50%; transform: translateX(-50%); z-index: 2147483647;
  pointer-events: auto; font: 14px/1.4 system-ui, sans-serif; background: #1f2937; color: #f9fafb;
  padding: 10px 14px; border-radius: 8px; box-shadow: 0 4px 16px rgb(0 0 0 / .35); max-width: 560px;
  display: flex; flex-direction: column; gap: 6px; }
.bar--bottom { top: auto; bottom: 8px; }
.step { font-weight: 600; }
.keys, .what { font-size: 12px; opacity: .85; }
.err { color: #fca5a5; font-size: 13px; }
.err:empty { display: none; }
.row { display: flex; gap: 8px; }
button { font: inherit; border-radius: 6px; padding: 4px 10px; border: 1px solid #9ca3af; background: #374151; color: #f9fafb; cursor: pointer; }
button:focus-visible { outline: 2px solid #f59e0b; outline-offset: 2px; }
button[hidden] { display: none; }
`;

export function startPicker(d: PickerDeps): { stop(): void } {
  const { doc, texts } = d;
  const host = doc.createElement('sotto-picker');
  host.setAttribute('style', 'position:fixed;inset:0;pointer-events:none;z-index:2147483647;');
  const shadow = host.attachShadow({ mode: 'closed' });
  shadow.innerHTML = `<style>${CSS}</style><div class="box"></div>
<div class="bar" role="dialog" aria-live="polite" data-testid="sotto-picker">
  <div class="step"></div><div class="what"></div><div class="err" role="alert"></div>
  <div class="keys"></div>
  <div class="row"><button type="button" class="skip" hidden></button><button type="button" class="cancel"></button></div>
</div>`;
  const q = <T extends Element>(s: string) => shadow.querySelector(s) as T;
  const box = q<HTMLElement>('.box');
  const stepEl = q<HTMLElement>('.step');
  const what = q<HTMLElement>('.what');
  const err = q<HTMLElement>('.err');
  const bar = q<HTMLElement>('.bar');
  const skip = q<HTMLButtonElement>('.skip');
  const cancel = q<HTMLButtonElement>('.cancel');
  q<HTMLElement>('.keys').textContent = texts.keys;
  skip.textContent = texts.skip;
  cancel.textContent = texts.cancel;
  doc.documentElement.append(host);

  const ac = new AbortController();
  const signal = AbortSignal.any([ac.signal, d.signal]);
  const picked: Partial<Record<PickStep, Element>> = {};
  let step = 0;
  let current: Element | null = null;
  let busy = false;

  const stop = () => {
    ac.abort();
    host.remove();
  };
  signal.addEventListener('abort', () => host.remove());

  const describe = (el: Element) => {
    const cls = Array.from(el.classList)
      .slice(0, 3)
      .map((c) => `.${c}`)
      .join('');
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
    return `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}> ${text}`;
  };
  const show = () => {
    const s = STEPS[step]!;
    stepEl.textContent = `${texts.progress(step + 1, STEPS.length)} ${texts.steps[s]}`;
    skip.hidden = s !== 'send';
    if (!current) {
      box.style.display = 'none';
      what.textContent = '';
      return;
    }
    const r = current.getBoundingClientRect();
    Object.assign(box.style, {
      display: 'block',
      left: `${r.left}px`,
      top: `${r.top}px`,
      width: `${r.width}px`,
      height: `${r.height}px`,
    });
    what.textContent = describe(current);
  };
  const ours = (e: Event) => e.composedPath().includes(host);
  const targetOf = (e: Event) => {
    const t = e.composedPath()[0];
    return t instanceof Element ? t : null;
  };

  const finish = async () => {
    busy = true;
    const error = await d
      .done({
        list: picked.list!,
        customer: picked.customer!,
        agent: picked.agent!,
        compose: picked.compose!,
        ...(picked.send ? { send: picked.send } : {}),
      })
      .catch((e: unknown) => String(e));
    busy = false;
    if (!error) {
      stop();
      return;
    }
    // Start over with the error shown; the agent can pick again or cancel.
    err.textContent = error;
    step = 0;
    for (const k of STEPS) delete picked[k];
    show();
  };

  const choose = (el: Element | null) => {
    if (busy) return;
    const s = STEPS[step]!;
    if (s !== 'send' && !el) return;
    if ((s === 'customer' || s === 'agent') && el && !(picked.list?.contains(el) && picked.list !== el)) {
      err.textContent = texts.notInList;
      return;
    }
    err.textContent = '';
    if (el) picked[s] = el;
    step++;
    current = null;
    if (step >= STEPS.length) void finish();
    else show();
  };

  skip.addEventListener('click', () => choose(null), { signal });
  cancel.addEventListener(
    'click',
    () => {
      stop();
      d.cancelled();
    },
    { signal },
  );
  const opts = { capture: true, signal };
  doc.addEventListener(
    'mousemove',
    (e) => {
      // The bar keeps to the half of the screen away from the pointer, so it never hides a target.
      const bottom = e.clientY < (doc.defaultView?.innerHeight ?? 800) / 2;
      bar.classList.toggle('bar--bottom', bottom);
      current = ours(e)
        ? (doc.elementsFromPoint(e.clientX, e.clientY).find((el) => el !== host) ?? null)
        : targetOf(e);
      show();
    },
    opts,
  );
  // The page must not act on clicks meant for the picker (a click on "send" would send).
  for (const type of ['mousedown', 'mouseup', 'pointerdown', 'pointerup'] as const)
    doc.addEventListener(
      type,
      (e) => {
        if (ours(e)) return;
        e.preventDefault();
        e.stopImmediatePropagation();
      },
      opts,
    );
  doc.addEventListener(
    'click',
    (e) => {
      if (ours(e)) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      current = targetOf(e);
      choose(current);
    },
    opts,
  );
  doc.defaultView?.addEventListener(
    'keydown',
    (e) => {
      if (ours(e) && (e.key === 'Enter' || e.key === ' ' || e.key === 'Tab')) return; // our buttons
      let next: Element | null | undefined;
      switch (e.key) {
        case 'Escape':
          stop();
          d.cancelled();
          break;
        case 'ArrowUp':
          next =
            current?.parentElement && current.parentElement !== doc.documentElement
              ? current.parentElement
              : current;
          break;
        case 'ArrowDown':
          next = current ? (current.firstElementChild ?? current) : doc.body;
          break;
        case 'ArrowLeft':
          next = current?.previousElementSibling ?? current;
          break;
        case 'ArrowRight':
          next = current?.nextElementSibling ?? current;
          break;
        case 'Enter':
          choose(current);
          break;
        default:
          return;
      }
      e.preventDefault();
      e.stopImmediatePropagation();
      if (next !== undefined) {
        current = next;
        current?.scrollIntoView?.({ block: 'nearest' });
        show();
      }
    },
    opts,
  );
  show();
  return { stop };
}
