/** Shapes shared by the rule compiler, the evaluator and their callers. */
import type { FindingKind, Severity } from '../finding';
import type { Channel, Emotion, Intent, Speaker } from '../labels';
import type { Automaton } from './automaton';
import type { Actions, Category, LocalizedText, Rule, SpeakerScope } from './schema';

/** What the models and the audio worker said about one utterance; all optional. */
export interface Signals {
  emotion?: { label: Emotion | string; probs?: Record<string, number> };
  intent?: { label: Intent | string; probs?: Record<string, number> };
  /** Audio metrics by name: silenceMs, overtalkMs, speechRateCpm, speechRateWpm, loudnessDb… */
  metrics?: Record<string, number>;
}

/** A span of one utterance in ORIGINAL text offsets (what the user saw). */
export interface Span {
  seq: number;
  start: number;
  end: number;
}

export interface HitEvidence extends Span {
  /** The original characters, for highlighting and `{match}`; at most 200 characters. */
  text: string;
}

export interface Hit {
  ruleId: string;
  rulebookId: string;
  rulebookVersion: string;
  name: LocalizedText;
  category: Category;
  severity: Severity;
  kind: FindingKind;
  conversationId: string;
  /** The turn after which it fired (the last turn when settled at the end; -1 before any turn). */
  seq: number;
  ts: number;
  /** `finish` for must-say/absence rules settled when the conversation ended. */
  at: 'utterance' | 'tick' | 'finish';
  evidence: HitEvidence[];
  actions: Actions;
  /** Values for `{variables}` in hint and warning texts. */
  vars: Record<string, string>;
}

export type Node =
  | { k: 'all' | 'any'; id: number; kids: Node[] }
  | { k: 'not'; id: number; kid: Node }
  | { k: 'phrase'; id: number; atom: number; speaker: SpeakerScope }
  | {
      k: 'near';
      id: number;
      a: number;
      b: number;
      within: number;
      words: boolean;
      ordered: boolean;
      speaker: SpeakerScope;
    }
  | { k: 'regex'; id: number; re: RegExp; speaker: SpeakerScope }
  | {
      k: 'label';
      id: number;
      which: 'emotion' | 'intent';
      labels: readonly string[];
      minProb: number | undefined;
      speaker: SpeakerScope;
    }
  | {
      k: 'metric';
      id: number;
      metric: string;
      op: '>' | '>=' | '<' | '<=';
      value: number;
      speaker: SpeakerScope;
    }
  | {
      k: 'window';
      id: number;
      kid: Node;
      firstMs: number | undefined;
      firstTurns: number | undefined;
      turnsOf: SpeakerScope;
    }
  | { k: 'seen'; id: number; kid: Node; strict: boolean }
  | { k: 'absent'; id: number; kid: Node }
  | { k: 'order'; id: number; steps: Node[] }
  | {
      k: 'after' | 'missingAfter';
      id: number;
      trigger: Node;
      expect: Node;
      turns: number | undefined;
      turnsOf: SpeakerScope;
      ms: number | undefined;
    }
  | {
      k: 'count';
      id: number;
      kid: Node;
      atLeast: number;
      withinTurns: number | undefined;
      withinMs: number | undefined;
    }
  | { k: 'streak'; id: number; kid: Node; length: number; speaker: SpeakerScope };

export interface Atom {
  negationAware: boolean;
  /** Characters (Chinese) or words (English); undefined for the defaults in negation.ts. */
  negationWindow: number | undefined;
}

export interface CompiledRule {
  index: number;
  id: string;
  source: Rule;
  root: Node;
  channel: Channel | 'any';
  /** Only phrase-driven nodes: evaluating it on a turn where none of its phrases occur is a no-op. */
  lazy: boolean;
  kind: FindingKind;
}

/** Patterns of one automaton and the phrase atoms each one belongs to. */
export interface PatternSet {
  automaton: Automaton;
  /** Flat lists: atoms of pattern p are atomList[atomStart[p] .. atomStart[p+1]). */
  atomStart: Int32Array;
  atomList: Int32Array;
  /** Bit 1: needs a word boundary before; bit 2: after (English patterns). */
  boundary: Uint8Array;
}

export interface CompiledRulebook {
  id: string;
  version: string;
  rules: CompiledRule[];
  atoms: Atom[];
  phrases: PatternSet;
  /** Homophone-folded patterns, only when some phrase asks for them. */
  homophones: PatternSet | undefined;
  /** Lazy rules to wake per atom. */
  atomRules: number[][];
  /** Rules evaluated on every turn (and at ticks and the end). */
  eagerRules: number[];
  nodeCount: number;
  compileMs: number;
}

export interface CompileError {
  /** JSON path into the rulebook, e.g. `rules.3.when.phrases.0`. */
  path: string;
  message: string;
}

export type CompileResult = { ok: true; compiled: CompiledRulebook } | { ok: false; errors: CompileError[] };

export type { Speaker };
