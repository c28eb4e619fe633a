/**
 * "Send anyway" as a finding that reaches the QA endpoint. When the agent overrides the pre-send
 * warning the draft is not a turn yet; the finding waits for the agent turn it becomes, takes that
 * turn's seq and finds its evidence in that turn's text, and then goes through the normal
 * findings → outbox → endpoint path, where evidence is redacted from the stored turn like any
 * other finding's. A draft that never shows up in the log (the host dropped it) still reports the
 * override, without evidence text, after `WAIT_MS`.
 */
import type { Localized } from '../finding';
import type { Finding } from '../finding';
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

interface Pending {
  finding: Finding;
  draft: string;
  at: number;
}

export class SentAnywayQueue {
  private pending: Pending[] = [];

  add(finding: Finding, draft: string, now: number): void {
    this.pending.push({ finding, draft: squash(draft), at: now });
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

/** The evidence re-found in the sent turn's own text (hosts may trim or reflow the draft). */
function anchor(f: Finding, turn: Utterance): Finding {
  const evidence = f.evidence.flatMap((e) => {
    const at = turn.text.slice(e.start, e.end) === e.text ? e.start : turn.text.indexOf(e.text);
    return at < 0 || !e.text ? [] : [{ seq: turn.seq, start: at, end: at + e.text.length, text: e.text }];
  });
  return { ...f, evidence };
}
