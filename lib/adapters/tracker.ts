/**
 * Turns what the reader sees into utterances: each message gets a `seq` the first time it is
 * seen in its conversation; seeing it again with the same text emits nothing, with new text it
 * emits an edit (same seq). Conversation switches re-render the log; keys keep them apart.
 */
import type { Channel } from '../labels';
import type { Utterance } from '../utterance';
import type { ReadItem } from './reader';

interface Seen {
  seq: number;
  text: string;
}

/**
 * Conversations remembered at once. An agent works a handful at a time; a desk left open for
 * weeks must not grow without bound. A conversation evicted and opened again is read afresh: its
 * turns get seqs in page order again, and the background stores them as the same turns (by their
 * message key where the console shows one, else by seq).
 */
export const MAX_CONVERSATIONS = 100;

export class ConversationTracker {
  /** Insertion order is recency order (re-set on use): the first key is the least recent. */
  private readonly conversations = new Map<string, { next: number; byKey: Map<string, Seen> }>();

  constructor(
    private readonly source: string,
    private readonly channel: Channel,
    private readonly maxConversations = MAX_CONVERSATIONS,
  ) {}

  /** Items of one conversation, in page order; returns the new and edited utterances. */
  observe(conversationId: string, items: readonly ReadItem[], now: number): Utterance[] {
    let conv = this.conversations.get(conversationId);
    if (conv) {
      if (this.conversations.size > 1) {
        this.conversations.delete(conversationId);
        this.conversations.set(conversationId, conv);
      }
    } else {
      conv = { next: 0, byKey: new Map() };
      this.conversations.set(conversationId, conv);
      if (this.conversations.size > this.maxConversations) {
        const oldest = this.conversations.keys().next().value;
        if (oldest !== undefined) this.conversations.delete(oldest);
      }
    }
    const out: Utterance[] = [];
    for (const item of items) {
      if (!item.text) continue; // images and typing indicators carry no text
      const seen = conv.byKey.get(item.key);
      if (seen && seen.text === item.text) continue;
      const seq = seen ? seen.seq : conv.next++;
      conv.byKey.set(item.key, { seq, text: item.text });
      const u: Utterance = {
        conversationId,
        seq,
        speaker: item.speaker,
        text: item.text,
        ts: now,
        channel: this.channel,
        source: this.source,
      };
      // The store keeps a keyed turn where it first was (see Utterance.key); over 200 characters
      // an id is not one the store can index, and the turn goes by its seq alone.
      if (item.keyed && item.key.length <= 200) u.key = item.key;
      out.push(u);
    }
    return out;
  }

  /** Has this conversation's message `key` been seen with this text already? */
  knows(conversationId: string, key: string, text: string): boolean {
    return this.conversations.get(conversationId)?.byKey.get(key)?.text === text;
  }

  conversationIds(): string[] {
    return [...this.conversations.keys()];
  }
}
