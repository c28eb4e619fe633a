/**
 * Groups row-per-turn exports (JSONL, CSV) into conversations while streaming. Exports are
 * usually sorted by conversation, so a conversation is complete when its id stops appearing; a
 * bounded set of open conversations tolerates interleaving without holding the whole file.
 */
import type { Channel, Speaker } from '../labels';
import type { Utterance } from '../utterance';
import { problemItem, type ImportItem } from './types';

export interface Row {
  conversationId: string;
  seq?: number;
  speaker: Speaker;
  text: string;
  ts: number;
  channel: Channel;
  agentId?: string;
  line: number;
}

interface Open {
  id: string;
  agentId?: string;
  firstLine: number;
  rows: Row[];
}

export const MAX_OPEN_CONVERSATIONS = 256;
export const MAX_TURNS = 20_000;
export const MAX_CLOSED = 500_000;

export class RowGrouper {
  private readonly open = new Map<string, Open>();
  /**
   * Ids already emitted: a later row for one of them arrives too late to be analysed with it.
   * Two generations of at most MAX_CLOSED ids each keep memory bounded on any input size; a row
   * more than that many conversations late is no longer recognised as late.
   */
  private closed = new Set<string>();
  private closedBefore = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly source: string,
    private readonly maxOpen = MAX_OPEN_CONVERSATIONS,
    private readonly maxClosed = MAX_CLOSED,
  ) {}

  add(row: Row): ImportItem[] {
    const out: ImportItem[] = [];
    let conv = this.open.get(row.conversationId);
    if (!conv) {
      if (this.closed.has(row.conversationId) || this.closedBefore.has(row.conversationId)) {
        out.push(this.problem(row.line, 'conversation rows not together', row.conversationId));
        return out;
      }
      if (this.open.size >= this.maxOpen) {
        // Map iteration order is insertion order: the oldest open conversation is first.
        const oldest = this.open.values().next().value as Open;
        out.push(this.emit(oldest));
      }
      conv = { id: row.conversationId, firstLine: row.line, rows: [] };
      this.open.set(row.conversationId, conv);
    } else {
      // Re-insert so the map stays ordered by last use.
      this.open.delete(row.conversationId);
      this.open.set(row.conversationId, conv);
    }
    if (conv.rows.length >= MAX_TURNS) {
      out.push(this.problem(row.line, 'conversation too long', `more than ${MAX_TURNS} turns`));
      return out;
    }
    if (row.agentId && !conv.agentId) conv.agentId = row.agentId;
    conv.rows.push(row);
    return out;
  }

  finish(): ImportItem[] {
    const out = [...this.open.values()].map((c) => this.emit(c));
    this.open.clear();
    return out;
  }

  private problem(line: number, reason: string, detail?: string): ImportItem {
    return problemItem(this.file, line, reason, detail);
  }

  private emit(c: Open): ImportItem {
    this.open.delete(c.id);
    if (this.closed.size >= this.maxClosed) {
      this.closedBefore = this.closed;
      this.closed = new Set();
    }
    this.closed.add(c.id);
    const hasSeq = c.rows.every((r) => r.seq !== undefined);
    const bySeq = new Map<number, Utterance>();
    c.rows.forEach((r, i) => {
      const seq = hasSeq ? r.seq! : i;
      // A repeated seq is an edit: the later row replaces the earlier (Utterance contract).
      bySeq.set(seq, {
        conversationId: c.id,
        seq,
        speaker: r.speaker,
        text: r.text,
        ts: r.ts,
        channel: r.channel,
        source: this.source,
      });
    });
    const turns = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    return {
      kind: 'conversation',
      conversation: {
        id: c.id,
        ...(c.agentId ? { agentId: c.agentId } : {}),
        turns,
        origin: `${this.file}:${c.firstLine}`,
      },
    };
  }
}
