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
}

export class AnalysisPipeline {
  private readonly sessions = new Map<string, RuleSession>();
  private readonly lastText = new Map<string, string>();

  constructor(private readonly deps: PipelineDeps) {}

  /** The last result per turn, so a turn delivered twice gets the same answer, findings included. */
  private readonly done = new Map<string, { speaker: string; text: string; analysis: Analysis }>();

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
        this.done.set(`${u.conversationId}#${u.seq}`, { speaker: u.speaker, text: u.text, analysis: a });
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
      this.lastText.set(u.conversationId, u.text);
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
    let s = this.sessions.get(conversationId);
    if (!s) {
      s = this.deps.rules(conversationId);
      this.sessions.set(conversationId, s);
    }
    return s;
  }
}
