/**
 * The analysis worker's rule set, swappable while conversations are live (issue 9: rulebooks
 * published per team reach the device and are swapped in atomically).
 *
 * It is the pipeline's rule-session factory and the pre-send check in one (the same live rule
 * state serves both). `swap()` compiles the new rulebooks with `compileOrKeep`: a rulebook that
 * does not compile keeps its previous version running (or, if it is new, is left out), and the
 * reasons are returned for the log. The new set replaces the old one in one assignment.
 *
 * What happens to live conversations on a swap: each conversation keeps its engine state for
 * every rulebook whose content did not change (counters, must-say progress, sequences stay as
 * they were); a rulebook that changed or is new starts fresh for that conversation from its next
 * turn (its earlier turns are not replayed, so nothing fires twice for them); a rulebook no
 * longer in the set stops. Turns are never dropped. Pure: runs in the worker and in Node.
 */
import { toDraftHits, type DraftHit } from '../adapters/presend';
import type { Channel } from '../labels';
import {
  type CompiledRulebook,
  type Conversation,
  checkDraft,
  compileOrKeep,
  createConversation,
} from '../rules';
import { type PresendMode, presendModeOf } from '../rules/schema';
import type { Utterance } from '../utterance';
import type { RuleSession, Signals } from './pipeline';
import { hitToPanelFinding } from './rule-sessions';

/** Conversations remembered for draft checks; older ones are checked as fresh conversations. */
const MAX_LIVE = 500;

/** Where the running rulebooks came from: shipped in the extension, or the team's published set. */
export type RuleSource = 'bundled' | 'team';

interface Book {
  compiled: CompiledRulebook;
  /** The JSON it was compiled from, to tell an unchanged rulebook from a changed one. */
  json: string;
}

interface Live {
  id: string;
  /** Engine state per rulebook, keyed by the compiled rulebook it was created for. */
  convs: Map<CompiledRulebook, Conversation>;
  channel: Channel;
  /** The rule-set generation `convs` matches. */
  gen: number;
  /** The last turn pushed, so a rulebook started mid-conversation agrees on the draft's seq. */
  lastSeq: number;
}

export interface SwapResult {
  /** False when nothing in the new set compiled and the previous set stays as it was. */
  applied: boolean;
  source: RuleSource;
  /** `id@version` of every rulebook running after the swap. */
  versions: string[];
  /** `rulebook: $.path: message` for each rulebook that did not compile (its previous version kept). */
  errors: string[];
}

/** The rulebooks of a team document body: one rulebook, or a list of them. */
export function rulebooksOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && Array.isArray((body as { rulebooks?: unknown }).rulebooks))
    return (body as { rulebooks: unknown[] }).rulebooks;
  return [body];
}

/** A rulebook document is accepted only when every rulebook in it compiles (checkDocument's validator). */
export function validateRulebookDocument(body: unknown): { ok: true } | { ok: false; reason: string } {
  const books = rulebooksOf(body);
  if (books.length === 0) return { ok: false, reason: 'the document holds no rulebook' };
  for (const [i, json] of books.entries()) {
    const r = compileOrKeep(undefined, json);
    if (r.errors.length > 0) {
      const e = r.errors[0]!;
      return { ok: false, reason: `rulebook ${i + 1}: ${e.path}: ${e.message}` };
    }
  }
  return { ok: true };
}

function idOf(json: unknown): string | undefined {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

export class LiveRuleSet {
  private books: Book[] = [];
  private modes = new Map<string, PresendMode>();
  private gen = 0;
  private src: RuleSource = 'bundled';
  /** Insertion order is recency order (re-set on use): the first key is the least recent. */
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly newId: (ts: number) => string,
    private readonly maxLive = MAX_LIVE,
  ) {}

  get source(): RuleSource {
    return this.src;
  }

  get compiled(): CompiledRulebook[] {
    return this.books.map((b) => b.compiled);
  }

  get versions(): string[] {
    return this.books.map((b) => `${b.compiled.id}@${b.compiled.version}`);
  }

  /** Conversations currently remembered (for tests and the bound). */
  get size(): number {
    return this.live.size;
  }

  /**
   * Replaces the running rulebooks with `rulebooks` (JSON, as shipped or published). Each one is
   * compiled with `compileOrKeep` against the running rulebook of the same id; one that is
   * byte-for-byte unchanged keeps its compiled form, so live conversations keep their state for it.
   */
  swap(rulebooks: readonly unknown[], source: RuleSource, names?: readonly string[]): SwapResult {
    const errors: string[] = [];
    const next: Book[] = [];
    const previous = new Map(this.books.map((b) => [b.compiled.id, b]));
    rulebooks.forEach((json, i) => {
      const name = names?.[i] ?? idOf(json) ?? `rulebook ${i + 1}`;
      const text = JSON.stringify(json);
      const prev = previous.get(idOf(json) ?? '');
      if (prev && prev.json === text) {
        next.push(prev);
        return;
      }
      const r = compileOrKeep(prev?.compiled, json);
      for (const e of r.errors) errors.push(`${name}: ${e.path}: ${e.message}`);
      if (r.errors.length === 0 && r.compiled) next.push({ compiled: r.compiled, json: text });
      else if (prev) next.push(prev);
    });
    // Two documents with the same rulebook id: the later one wins, as a later version would.
    const byId = new Map(next.map((b) => [b.compiled.id, b]));
    const books = [...byId.values()];
    if (books.length === 0 && this.books.length > 0) {
      return { applied: false, source: this.src, versions: this.versions, errors };
    }
    this.books = books;
    this.src = source;
    this.modes = new Map();
    for (const b of books) for (const r of b.compiled.rules) this.modes.set(r.id, presendModeOf(r.source));
    this.gen++;
    return { applied: true, source, versions: this.versions, errors };
  }

  /** The pipeline's rule-session factory (the same shape as `ruleSessions`). */
  readonly sessions = (conversationId: string): RuleSession => {
    const entry = this.entry(conversationId);
    return {
      push: (u: Utterance, signals: Signals) => {
        this.sync(entry);
        entry.channel = u.channel;
        entry.lastSeq = Math.max(entry.lastSeq, u.seq);
        this.remember(conversationId, entry);
        const turn = { seq: u.seq, speaker: u.speaker, text: u.text, ts: u.ts, channel: u.channel };
        const out = [];
        for (const b of this.books) {
          const conv = entry.convs.get(b.compiled)!;
          for (const h of conv.push(turn, signals)) out.push(hitToPanelFinding(h, this.newId));
        }
        return out;
      },
    };
  };

  /** The hits an agent's draft would cause if sent now as the next turn of `conversationId`. */
  check(text: string, conversationId?: string, now = Date.now()): DraftHit[] {
    const entry = conversationId ? this.live.get(conversationId) : undefined;
    if (entry) this.sync(entry);
    const hits = this.books.flatMap((b) => {
      const conversation = entry?.convs.get(b.compiled);
      return checkDraft(b.compiled, text, {
        speaker: 'agent',
        ts: now,
        ...(conversation && entry ? { conversation, channel: entry.channel } : {}),
      });
    });
    const seq = entry ? entry.lastSeq + 1 : 0;
    return toDraftHits(hits, { seq, modeOf: (id) => this.modes.get(id) });
  }

  private entry(conversationId: string): Live {
    const existing = this.live.get(conversationId);
    if (existing) return existing;
    const entry: Live = { id: conversationId, convs: new Map(), channel: 'chat', gen: -1, lastSeq: -1 };
    this.sync(entry);
    this.remember(conversationId, entry);
    return entry;
  }

  /** Brings a conversation's engine state to the current rule set (see the header comment). */
  private sync(entry: Live): void {
    if (entry.gen === this.gen) return;
    const convs = new Map<CompiledRulebook, Conversation>();
    for (const b of this.books) {
      convs.set(b.compiled, entry.convs.get(b.compiled) ?? createConversation(b.compiled, entry.id));
    }
    entry.convs = convs;
    entry.gen = this.gen;
  }

  private remember(id: string, entry: Live): void {
    this.live.delete(id);
    this.live.set(id, entry);
    if (this.live.size > this.maxLive) {
      const oldest = this.live.keys().next().value;
      if (oldest !== undefined) this.live.delete(oldest);
    }
  }
}
