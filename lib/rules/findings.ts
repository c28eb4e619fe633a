/** Turns rule hits into Findings (lib/finding.ts), the shape synced to the QA endpoint. */
import type { Finding } from '../finding';
import type { LocalizedText } from './schema';
import type { Hit } from './types';

export type UiLang = keyof LocalizedText;

export interface FindingOptions {
  /** Makes the finding id (a ULID, e.g. lib/ids.ts `newId`); called once per hit with its ts. */
  newId: (ts: number) => string;
  lang?: UiLang;
  agentId?: string;
  /** Redacts evidence text before it leaves the device; default keeps the matched words. */
  redact?: (text: string) => string;
}

/** Fills `{name}` placeholders; unknown names stay as written so the UI can fill them later. */
export function renderText(template: string, vars: Record<string, string>): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (whole, name: string) => vars[name] ?? whole);
}

export function hitToFinding(hit: Hit, opts: FindingOptions): Finding {
  const redact = opts.redact ?? ((t: string) => t);
  const scores: Record<string, number> = {};
  if (hit.actions.score) scores[hit.actions.score.dimension] = hit.actions.score.points;
  return {
    id: opts.newId(hit.ts),
    conversationId: hit.conversationId,
    ruleId: hit.ruleId,
    kind: hit.kind,
    severity: hit.severity,
    title: hit.name[opts.lang ?? 'en'],
    evidence: hit.evidence.slice(0, 50).map((e) => ({
      seq: e.seq,
      start: e.start,
      end: e.end,
      text: redact(e.text).slice(0, 2000),
    })),
    scores,
    ts: hit.ts,
    ...(opts.agentId === undefined ? {} : { agentId: opts.agentId }),
  };
}

export function hitsToFindings(hits: readonly Hit[], opts: FindingOptions): Finding[] {
  return hits.map((h) => hitToFinding(h, opts));
}
