// Scorecards and the pure scorer (issue 10), shared by the endpoint, the QA console, the batch CLI
// and the side panel.
export type { DimensionResult, ItemResult, ManualAnswers, ScoreResult } from './score';
export { scoreConversation } from './score';
export type { Dimension, ManualItem, RuleItem, ScorecardInput, ScorecardItem } from './schema';
export { Scorecard } from './schema';

import { Scorecard } from './schema';

/** Parses a scorecard; the error lists every problem with its JSON path. */
export function parseScorecard(
  json: unknown,
): { ok: true; scorecard: Scorecard } | { ok: false; errors: string[] } {
  const r = Scorecard.safeParse(json);
  if (r.success) return { ok: true, scorecard: r.data };
  return {
    ok: false,
    errors: r.error.issues.map(
      (i) =>
        `$${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`,
    ),
  };
}
