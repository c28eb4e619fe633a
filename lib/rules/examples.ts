/** Runs the fire / noFire examples a rule carries; used by the rulebook tests and the CLI. */
import { createConversation } from './conversation';
import type { Example } from './schema';
import type { CompiledRulebook, Hit, Signals } from './types';

const DEFAULT_TURN_SECONDS = 5;

/** Plays an example conversation through the engine and returns every hit, finish included. */
export function playExample(compiled: CompiledRulebook, example: Example, conversationId = 'example'): Hit[] {
  const conv = createConversation(compiled, conversationId);
  const hits: Hit[] = [];
  const t0 = 1_700_000_000_000;
  example.forEach((turn, seq) => {
    const signals: Signals = {};
    if (turn.emotion) signals.emotion = { label: turn.emotion, probs: { [turn.emotion]: 0.9 } };
    if (turn.intent) signals.intent = { label: turn.intent, probs: { [turn.intent]: 0.9 } };
    if (turn.metrics) signals.metrics = turn.metrics;
    const ts = t0 + (turn.t ?? seq * DEFAULT_TURN_SECONDS) * 1000;
    hits.push(
      ...conv.push(
        { seq, speaker: turn.speaker, text: turn.text, ts, channel: turn.channel ?? 'chat' },
        signals,
      ),
    );
  });
  hits.push(...conv.finish());
  return hits;
}

export interface ExampleFailure {
  ruleId: string;
  expected: 'fire' | 'noFire';
  index: number;
  /** Rule ids that did fire, for the message. */
  fired: string[];
}

/** Every example of every enabled rule, checked against that rule only. */
export function checkExamples(compiled: CompiledRulebook): ExampleFailure[] {
  const failures: ExampleFailure[] = [];
  for (const rule of compiled.rules) {
    const { fire, noFire } = rule.source.examples;
    const run = (ex: Example) => playExample(compiled, ex).map((h) => h.ruleId);
    fire.forEach((ex, index) => {
      const fired = run(ex);
      if (!fired.includes(rule.id)) failures.push({ ruleId: rule.id, expected: 'fire', index, fired });
    });
    noFire.forEach((ex, index) => {
      const fired = run(ex);
      if (fired.includes(rule.id)) failures.push({ ruleId: rule.id, expected: 'noFire', index, fired });
    });
  }
  return failures;
}
