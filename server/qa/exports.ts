/**
 * CSV and XLSX exports of the analytics tables and of the filtered conversation list. One table
 * builder per kind; the format is chosen last, so both files always hold the same cells.
 * Column headings follow the console's language (`?lang=`), so a zh-CN export opens in Excel
 * with Chinese headings (the CSV carries a UTF-8 BOM for that, see lib/qa/analytics toCsv).
 */
import { z } from 'zod';
import { toCsv } from '../../lib/qa/analytics';
import type { analytics } from './routes-insights';
import { type Cell, toXlsx, XLSX_TYPE } from './xlsx';

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const ANALYTICS_KINDS = ['daily', 'agents', 'rules', 'conversations'] as const;
export type AnalyticsKind = (typeof ANALYTICS_KINDS)[number];
export const ExportLang = z.enum(['zh_CN', 'zh_TW', 'en']).catch('en');
export type ExportLang = z.infer<typeof ExportLang>;

/** Column headings: [zh_CN, zh_TW, en]. */
const COLUMNS = {
  date: ['日期', '日期', 'date'],
  conversations: ['会话数', '會話數', 'conversations'],
  avg_score: ['平均分', '平均分', 'avg_score'],
  angry: ['愤怒会话', '憤怒會話', 'angry'],
  failed: ['不合格', '不合格', 'failed'],
  agent: ['坐席', '坐席', 'agent'],
  rule: ['规则', '規則', 'rule'],
  hits: ['命中', '命中', 'hits'],
  wrong: ['误报', '誤報', 'wrong'],
  precision: ['准确率', '準確率', 'precision'],
  conversation: ['会话', '會話', 'conversation'],
  team: ['团队', '團隊', 'team'],
  channel: ['渠道', '渠道', 'channel'],
  started: ['开始时间', '開始時間', 'started'],
  score: ['得分', '得分', 'score'],
  auto_score: ['自动得分', '自動得分', 'auto_score'],
  worst_severity: ['最严重级别', '最嚴重級別', 'worst_severity'],
  worst_rule: ['最严重问题', '最嚴重問題', 'worst_rule'],
  emotion: ['情绪', '情緒', 'emotion'],
  appealed: ['已复议', '已複議', 'appealed'],
  reviewed: ['已复核', '已複核', 'reviewed'],
} as const;
type Column = keyof typeof COLUMNS;
const LANG_INDEX = { zh_CN: 0, zh_TW: 1, en: 2 } as const satisfies Record<ExportLang, number>;

export interface Table {
  name: string;
  columns: Column[];
  rows: Cell[][];
}

export function headings(columns: readonly Column[], lang: ExportLang): string[] {
  return columns.map((c) => COLUMNS[c][LANG_INDEX[lang]]);
}

/** Rows of the conversation list and of the analytics "conversations" export. */
export interface ScoreRow {
  conversation_id: string;
  team_name: string | null;
  agent_name: string | null;
  channel: string;
  started_at: number;
  score: number;
  auto_score: number;
  worst_severity: string | null;
  worst_rule: string | null;
  emotion: string | null;
  appealed: boolean;
  reviewed: boolean;
}

export function conversationsTable(rows: readonly ScoreRow[]): Table {
  return {
    name: 'conversations',
    columns: [
      'conversation',
      'team',
      'agent',
      'channel',
      'started',
      'score',
      'auto_score',
      'worst_severity',
      'worst_rule',
      'emotion',
      'appealed',
      'reviewed',
    ],
    rows: rows.map((x) => [
      x.conversation_id,
      x.team_name,
      x.agent_name,
      x.channel,
      new Date(Number(x.started_at)).toISOString(),
      Number(x.score),
      Number(x.auto_score),
      x.worst_severity,
      x.worst_rule,
      x.emotion,
      x.appealed,
      x.reviewed,
    ]),
  };
}

type Analytics = NonNullable<Awaited<ReturnType<typeof analytics>>>;

export function analyticsTable(kind: Exclude<AnalyticsKind, 'conversations'>, r: Analytics): Table {
  if (kind === 'daily')
    return {
      name: 'daily',
      columns: ['date', 'conversations', 'avg_score', 'angry', 'failed'],
      rows: r.daily.map((d) => [d.date, d.n, d.avgScore, d.angry, d.failed]),
    };
  if (kind === 'agents')
    return {
      name: 'agents',
      columns: ['agent', 'conversations', 'avg_score', 'angry'],
      rows: r.agents.map((a) => [a.name, a.n, a.avgScore, a.angry]),
    };
  return {
    name: 'rules',
    columns: ['rule', 'hits', 'conversations', 'wrong', 'precision'],
    rows: r.rules.map((x) => [
      x.ruleId,
      x.hits,
      x.convs,
      x.wrong,
      x.precision === null ? null : Math.round(x.precision * 1000) / 1000,
    ]),
  };
}

/** The HTTP body and headers of a table in the chosen format. */
export function renderTable(
  t: Table,
  format: ExportFormat,
  lang: ExportLang,
): { body: string | Uint8Array<ArrayBuffer>; headers: Record<string, string> } {
  const head = headings(t.columns, lang);
  const file = `sotto-${t.name}.${format}`;
  const disposition = `attachment; filename="${file}"`;
  if (format === 'xlsx')
    return {
      body: new Uint8Array(toXlsx(t.name, head, t.rows)),
      headers: { 'content-type': XLSX_TYPE, 'content-disposition': disposition },
    };
  return {
    body: toCsv(head, t.rows),
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': disposition },
  };
}

/** Most rows one export holds; the list view caps its count at 10,000 for the same reason. */
export const EXPORT_ROW_LIMIT = 100_000;
