/**
 * The console API (/v1/qa) in the endpoint's OpenAPI document. The routes are plain Hono
 * handlers that parse with the zod schemas of ./schemas; this table documents them with the same
 * schemas. test/unit/console/openapi.test.ts checks every registered route is documented here.
 */
import { z } from 'zod';
import { ErrorBody, type Role } from '../../lib/sync/protocol';
import { type App, authErrors } from '../http';
import * as S from './schemas';
import { MANAGERS, READERS } from './scope';

type Method = 'get' | 'post' | 'put' | 'delete';
interface Doc {
  method: Method;
  path: string;
  summary: string;
  roles: readonly Role[];
  query?: z.ZodObject;
  body?: z.ZodType;
  /** What a success returns: JSON (default), a CSV or XLSX file, or nothing. */
  returns?: 'json' | 'created' | 'csv' | 'xlsx' | 'empty';
}

const ALL = ['agent', ...READERS] as const;
const id = (name: string) => z.object({ [name]: z.string().min(1).max(200) });

export const QA_DOCS: readonly Doc[] = [
  {
    method: 'get',
    path: '/v1/qa/meta',
    summary: 'Who is signed in, their teams, agents, rules and reviewers',
    roles: ALL,
  },
  {
    method: 'get',
    path: '/v1/qa/conversations',
    summary: 'Scored conversations, filtered and paginated (agents: their own)',
    roles: ALL,
    query: S.ListQuery,
  },
  {
    method: 'get',
    path: '/v1/qa/conversations.csv',
    summary: 'The filtered conversation list as CSV (UTF-8 with BOM), every page',
    roles: ALL,
    query: S.ListQuery.extend(S.ExportQuery.shape),
    returns: 'csv',
  },
  {
    method: 'get',
    path: '/v1/qa/conversations.xlsx',
    summary: 'The filtered conversation list as an XLSX workbook, every page',
    roles: ALL,
    query: S.ListQuery.extend(S.ExportQuery.shape),
    returns: 'xlsx',
  },
  {
    method: 'get',
    path: '/v1/qa/conversations/{id}',
    summary:
      'One conversation: findings with evidence, transcript, timeline, score breakdown, reviews, comments, audit trail',
    roles: ALL,
  },
  {
    method: 'post',
    path: '/v1/qa/conversations/{id}/review',
    summary: 'Manual review: manual items and an optional override score',
    roles: READERS,
    body: S.Review,
    returns: 'created',
  },
  {
    method: 'post',
    path: '/v1/qa/conversations/{id}/comments',
    summary: 'Comment on a conversation',
    roles: READERS,
    body: S.Comment,
    returns: 'created',
  },
  {
    method: 'put',
    path: '/v1/qa/conversations/{id}/case',
    summary: 'Mark a conversation as a good or bad example in the case library',
    roles: MANAGERS,
    body: S.CaseMark,
  },
  { method: 'get', path: '/v1/qa/views', summary: 'The caller’s saved list views', roles: READERS },
  {
    method: 'post',
    path: '/v1/qa/views',
    summary: 'Save a list view (a name and list filters)',
    roles: READERS,
    body: S.View,
    returns: 'created',
  },
  {
    method: 'delete',
    path: '/v1/qa/views/{id}',
    summary: 'Delete one of the caller’s saved views',
    roles: READERS,
    returns: 'empty',
  },
  {
    method: 'post',
    path: '/v1/qa/transcripts',
    summary: 'A device uploads a redacted transcript (when its policy allows)',
    roles: ['agent', 'lead'],
    body: S.TranscriptUpload,
    returns: 'created',
  },
  {
    method: 'post',
    path: '/v1/qa/appeals',
    summary: 'An agent appeals one of their findings (复议)',
    roles: ALL,
    body: S.Appeal,
    returns: 'created',
  },
  {
    method: 'post',
    path: '/v1/qa/feedback',
    summary: '“This is wrong” feedback from the side panel; counts against rule precision',
    roles: ALL,
    body: S.Feedback,
  },
  {
    method: 'get',
    path: '/v1/qa/appeals',
    summary: 'Appeals with state and deadline (agents: their own)',
    roles: ALL,
    query: S.AppealsQuery,
  },
  {
    method: 'post',
    path: '/v1/qa/appeals/{id}/decide',
    summary: 'Accept (re-scores, lowers rule precision) or reject with a comment',
    roles: MANAGERS,
    body: S.AppealDecision,
  },
  {
    method: 'post',
    path: '/v1/qa/sampling',
    summary: 'Sample conversations into the review queue (random % or risk-weighted)',
    roles: MANAGERS,
    body: S.Sample,
    returns: 'created',
  },
  {
    method: 'get',
    path: '/v1/qa/queue',
    summary: 'The manual review queue',
    roles: READERS,
    query: S.QueueQuery,
  },
  {
    method: 'post',
    path: '/v1/qa/calibrations',
    summary: 'A calibration session: several reviewers score the same conversations',
    roles: MANAGERS,
    body: S.CalibrationCreate,
    returns: 'created',
  },
  { method: 'get', path: '/v1/qa/calibrations', summary: 'Calibration sessions', roles: READERS },
  {
    method: 'post',
    path: '/v1/qa/calibrations/{id}/ratings',
    summary: 'A reviewer’s score for one conversation of a session',
    roles: READERS,
    body: S.CalibrationRating,
  },
  {
    method: 'get',
    path: '/v1/qa/calibrations/{id}',
    summary: 'A session with Cohen’s and Fleiss’ κ and the gap to the automatic score',
    roles: READERS,
  },
  {
    method: 'get',
    path: '/v1/qa/analytics',
    summary: 'Trends, hot topics, rule precision, agents, intents, emotions',
    roles: READERS,
    query: S.AnalyticsQuery,
  },
  {
    method: 'get',
    path: '/v1/qa/analytics.csv',
    summary: 'An analytics table as CSV (UTF-8 with BOM)',
    roles: READERS,
    query: S.AnalyticsExportQuery,
    returns: 'csv',
  },
  {
    method: 'get',
    path: '/v1/qa/analytics.xlsx',
    summary: 'An analytics table as an XLSX workbook',
    roles: READERS,
    query: S.AnalyticsExportQuery,
    returns: 'xlsx',
  },
  {
    method: 'get',
    path: '/v1/qa/coaching/suggest',
    summary: 'An agent’s weakest dimensions with example conversations',
    roles: READERS,
    query: S.CoachingSuggestQuery,
  },
  {
    method: 'post',
    path: '/v1/qa/coaching',
    summary: 'Assign a coaching item to an agent',
    roles: ['lead', ...MANAGERS],
    body: S.CoachingAssign,
    returns: 'created',
  },
  { method: 'get', path: '/v1/qa/coaching', summary: 'Coaching items (agents: their own)', roles: ALL },
  { method: 'post', path: '/v1/qa/coaching/{id}/done', summary: 'Close a coaching item', roles: ALL },
  {
    method: 'get',
    path: '/v1/qa/scorecards/{teamId}',
    summary: 'A team’s current scorecard and its versions',
    roles: READERS,
  },
  {
    method: 'put',
    path: '/v1/qa/scorecards/{teamId}',
    summary: 'Save a new scorecard version; re-scores the team',
    roles: MANAGERS,
    body: S.ScorecardPut,
  },
  {
    method: 'get',
    path: '/v1/qa/rules/schema',
    summary: 'The rulebook JSON Schema for editors',
    roles: READERS,
  },
  {
    method: 'get',
    path: '/v1/qa/rules/{teamId}',
    summary: 'A team’s live rulebook, draft and versions',
    roles: READERS,
  },
  {
    method: 'put',
    path: '/v1/qa/rules/{teamId}/draft',
    summary: 'Save and validate a draft rulebook',
    roles: MANAGERS,
    body: S.RulebookDraft,
  },
  {
    method: 'post',
    path: '/v1/qa/rules/{teamId}/shadow',
    summary: 'Shadow-test the draft on stored history against the live version',
    roles: MANAGERS,
  },
  {
    method: 'post',
    path: '/v1/qa/rules/{teamId}/publish',
    summary: 'Publish the draft as the team’s rulebook (extensions pick it up by ETag)',
    roles: MANAGERS,
  },
  {
    method: 'post',
    path: '/v1/qa/rules/{teamId}/rollback',
    summary: 'Re-publish an earlier rulebook version',
    roles: MANAGERS,
    body: S.Rollback,
  },
];

const SUCCESS = {
  json: { 200: { description: 'ok', content: { 'application/json': { schema: z.unknown() } } } },
  created: { 201: { description: 'created', content: { 'application/json': { schema: z.unknown() } } } },
  empty: { 204: { description: 'done' } },
  csv: { 200: { description: 'CSV file', content: { 'text/csv': { schema: z.string() } } } },
  xlsx: {
    200: {
      description: 'XLSX workbook',
      content: {
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
          schema: z.string().describe('binary'),
        },
      },
    },
  },
} as const;

export function documentQaRoutes(app: App): void {
  for (const d of QA_DOCS) {
    const params = [...d.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    app.openAPIRegistry.registerPath({
      method: d.method,
      path: d.path,
      tags: ['qa console'],
      summary: d.summary,
      description: `Roles: ${d.roles.join(', ')}${d.roles.includes('lead') ? ' (leads: their own teams)' : ''}.`,
      security:
        d.path === '/v1/qa/transcripts' ? [{ deviceToken: [] }] : [{ session: [] }, { deviceToken: [] }],
      request: {
        ...(params.length ? { params: params.reduce((o, p) => o.extend(id(p).shape), z.object({})) } : {}),
        ...(d.query ? { query: d.query } : {}),
        ...(d.body ? { body: { content: { 'application/json': { schema: d.body } }, required: true } } : {}),
      },
      responses: {
        ...SUCCESS[d.returns ?? 'json'],
        400: { description: 'invalid query or body', content: { 'application/json': { schema: ErrorBody } } },
        ...authErrors,
      },
    });
  }
}
