/**
 * Shadow testing (issue 4): run a rulebook over stored conversations and compare it with another
 * version before publishing. Pure: the CLI (scripts/rules-test.ts) does the file reading and printing.
 */
import { z } from 'zod';
import { Emotion, Intent } from '../labels';
import { Utterance } from '../utterance';
import { createConversation } from './conversation';
import type { CompiledRulebook, Hit, Signals } from './types';

/** One JSONL line: an Utterance plus the optional model and audio signals stored with it. */
export const TranscriptLine = Utterance.extend({
  emotion: Emotion.optional(),
  intent: Intent.optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});
export type TranscriptLine = z.infer<typeof TranscriptLine>;

export interface StoredConversation {
  id: string;
  turns: TranscriptLine[];
}

export interface ParseProblem {
  line: number;
  message: string;
}

/** Parses JSONL, groups by conversation and orders turns by seq; bad lines are reported, not fatal. */
export function parseTranscripts(jsonl: string): {
  conversations: StoredConversation[];
  problems: ParseProblem[];
} {
  const byId = new Map<string, TranscriptLine[]>();
  const problems: ParseProblem[] = [];
  jsonl.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      problems.push({ line: i + 1, message: 'not JSON' });
      return;
    }
    const r = TranscriptLine.safeParse(json);
    if (!r.success) {
      problems.push({
        line: i + 1,
        message: r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '),
      });
      return;
    }
    const list = byId.get(r.data.conversationId) ?? [];
    list.push(r.data);
    byId.set(r.data.conversationId, list);
  });
  const conversations = [...byId].map(([id, turns]) => ({ id, turns: turns.sort((a, b) => a.seq - b.seq) }));
  return { conversations, problems };
}

function signalsOf(t: TranscriptLine): Signals {
  const s: Signals = {};
  if (t.emotion) s.emotion = { label: t.emotion };
  if (t.intent) s.intent = { label: t.intent };
  if (t.metrics) s.metrics = t.metrics;
  return s;
}

export interface RuleStats {
  ruleId: string;
  hits: number;
  /** Conversations it fired on, in input order. */
  conversations: string[];
  examples: { conversationId: string; hit: Hit; turn: TranscriptLine | undefined }[];
}

export interface ShadowReport {
  rulebook: { id: string; version: string };
  conversations: number;
  turns: number;
  rules: RuleStats[];
}

export function runShadow(
  compiled: CompiledRulebook,
  conversations: StoredConversation[],
  maxExamples = 3,
): ShadowReport {
  const stats = new Map<string, RuleStats>(
    compiled.rules.map((r) => [r.id, { ruleId: r.id, hits: 0, conversations: [], examples: [] }]),
  );
  let turns = 0;
  for (const conv of conversations) {
    const engine = createConversation(compiled, conv.id);
    const hits: Hit[] = [];
    for (const t of conv.turns) hits.push(...engine.push(t, signalsOf(t)));
    hits.push(...engine.finish());
    turns += conv.turns.length;
    for (const hit of hits) {
      const s = stats.get(hit.ruleId)!;
      s.hits++;
      if (s.conversations[s.conversations.length - 1] !== conv.id) s.conversations.push(conv.id);
      if (s.examples.length < maxExamples && !s.examples.some((e) => e.conversationId === conv.id)) {
        const seq = hit.evidence[0]?.seq ?? hit.seq;
        s.examples.push({ conversationId: conv.id, hit, turn: conv.turns.find((t) => t.seq === seq) });
      }
    }
  }
  return {
    rulebook: { id: compiled.id, version: compiled.version },
    conversations: conversations.length,
    turns,
    rules: [...stats.values()],
  };
}

export interface RuleDiff {
  ruleId: string;
  status: 'added' | 'removed' | 'changed' | 'same';
  before: number;
  after: number;
  /** Conversations that fire only in the new / only in the old version. */
  gained: string[];
  lost: string[];
}

/** Per rule, which conversations the new version fires on that the old one did not, and back. */
export function diffShadow(next: ShadowReport, prev: ShadowReport): RuleDiff[] {
  const old = new Map(prev.rules.map((r) => [r.ruleId, r]));
  const out: RuleDiff[] = [];
  for (const r of next.rules) {
    const o = old.get(r.ruleId);
    const before = new Set(o?.conversations ?? []);
    const after = new Set(r.conversations);
    const gained = r.conversations.filter((c) => !before.has(c));
    const lost = (o?.conversations ?? []).filter((c) => !after.has(c));
    const status = !o ? 'added' : gained.length + lost.length > 0 ? 'changed' : 'same';
    out.push({ ruleId: r.ruleId, status, before: before.size, after: after.size, gained, lost });
  }
  const current = new Set(next.rules.map((r) => r.ruleId));
  for (const o of prev.rules)
    if (!current.has(o.ruleId))
      out.push({
        ruleId: o.ruleId,
        status: 'removed',
        before: o.conversations.length,
        after: 0,
        gained: [],
        lost: o.conversations,
      });
  return out;
}

/** The turn text with each evidence span wrapped by `open`/`close` (e.g. ANSI colours or brackets). */
export function highlight(
  text: string,
  spans: { start: number; end: number }[],
  open: string,
  close: string,
): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) continue; // overlapping evidence: the first span wins
    out += text.slice(at, s.start) + open + text.slice(s.start, s.end) + close;
    at = s.end;
  }
  return out + text.slice(at);
}
