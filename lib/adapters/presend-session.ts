/**
 * Pre-send checks in the context of the conversation so far: the analysis pipeline's rule
 * sessions are made here, so the draft is previewed against the same live rule state the sent
 * turns went through (a promise after the customer asked for one, a card number after a
 * verification step…), without changing that state. Pure: runs in the analysis worker and in Node.
 */
import type { RuleSession, Signals } from '../analysis/pipeline';
import { hitToPanelFinding } from '../analysis/rule-sessions';
import type { Channel } from '../labels';
import { type CompiledRulebook, type Conversation, checkDraft, createConversation } from '../rules';
import { type PresendMode, presendModeOf } from '../rules/schema';
import type { Utterance } from '../utterance';
import { type DraftHit, toDraftHits } from './presend';

/** Conversations remembered for draft checks; older ones are checked as fresh conversations. */
const MAX_LIVE = 500;

export class LiveDraftSessions {
  /** Insertion order is recency order (re-set on use): the first key is the least recent. */
  private readonly live = new Map<string, { convs: Conversation[]; channel: Channel }>();
  private readonly modes = new Map<string, PresendMode>();

  constructor(
    private readonly books: readonly CompiledRulebook[],
    private readonly newId: (ts: number) => string,
    private readonly maxLive = MAX_LIVE,
  ) {
    for (const b of books) for (const r of b.rules) this.modes.set(r.id, presendModeOf(r.source));
  }

  /** The pipeline's rule-session factory (the same shape as `ruleSessions`). */
  readonly sessions = (conversationId: string): RuleSession => {
    const convs = this.books.map((b) => createConversation(b, conversationId));
    const entry = { convs, channel: 'chat' as Channel };
    this.remember(conversationId, entry);
    return {
      push: (u: Utterance, signals: Signals) => {
        entry.channel = u.channel;
        this.remember(conversationId, entry);
        const turn = { seq: u.seq, speaker: u.speaker, text: u.text, ts: u.ts, channel: u.channel };
        return convs.flatMap((c) => c.push(turn, signals).map((h) => hitToPanelFinding(h, this.newId)));
      },
    };
  };

  /** The hits an agent's draft would cause if sent now as the next turn of `conversationId`. */
  check(text: string, conversationId?: string, now = Date.now()): DraftHit[] {
    const entry = conversationId ? this.live.get(conversationId) : undefined;
    const hits = this.books.flatMap((b, i) => {
      const conversation = entry?.convs[i];
      return checkDraft(b, text, {
        speaker: 'agent',
        ts: now,
        ...(conversation ? { conversation, channel: entry.channel } : {}),
      });
    });
    // Every rulebook's conversation sees the same turns, so they agree on the draft's seq.
    const seq = entry ? (entry.convs[0]?.lastSeq ?? -1) + 1 : 0;
    return toDraftHits(hits, { seq, modeOf: (id) => this.modes.get(id) });
  }

  /** Conversations currently remembered (for tests and the bound). */
  get size(): number {
    return this.live.size;
  }

  private remember(id: string, entry: { convs: Conversation[]; channel: Channel }): void {
    this.live.delete(id);
    this.live.set(id, entry);
    if (this.live.size > this.maxLive) {
      const oldest = this.live.keys().next().value;
      if (oldest !== undefined) this.live.delete(oldest);
    }
  }
}
