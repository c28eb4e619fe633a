/**
 * Analyses imported conversations exactly as the live path does: the AnalysisPipeline (models
 * first, then rules, per utterance, in order) with the live rule session, whose `finish()` settles
 * must-say and absence rules at the end. Findings get redacted evidence and a score.
 * Pure: the worker injects classifiers; tests run it directly to compare with the CLI.
 */
import { AnalysisPipeline, type TextClassifier } from '../analysis/pipeline';
import { type LiveRuleSession, ruleSession } from '../analysis/rule-sessions';
import type { Prediction } from '../analysis/types';
import type { Finding } from '../finding';
import type { Emotion, Speaker } from '../labels';
import { type RedactOptions, redact } from '../redact';
import type { CompiledRulebook } from '../rules';
import { type Scorecard, scoreConversation } from '../scoring';
import type { Utterance } from '../utterance';
import { stableIdFactory } from './stable-id';
import type { ImportedConversation } from './types';

export type EmotionCounts = Partial<Record<Emotion, number>>;

/** An example for the report: the redacted utterance with the evidence range on it. */
export interface EvidenceExample {
  ruleId: string;
  findingId: string;
  severity: Finding['severity'];
  title: string;
  seq: number;
  speaker: Speaker;
  /** Redacted utterance text, cut to a window around the evidence. */
  text: string;
  start: number;
  end: number;
}

export interface ConversationResult {
  id: string;
  agentId?: string;
  origin: string;
  channel: Utterance['channel'];
  turns: number;
  startedAt: number;
  endedAt: number;
  findings: Finding[];
  score: { total: number; passed: boolean; autoFailed: boolean; dimensions: Record<string, number> };
  emotions: { customer: EmotionCounts; agent: EmotionCounts };
  worstCustomerEmotion?: Emotion;
  examples: EvidenceExample[];
  /** Set when the engine could not analyse it: counted as skipped, no outputs. */
  error?: string;
}

export interface AnalyserDeps {
  books: readonly CompiledRulebook[];
  scorecard: Scorecard;
  emotion?: TextClassifier;
  intent?: TextClassifier;
  redact?: RedactOptions;
}

const EMOTION_RANK: Record<string, number> = { positive: 0, neutral: 1, frustrated: 2, angry: 3 };
const EXAMPLE_WINDOW = 160;

export async function analyseConversation(
  conv: ImportedConversation,
  deps: AnalyserDeps,
): Promise<ConversationResult> {
  let session: LiveRuleSession | undefined;
  const pipeline = new AnalysisPipeline({
    ...(deps.emotion ? { emotion: deps.emotion } : {}),
    ...(deps.intent ? { intent: deps.intent } : {}),
    rules: (cid) => {
      session = ruleSession(deps.books, cid, stableIdFactory(cid));
      return session;
    },
    now: () => 0,
  });
  const analyses = conv.turns.length > 0 ? await pipeline.analyse(conv.turns) : [];
  const raw: Finding[] = analyses.flatMap((a) => a.findings);
  if (session) raw.push(...session.finish());

  const emotions = { customer: {} as EmotionCounts, agent: {} as EmotionCounts };
  let worst: Emotion | undefined;
  analyses.forEach((a, i) => {
    const label = a.emotion?.label;
    const speaker = conv.turns[i]!.speaker;
    if (!label || speaker === 'system') return;
    const counts = emotions[speaker];
    counts[label] = (counts[label] ?? 0) + 1;
    if (speaker === 'customer' && (worst === undefined || EMOTION_RANK[label]! > EMOTION_RANK[worst]!))
      worst = label;
  });

  // Redact each utterance once, however many findings point into it.
  const bySeq = new Map(conv.turns.map((t) => [t.seq, t]));
  const redacted = new Map<number, ReturnType<typeof redact>>();
  const redactedTurn = (seq: number) => {
    let r = redacted.get(seq);
    if (!r) {
      r = redact(bySeq.get(seq)?.text ?? '', deps.redact);
      redacted.set(seq, r);
    }
    return r;
  };
  const examples: EvidenceExample[] = [];
  const seenRules = new Set<string>();
  const findings = raw.map((f) => {
    const evidence = f.evidence.map((e) => {
      const r = redactedTurn(e.seq);
      const start = r.map(e.start, 'start');
      const end = Math.max(start, r.map(e.end, 'end'));
      return { seq: e.seq, start, end, text: r.text.slice(start, end).slice(0, 2000) };
    });
    const out: Finding = { ...f, evidence, ...(conv.agentId ? { agentId: conv.agentId } : {}) };
    const first = evidence[0];
    if (first && f.ruleId && !seenRules.has(f.ruleId)) {
      seenRules.add(f.ruleId);
      const text = redactedTurn(first.seq).text;
      const from = Math.max(0, first.start - EXAMPLE_WINDOW);
      const to = Math.min(text.length, first.end + EXAMPLE_WINDOW);
      examples.push({
        ruleId: f.ruleId,
        findingId: f.id,
        severity: f.severity,
        title: f.names?.en ?? f.title ?? f.ruleId,
        seq: first.seq,
        speaker: bySeq.get(first.seq)?.speaker ?? 'customer',
        text: text.slice(from, to),
        start: first.start - from,
        end: first.end - from,
      });
    }
    return out;
  });

  const s = scoreConversation(findings, deps.scorecard);
  const first = conv.turns[0];
  const last = conv.turns[conv.turns.length - 1];
  return {
    id: conv.id,
    ...(conv.agentId ? { agentId: conv.agentId } : {}),
    origin: conv.origin,
    channel: first?.channel ?? 'chat',
    turns: conv.turns.length,
    startedAt: first?.ts ?? 0,
    endedAt: last?.ts ?? 0,
    findings,
    score: {
      total: s.total,
      passed: s.passed,
      autoFailed: s.autoFailed.length > 0,
      dimensions: Object.fromEntries(s.dimensions.map((d) => [d.dimensionId, d.score])),
    },
    emotions,
    ...(worst ? { worstCustomerEmotion: worst } : {}),
    examples,
  };
}

/**
 * A classifier that answers from a cache filled by `prefetch`, so one model call covers a whole
 * chunk of conversations (ORT is much faster per item in large batches) while the pipeline still
 * asks per conversation. Scripted agent lines repeat across conversations; the bounded cache
 * answers those without running the model again. Only valid for models that ignore the previous
 * turn (featuriser contextWeight 0), which the caller checks.
 */
export class PrefetchingClassifier implements TextClassifier {
  private readonly cache = new Map<string, Prediction>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: TextClassifier,
    private readonly maxEntries = 50_000,
    private readonly batchSize = 512,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  private static key(speaker: Speaker, text: string): string {
    return predictionKey(speaker, text);
  }

  async prefetch(turns: readonly Pick<Utterance, 'speaker' | 'text'>[]): Promise<void> {
    const todo = new Map<string, { text: string; speaker: Speaker }>();
    for (const t of turns) {
      const k = PrefetchingClassifier.key(t.speaker, t.text);
      if (this.cache.has(k)) this.hits++;
      else if (!todo.has(k)) todo.set(k, { text: t.text, speaker: t.speaker });
      else this.hits++;
    }
    const keys = [...todo.keys()];
    const inputs = [...todo.values()];
    this.misses += inputs.length;
    for (let i = 0; i < inputs.length; i += this.batchSize) {
      const preds = await this.inner.classify(inputs.slice(i, i + this.batchSize));
      for (let j = 0; j < preds.length; j++) this.put(keys[i + j]!, preds[j]!);
    }
  }

  private put(k: string, p: Prediction): void {
    if (this.cache.size >= this.maxEntries) {
      // Drop the oldest quarter at once: cheaper than per-entry LRU bookkeeping.
      let n = this.maxEntries >> 2;
      for (const old of this.cache.keys()) {
        this.cache.delete(old);
        if (--n === 0) break;
      }
    }
    this.cache.set(k, p);
  }

  async classify(batch: readonly { text: string; speaker: Speaker }[]): Promise<Prediction[]> {
    const out: Prediction[] = new Array(batch.length);
    const missing: number[] = [];
    batch.forEach((b, i) => {
      const p = this.cache.get(PrefetchingClassifier.key(b.speaker, b.text));
      if (p) out[i] = p;
      else missing.push(i);
    });
    if (missing.length > 0) {
      const preds = await this.inner.classify(missing.map((i) => batch[i]!));
      missing.forEach((i, j) => {
        out[i] = preds[j]!;
        this.put(PrefetchingClassifier.key(batch[i]!.speaker, batch[i]!.text), preds[j]!);
      });
    }
    return out;
  }
}

function predictionKey(speaker: Speaker, text: string): string {
  return `${speaker}\u0000${text}`;
}

/** The turns the models see in a chunk (the pipeline skips system lines), in a fixed order. */
export function modelInputs(
  conversations: readonly { turns: readonly Pick<Utterance, 'speaker' | 'text'>[] }[],
): { speaker: Speaker; text: string }[] {
  const out: { speaker: Speaker; text: string }[] = [];
  for (const c of conversations)
    for (const t of c.turns) if (t.speaker !== 'system') out.push({ speaker: t.speaker, text: t.text });
  return out;
}

/**
 * A classifier that answers from predictions made elsewhere — the run's one model thread — for
 * the turns of the chunk being analysed, so the analysis workers need no model runtime of their own.
 */
export class SuppliedClassifier implements TextClassifier {
  private readonly table = new Map<string, Prediction>();

  constructor(readonly name: string) {}

  /** Replaces the table with `predictions[i]` for `inputs[i]`. */
  supply(inputs: readonly { speaker: Speaker; text: string }[], predictions: readonly Prediction[]): void {
    if (inputs.length !== predictions.length)
      throw new Error(`${this.name}: ${predictions.length} predictions for ${inputs.length} turns`);
    this.table.clear();
    for (let i = 0; i < inputs.length; i++)
      this.table.set(predictionKey(inputs[i]!.speaker, inputs[i]!.text), predictions[i]!);
  }

  async classify(batch: readonly { text: string; speaker: Speaker }[]): Promise<Prediction[]> {
    return batch.map((b) => {
      const p = this.table.get(predictionKey(b.speaker, b.text));
      if (!p) throw new Error(`${this.name}: no prediction for a ${b.speaker} turn`);
      return p;
    });
  }
}
