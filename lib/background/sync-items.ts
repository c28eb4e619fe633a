/**
 * What leaves the device: turns local analyses into sync items. Evidence is redacted here, from
 * the full utterance (so a card number split across the highlighted span is still caught), and
 * the transcript itself never goes. A warning the agent fixes by editing the turn produces a
 * `resolved` event, which cancels the lead's alert inside the self-correct window.
 */
import type { Analysis } from '../analysis/types';
import type { Emotion } from '../labels';
import type { Finding } from '../finding';
import { redactEvidence } from '../redact';
import type { ConversationMeta, FindingItem, ResolutionEvent } from '../sync/protocol';
import type { Utterance } from '../utterance';

export interface SyncInputs {
  /** The analyses just produced, with the analysis each replaced (an edited turn), if any. */
  analyses: readonly { analysis: Analysis; previous?: Analysis }[];
  /** The utterance text by (conversationId, seq), for redaction with full context. */
  utterance(conversationId: string, seq: number): Promise<Utterance | undefined>;
  agentId?: string;
  newId(ts: number): string;
  now: number;
}

/** Severities a lead may hear about; hints stay on the device unless a policy says otherwise. */
const SYNCED = new Set(['warning', 'critical', 'auto-fail']);

async function redactFinding(f: Finding, inputs: SyncInputs): Promise<Finding> {
  const evidence = await Promise.all(
    f.evidence.map(async (e) => {
      const u = await inputs.utterance(f.conversationId, e.seq);
      if (!u) return { ...e, text: '' }; // without context nothing is sent rather than raw text
      const r = redactEvidence(u.text, { start: e.start, end: e.end });
      return { seq: e.seq, start: r.start, end: r.end, text: r.text };
    }),
  );
  const out: Finding = { ...f, evidence };
  if (inputs.agentId !== undefined) out.agentId = inputs.agentId;
  return out;
}

export async function syncItems(
  inputs: SyncInputs,
): Promise<{ findings: FindingItem[]; events: ResolutionEvent[] }> {
  const findings: FindingItem[] = [];
  const events: ResolutionEvent[] = [];
  for (const { analysis, previous } of inputs.analyses) {
    for (const f of analysis.findings) {
      if (!SYNCED.has(f.severity)) continue;
      const item: FindingItem = { finding: await redactFinding(f, inputs) };
      const window = f.actions?.escalate?.selfCorrectSeconds;
      if (window !== undefined) item.escalateAfterMs = Math.round(window * 1000);
      findings.push(item);
    }
    // The agent edited a turn and the words a warning pointed at are gone: the agent fixed it.
    // (The engine reports only new hits for an edit, so a missing hit alone proves nothing.)
    if (!previous) continue;
    const current = await inputs.utterance(analysis.conversationId, analysis.seq);
    if (current?.speaker !== 'agent') continue;
    const done = new Set<string>();
    for (const f of previous.findings) {
      if (!f.ruleId || done.has(f.ruleId) || !SYNCED.has(f.severity)) continue;
      const own = f.evidence.filter((e) => e.seq === analysis.seq && e.text);
      if (own.length === 0 || own.some((e) => current.text.includes(e.text))) continue;
      done.add(f.ruleId);
      events.push({
        id: inputs.newId(inputs.now),
        type: 'resolved',
        conversationId: f.conversationId,
        ruleId: f.ruleId,
        ts: inputs.now,
      });
    }
  }
  return { findings, events };
}

const WORST: readonly Emotion[] = ['angry', 'frustrated', 'neutral', 'positive'];

/** Conversation metadata: channel, time span and the customer's emotion mix (counts only). */
export function conversationMeta(
  conversationId: string,
  turns: readonly Utterance[],
  analyses: readonly Analysis[],
  agentId?: string,
): ConversationMeta {
  const counts: Partial<Record<Emotion, number>> = {};
  const bySeq = new Map(analyses.map((a) => [a.seq, a]));
  for (const u of turns) {
    if (u.speaker !== 'customer') continue;
    const label = bySeq.get(u.seq)?.emotion?.label;
    if (label) counts[label] = (counts[label] ?? 0) + 1;
  }
  const worst = WORST.find((e) => (counts[e] ?? 0) > 0);
  const meta: ConversationMeta = {
    id: conversationId,
    channel: turns[0]?.channel ?? 'chat',
    startedAt: Math.min(...turns.map((u) => u.ts)),
    emotion: worst ? { counts, worst } : { counts },
  };
  if (agentId !== undefined) meta.agentId = agentId;
  return meta;
}
