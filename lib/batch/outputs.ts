/** Line formats of the batch outputs: findings JSONL and the per-conversation scores CSV. */
import type { ConversationResult } from './analyse';

export function csvCell(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  // Leading = + - @ would run as a formula in spreadsheet apps (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function scoresHeader(dimensions: readonly string[]): string {
  return `${[
    'conversation_id',
    'agent_id',
    'origin',
    'channel',
    'turns',
    'score',
    'passed',
    'auto_failed',
    'findings',
    'worst_customer_emotion',
    ...dimensions.map((d) => `dim_${d}`),
  ].join(',')}\n`;
}

export function scoresRow(r: ConversationResult, dimensions: readonly string[]): string {
  return `${[
    r.id,
    r.agentId,
    r.origin,
    r.channel,
    r.turns,
    r.score.total,
    r.score.passed,
    r.score.autoFailed,
    r.findings.length,
    r.worstCustomerEmotion,
    ...dimensions.map((d) => r.score.dimensions[d]),
  ]
    .map(csvCell)
    .join(',')}\n`;
}

export function findingsLines(r: ConversationResult): string {
  let s = '';
  for (const f of r.findings) s += `${JSON.stringify(f)}\n`;
  return s;
}
