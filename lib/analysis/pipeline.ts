/**
 * The analysis pipeline run by the analysis worker: models first (so rules can condition on
 * emotion and intent), then the rule engine, per utterance, in order. Pure: the worker injects
 * the classifiers and the rule engine, tests inject their own.
 */
import type { Finding } from '../finding';
import type { Speaker } from '../labels';
import type { Utterance } from '../utterance';
import type { Analysis, Prediction } from './types';

export interface ClassifierInput {
  text: string;
  speaker: Speaker;
  /** The previous turn's text, for models that use context. */
  context?: string;
}

export interface TextClassifier {
  readonly name: string;
  classify(batch: readonly ClassifierInput[]): Promise<Prediction[]>;
}

export interface Signals {
  emotion?: Prediction;
  intent?: Prediction;
}

/** One conversation's rule state; created lazily per conversation id. */
export interface RuleSession {
  push(u: Utterance, signals: Signals): Finding[];
}

export interface PipelineDeps {
  emotion?: TextClassifier;
  intent?: TextClassifier;
  rules?: (conversationId: string) => RuleSession;
  now?: () => number;
  /** Bounds of what the pipeline remembers (tests make them small). */
  limits?: { conversations?: number; turns?: number };
}

/**
 * Conversations whose rule session and last text the pipeline keeps. The worker's rule set keeps
 * its own engine state for as many (LiveRuleSet), which a session made again finds there.
 */
const MAX_CONVERSATIONS = 500;
/**
 * Turns whose analysis is kept for a resend. A resend is a batch the service worker posted and
 * did not get the answer to before it stopped: the last few batches, not a day's turns.
 */
const MAX_TURNS = 5_000;

/** Sets `key` as the most recent entry of `m`, dropping the least recent beyond `max`. */
function touch<V>(m: Map<string, V>, key: string, value: V, max: number): void {
  m.delete(key);
  m.set(key, value);
  while (m.size > max) {
    const oldest = m.keys().next().value;
    if (oldest === undefined) break;
    m.delete(oldest);
  }
}

export class AnalysisPipeline {
  private readonly sessions = new Map<string, RuleSession>();
  private readonly lastText = new Map<string, string>();
  private readonly maxConversations: number;
  private readonly maxTurns: number;

  constructor(private readonly deps: PipelineDeps) {
    this.maxConversations = Math.max(1, deps.limits?.conversations ?? MAX_CONVERSATIONS);
    this.maxTurns = Math.max(1, deps.limits?.turns ?? MAX_TURNS);
  }

  /**
   * The last result of the most recent turns, so a turn delivered twice gets the same answer,
   * findings included. Bounded (MAX_TURNS): a worker that runs all day must not keep every turn.
   */
  private readonly done = new Map<string, { speaker: string; text: string; analysis: Analysis }>();

  /** What the pipeline remembers now (for tests and diagnostics). */
  get remembered(): { conversations: number; turns: number } {
    return { conversations: Math.max(this.sessions.size, this.lastText.size), turns: this.done.size };
  }

  /**
   * Analyses a batch. A turn seen before with the same text (a resend after a service-worker
   * restart) returns its earlier analysis: the rule engine fires once per evidence, so analysing
   * it again would answer "no findings" and overwrite the real ones.
   */
  async analyse(us: readonly Utterance[]): Promise<Analysis[]> {
    const out: (Analysis | undefined)[] = us.map((u) => {
      const d = this.done.get(`${u.conversationId}#${u.seq}`);
      return d && d.text === u.text && d.speaker === u.speaker ? d.analysis : undefined;
    });
    const fresh = us.filter((_, i) => !out[i]);
    if (fresh.length > 0) {
      const results = await this.analyseFresh(fresh);
      let k = 0;
      for (let i = 0; i < us.length; i++) {
        if (out[i]) continue;
        const a = results[k++]!;
        const u = us[i]!;
        out[i] = a;
        touch(
          this.done,
          `${u.conversationId}#${u.seq}`,
          { speaker: u.speaker, text: u.text, analysis: a },
          this.maxTurns,
        );
      }
    }
    return out as Analysis[];
  }

  /** One model call per model for the whole burst, then the rules turn by turn. */
  private async analyseFresh(us: readonly Utterance[]): Promise<Analysis[]> {
    const now = this.deps.now ?? (() => performance.now());
    const t0 = now();
    const inputs = us.map((u) => {
      const context = this.lastText.get(u.conversationId);
      touch(this.lastText, u.conversationId, u.text, this.maxConversations);
      return context === undefined
        ? { text: u.text, speaker: u.speaker }
        : { text: u.text, speaker: u.speaker, context };
    });
    // System lines ("chat assigned to …") are nobody's emotion or intent: skip the models.
    const spoken = us.flatMap((u, i) => (u.speaker === 'system' ? [] : [i]));
    const spokenInputs = spoken.map((i) => inputs[i]!);
    const [emotionOut, intentOut] = await Promise.all([
      spoken.length ? this.deps.emotion?.classify(spokenInputs) : undefined,
      spoken.length ? this.deps.intent?.classify(spokenInputs) : undefined,
    ]);
    const emotions: (Prediction | undefined)[] = [];
    const intents: (Prediction | undefined)[] = [];
    spoken.forEach((i, k) => {
      emotions[i] = emotionOut?.[k];
      intents[i] = intentOut?.[k];
    });
    const perItem = (now() - t0) / Math.max(1, us.length);
    return us.map((u, i) => {
      const emotion = emotions[i];
      const intent = intents[i];
      const signals: Signals = {};
      if (emotion) signals.emotion = emotion;
      if (intent) signals.intent = intent;
      const t1 = now();
      const findings = this.session(u.conversationId)?.push(u, signals) ?? [];
      const analysis = {
        conversationId: u.conversationId,
        seq: u.seq,
        findings,
        workerMs: perItem + (now() - t1),
      } as Analysis;
      if (emotion) analysis.emotion = emotion as Analysis['emotion'];
      if (intent) analysis.intent = intent as Analysis['intent'];
      return analysis;
    });
  }

  private session(conversationId: string): RuleSession | undefined {
    if (!this.deps.rules) return undefined;
    const s = this.sessions.get(conversationId) ?? this.deps.rules(conversationId);
    touch(this.sessions, conversationId, s, this.maxConversations);
    return s;
  }
}
