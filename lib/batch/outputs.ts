/** Line formats of the batch outputs: findings JSONL and the per-conversation scores CSV. */
import { type ConversationStat, statOf } from './aggregate';
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

/** What `--upload` sends for one conversation (the ingest contract's conversation and findings). */
export interface UploadRecord {
  conversation: {
    id: string;
    agentId?: string;
    channel: ConversationResult['channel'];
    startedAt: number;
    endedAt: number;
    emotion: {
      counts: ConversationResult['emotions']['customer'];
      worst?: ConversationResult['worstCustomerEmotion'];
    };
  };
  findings: ConversationResult['findings'];
}

export function uploadRecordOf(r: ConversationResult): UploadRecord {
  return {
    conversation: {
      id: r.id,
      ...(r.agentId ? { agentId: r.agentId } : {}),
      channel: r.channel,
      startedAt: r.startedAt,
      endedAt: Math.max(r.startedAt, r.endedAt),
      emotion: {
        counts: r.emotions.customer,
        ...(r.worstCustomerEmotion ? { worst: r.worstCustomerEmotion } : {}),
      },
    },
    findings: r.findings,
  };
}

/**
 * One analysed conversation as the runner writes it: its output lines, the figures the report
 * aggregates, and (only when uploading) what goes to the endpoint. Made in the worker thread, so
 * the main thread neither receives nor re-serialises findings.
 */
export type ConversationOutput =
  | { origin: string; findings: string; scores: string; stat: ConversationStat; upload?: UploadRecord }
  | { origin: string; error: string };

export function outputOf(
  r: ConversationResult,
  dimensions: readonly string[],
  withUpload: boolean,
): ConversationOutput {
  if (r.error !== undefined) return { origin: r.origin, error: r.error };
  return {
    origin: r.origin,
    findings: findingsLines(r),
    scores: scoresRow(r, dimensions),
    stat: statOf(r),
    ...(withUpload ? { upload: uploadRecordOf(r) } : {}),
  };
}
