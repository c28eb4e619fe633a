/**
 * The live transcript, virtualised: only the rows in view (plus a margin) are in the DOM, with
 * spacers standing in for the rest, so a 1,000-turn conversation scrolls smoothly. Rows are
 * memoised and subscribe to their own turn's signals: a new turn renders one row, a late emotion
 * label re-renders one row. Short conversations render every row (nothing to save).
 */
import type { ReadonlySignal } from '@preact/signals';
import { memo } from 'preact/compat';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useT } from './i18n';
import type { Mark, Turn } from './store';

/** Below this many turns every row is rendered. */
export const VIRTUALISE_FROM = 60;
const ESTIMATED_ROW_PX = 56;
const OVERSCAN_PX = 600;

interface Segment {
  text: string;
  mark?: Mark;
}

/**
 * Cuts text into plain and highlighted parts. Where marks overlap (a streak rule quoting the whole
 * turn, a phrase rule quoting two words of it) the narrowest wins, so the exact words stay visible.
 */
export function segments(text: string, marks: readonly Mark[]): Segment[] {
  const cuts = new Set<number>([0, text.length]);
  for (const m of marks) {
    cuts.add(Math.max(0, Math.min(m.start, text.length)));
    cuts.add(Math.max(0, Math.min(m.end, text.length)));
  }
  const at = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < at.length; i++) {
    const a = at[i]!;
    const b = at[i + 1]!;
    let best: Mark | undefined;
    for (const m of marks)
      if (m.start <= a && m.end >= b && (!best || m.end - m.start < best.end - best.start)) best = m;
    const prev = out[out.length - 1];
    if (prev && prev.mark === best) prev.text += text.slice(a, b);
    else out.push(best ? { text: text.slice(a, b), mark: best } : { text: text.slice(a, b) });
  }
  return out.length > 0 ? out : [{ text }];
}

const TurnRow = memo(function TurnRow({ turn }: { turn: Turn }) {
  const t = useT();
  const u = turn.utterance.value;
  const a = turn.analysis.value;
  const emotion = a?.emotion;
  const intent = a?.intent;
  const marks = turn.marks.value;
  return (
    <li
      class={`turn turn--${u.speaker}${emotion ? ` turn--${emotion.label}` : ''}`}
      data-testid="turn"
      data-key={turn.key}
      data-seq={u.seq}
      data-speaker={u.speaker}
      data-emotion={emotion?.label ?? ''}
    >
      <div class="turn__meta">
        <span class="turn__speaker">{t(`speaker_${u.speaker}`)}</span>
        {emotion ? (
          <span
            class={`badge badge--${emotion.label}`}
            data-testid="emotion"
            title={`${Math.round((emotion.probs[emotion.label] ?? 0) * 100)}%`}
          >
            {t(`emotion_${emotion.label}`)}
          </span>
        ) : u.speaker === 'system' ? null : (
          <span class="badge badge--pending">{t('emotion_pending')}</span>
        )}
        {intent && u.speaker !== 'system' ? (
          <span class="chip" data-testid="intent" data-intent={intent.label}>
            {t(`intent_${intent.label}`)}
          </span>
        ) : null}
      </div>
      <p class="turn__text" data-testid="turn-text">
        {segments(u.text, marks).map((s, i) =>
          s.mark ? (
            <mark
              // biome-ignore lint/suspicious/noArrayIndexKey: segments of one text have no other identity
              key={i}
              class={`hl hl--${s.mark.severity}`}
              data-testid="highlight"
              data-finding={s.mark.findingId}
            >
              {s.text}
            </mark>
          ) : (
            s.text
          ),
        )}
      </p>
    </li>
  );
});

/** Top of each row (`offsets[i]`) and the total height (`offsets[n]`), kept between renders. */
interface RowOffsets {
  list: readonly Turn[];
  offsets: number[];
  /** `offsets[0..valid)` are current; the rest is recomputed on the next read. */
  valid: number;
}

/**
 * Brings the row offsets up to date for `list`. Appending turns extends them (O(turns added));
 * a new measurement invalidates them from that row on, and only rows near the view are measured,
 * so following a long conversation never walks all of it.
 */
export function updateOffsets(
  cache: RowOffsets,
  list: readonly Turn[],
  heightOf: (turn: Turn) => number,
): number[] {
  const prev = cache.list;
  const appended =
    list === prev ||
    (list.length >= prev.length && (prev.length === 0 || list[prev.length - 1] === prev[prev.length - 1]));
  if (!appended) cache.valid = 1;
  cache.list = list;
  const off = cache.offsets;
  off.length = list.length + 1;
  off[0] = 0;
  for (let i = Math.max(1, Math.min(cache.valid, list.length + 1)) - 1; i < list.length; i++)
    off[i + 1] = off[i]! + heightOf(list[i]!);
  cache.valid = list.length + 1;
  return off;
}

/** First index `i` in `[lo, n)` with `off[i + shift] > y` (or `>=` when `inclusive`), else `n`. */
function search(off: readonly number[], n: number, lo: number, y: number, shift: 0 | 1, inclusive: boolean) {
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = off[mid + shift]!;
    if (inclusive ? v >= y : v > y) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function Transcript({ turns }: { turns: ReadonlySignal<Turn[]> }) {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const heights = useRef(new WeakMap<Turn, number>());
  const rows = useRef<RowOffsets>({ list: [], offsets: [0], valid: 1 });
  const stick = useRef(true);
  const [view, setView] = useState({ top: 0, height: 800 });
  const [, remeasured] = useState(0);
  const list = turns.value;
  const virtual = list.length >= VIRTUALISE_FROM;

  let first = 0;
  let last = list.length;
  let before = 0;
  let after = 0;
  if (virtual) {
    const h = heights.current;
    const off = updateOffsets(rows.current, list, (turn) => h.get(turn) ?? ESTIMATED_ROW_PX);
    const total = off[list.length]!;
    // Following the conversation: render the tail now rather than after the scroll event that
    // sticking to the bottom causes, so a new turn shows in this frame.
    const top = stick.current ? Math.max(0, total - view.height) : view.top;
    first = search(off, list.length, 0, top - OVERSCAN_PX, 1, true);
    last = search(off, list.length, first, top + view.height + OVERSCAN_PX, 0, false);
    before = off[first]!;
    after = total - off[last]!;
  }

  // Measuring and sticking to the bottom wait for the next frame: a burst of turns then costs one
  // layout per frame, done when the browser lays out anyway, instead of one forced layout per turn.
  const frame = useRef(0);
  const window_ = useRef({ first, last, list });
  window_.current = { first, last, list };
  useLayoutEffect(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = box.current;
      if (!el) return;
      const w = window_.current;
      if (w.list.length >= VIRTUALISE_FROM) {
        let from = -1;
        const index = new Map<string, number>();
        for (let i = w.first; i < w.last; i++) index.set(w.list[i]!.key, i);
        for (const row of el.querySelectorAll<HTMLElement>('[data-testid="turn"]')) {
          const i = index.get(row.dataset.key ?? '');
          if (i === undefined) continue;
          const turn = w.list[i]!;
          // Only rows not measured yet: a row's height does not change once it is laid out.
          if (heights.current.has(turn)) continue;
          const hgt = row.offsetHeight + 6; // + the list's row gap
          if (hgt > 6) {
            heights.current.set(turn, hgt);
            if (from < 0 || i < from) from = i;
          }
        }
        if (from >= 0) {
          rows.current.valid = Math.min(rows.current.valid, from + 1);
          remeasured((n) => n + 1);
        }
      }
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
  });
  useLayoutEffect(() => () => cancelAnimationFrame(frame.current), []);

  // Only the agent scrolling up stops following new turns. Scroll events we cause (sticking to
  // the bottom) or that layout causes (rows swapped for spacers when the list turns virtual) must
  // not: they left a 60-turn conversation frozen mid-way.
  const userInput = useRef(0);
  const onUserInput = () => {
    userInput.current = performance.now();
  };
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom) stick.current = true;
    else if (performance.now() - userInput.current < 1000) stick.current = false;
    // While following, the window is placed from the bottom and the scroll position is not read:
    // re-rendering for the scroll that sticking causes would render every new turn twice.
    const height = el.clientHeight || 800;
    if (virtual && (!stick.current || height !== view.height)) setView({ top: el.scrollTop, height });
  };

  return (
    <div class="card card--transcript">
      <h2 class="card__title" id="transcript-title">
        {t('transcript')}
      </h2>
      <section
        class="transcript__scroll"
        ref={box}
        onScroll={onScroll}
        onWheel={onUserInput}
        onPointerDown={onUserInput}
        onTouchStart={onUserInput}
        onKeyDown={onUserInput}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll area must be reachable by keyboard
        tabIndex={0}
        aria-labelledby="transcript-title"
      >
        <ol class="transcript" data-testid="transcript" data-virtual={virtual ? 'yes' : 'no'}>
          {before > 0 ? <li aria-hidden="true" class="spacer" style={{ height: `${before}px` }} /> : null}
          {list.slice(first, last).map((turn) => (
            <TurnRow key={turn.key} turn={turn} />
          ))}
          {after > 0 ? <li aria-hidden="true" class="spacer" style={{ height: `${after}px` }} /> : null}
        </ol>
      </section>
    </div>
  );
}
