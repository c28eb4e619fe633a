/**
 * "Send anyway" as a finding that reaches the QA endpoint. When the agent overrides the pre-send
 * warning the draft is not a turn yet; the finding waits for the agent turn it becomes, takes that
 * turn's seq and finds its evidence in that turn's text, and then goes through the normal
 * findings → outbox → endpoint path, where evidence is redacted from the stored turn like any
 * other finding's. A draft that never shows up in the log (the host dropped it) still reports the
 * override, without evidence text, after `WAIT_MS`.
 */
import { z } from 'zod';
import { Finding, type Localized } from '../finding';
import type { Utterance } from '../utterance';
import type { DraftHit } from './presend';

/** Category of the finding: the side panel lists these apart from turn findings. */
export const SENT_ANYWAY = 'presend-override';

/** How long a sent-anyway finding waits for its turn to appear in the log. */
export const WAIT_MS = 120_000;
/** Overrides waiting at once; a flood (a stuck key) cannot grow memory without bound. */
const MAX_PENDING = 100;

export function sentAnywayFinding(opts: {
  id: string;
  conversationId: string;
  draft: string;
  hits: readonly DraftHit[];
  lang: keyof Localized;
  ts: number;
}): Finding {
  const top = opts.hits[0];
  if (!top) throw new Error('a sent-anyway finding needs the hits the agent overrode');
  return {
    id: opts.id,
    conversationId: opts.conversationId,
    ruleId: top.ruleId,
    kind: 'violation',
    severity: top.severity,
    title: top.names[opts.lang],
    names: top.names,
    category: SENT_ANYWAY,
    // seq 0 until the sent turn is known; the spans point into the draft meanwhile.
    evidence: opts.hits.flatMap((h) => h.evidence.map((e) => ({ seq: 0, ...e }))).slice(0, 50),
    scores: {},
    ts: opts.ts,
  };
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** One override waiting for its turn; kept as data so it can outlive the service worker. */
export const PendingOverride = z.object({
  finding: Finding,
  draft: z.string().max(5000),
  at: z.number(),
});
export type PendingOverride = z.infer<typeof PendingOverride>;

export class SentAnywayQueue {
  private pending: PendingOverride[];

  constructor(items: readonly PendingOverride[] = []) {
    this.pending = items.slice(-MAX_PENDING);
  }

  /** What is waiting, to persist (`new SentAnywayQueue(items)` restores it). */
  get items(): readonly PendingOverride[] {
    return this.pending;
  }

  add(finding: Finding, draft: string, now: number): void {
    this.pending.push({ finding, draft: squash(draft).slice(0, 5000), at: now });
    if (this.pending.length > MAX_PENDING) this.pending.shift();
  }

  get size(): number {
    return this.pending.length;
  }

  /**
   * Findings whose draft arrived as an agent turn among `us`, re-anchored on that turn, plus
   * findings that waited longer than `WAIT_MS` (then without evidence: the text they pointed at
   * is not in any stored turn, so nothing of it may leave the device).
   */
  take(us: readonly Utterance[], now: number): Finding[] {
    const out: Finding[] = [];
    this.pending = this.pending.filter((p) => {
      const turn = us.find(
        (u) =>
          u.speaker === 'agent' &&
          u.conversationId === p.finding.conversationId &&
          (squash(u.text) === p.draft ||
            (p.finding.evidence.length > 0 && p.finding.evidence.every((e) => u.text.includes(e.text)))),
      );
      if (turn) {
        out.push(anchor(p.finding, turn));
        return false;
      }
      if (now - p.at > WAIT_MS) {
        out.push({ ...p.finding, evidence: [] });
        return false;
      }
      return true;
    });
    return out;
  }
}

/** Where the waiting overrides are kept between service-worker lives (storage.session in the extension). */
export interface OverrideStore {
  load(): Promise<unknown>;
  save(items: readonly PendingOverride[]): Promise<void>;
}

/**
 * The queue, kept in a store that outlives the service worker: an override made just before the
 * worker is stopped still becomes its finding when the sent turn arrives in the next worker.
 * Loaded once per worker life, saved after every change; calls run one at a time.
 */
export class StoredSentAnyway {
  private queue: SentAnywayQueue | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: OverrideStore) {}

  add(finding: Finding, draft: string, now: number): Promise<void> {
    return this.run(async (q) => {
      q.add(finding, draft, now);
      await this.store.save(q.items);
    });
  }

  take(us: readonly Utterance[], now: number): Promise<Finding[]> {
    return this.run(async (q) => {
      if (q.size === 0) return [];
      const due = q.take(us, now);
      if (due.length > 0) await this.store.save(q.items);
      return due;
    });
  }

  private run<T>(fn: (q: SentAnywayQueue) => Promise<T>): Promise<T> {
    const next = this.chain.then(async () => fn(await this.loaded()));
    this.chain = next.catch(() => {});
    return next;
  }

  private async loaded(): Promise<SentAnywayQueue> {
    if (this.queue) return this.queue;
    // Whatever is unreadable (an older format, a damaged entry) is dropped, never thrown.
    const raw = await this.store.load().catch(() => undefined);
    const items = Array.isArray(raw)
      ? raw.flatMap((x) => {
          const r = PendingOverride.safeParse(x);
          return r.success ? [r.data] : [];
        })
      : [];
    this.queue = new SentAnywayQueue(items);
    return this.queue;
  }
}

/** The evidence re-found in the sent turn's own text (hosts may trim or reflow the draft). */
function anchor(f: Finding, turn: Utterance): Finding {
  const evidence = f.evidence.flatMap((e) => {
    const at = turn.text.slice(e.start, e.end) === e.text ? e.start : turn.text.indexOf(e.text);
    return at < 0 || !e.text ? [] : [{ seq: turn.seq, start: at, end: at + e.text.length, text: e.text }];
  });
  return { ...f, evidence };
}

/** A store that lives as long as the process (tests, and builds without session storage). */
export function memoryOverrideStore(): OverrideStore {
  let kept: readonly PendingOverride[] = [];
  return {
    load: async () => kept,
    save: async (items) => {
      kept = [...items];
    },
  };
}
