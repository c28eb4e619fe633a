/**
 * Table types of the QA console (migration-002-qa.ts), joined to the endpoint's own tables. The
 * console's modules take `qaDb(ctx)` so the shared `DB` type stays owned by the endpoint.
 */
import type { Generated, Kysely } from 'kysely';
import type { DB, Json } from '../db/types';

export interface QaScoresTable {
  org_id: string;
  conversation_id: string;
  team_id: string;
  agent_user_id: string;
  channel: string;
  started_at: number;
  day: number;
  auto_score: number;
  override_score: number | null;
  score: number;
  passed: boolean;
  worst_rank: number;
  worst_severity: string | null;
  worst_rule: string | null;
  worst_title: string | null;
  finding_count: number;
  rules: Json<string[]>;
  emotion: string | null;
  mood: Json<string[]>;
  intents: Json<string[]>;
  phrases: Json<string[]>;
  appealed: boolean;
  reviewed: boolean;
  breakdown: Json;
  computed_at: number;
}

export interface QaTables {
  qa_scores: QaScoresTable;
  qa_rule_daily: {
    org_id: string;
    team_id: string;
    day: number;
    rule_key: string;
    hits: number;
    convs: number;
  };
  qa_conv_rules: {
    org_id: string;
    conversation_id: string;
    team_id: string;
    day: number;
    rule_key: string;
    hits: number;
  };
  qa_transcripts: {
    org_id: string;
    conversation_id: string;
    team_id: string;
    turns: Json;
    received_at: number;
  };
  qa_reviews: {
    id: Generated<number>;
    org_id: string;
    conversation_id: string;
    reviewer_id: string;
    override_score: number | null;
    manual: Json<Record<string, number>>;
    comment: string | null;
    created_at: number;
  };
  qa_comments: {
    id: Generated<number>;
    org_id: string;
    conversation_id: string;
    user_id: string;
    body: string;
    created_at: number;
  };
  qa_audit: {
    id: Generated<number>;
    org_id: string;
    conversation_id: string | null;
    user_id: string;
    action: string;
    detail: Json;
    created_at: number;
  };
  qa_finding_status: {
    finding_id: string;
    org_id: string;
    status: string;
    reason: string | null;
    updated_at: number;
  };
  qa_appeals: {
    id: string;
    org_id: string;
    team_id: string;
    conversation_id: string;
    finding_id: string;
    rule_key: string;
    agent_user_id: string;
    reason: string;
    state: string;
    deadline_at: number;
    decided_by: string | null;
    decision_comment: string | null;
    decided_at: number | null;
    score_before: number | null;
    score_after: number | null;
    created_at: number;
  };
  qa_feedback: {
    id: string;
    org_id: string;
    finding_id: string | null;
    conversation_id: string;
    rule_key: string;
    user_id: string;
    type: string;
    reason: string | null;
    ts: number;
  };
  qa_scorecards: {
    org_id: string;
    team_id: string;
    version: number;
    body: Json;
    created_by: string | null;
    created_at: number;
  };
  qa_views: {
    id: Generated<number>;
    org_id: string;
    user_id: string;
    name: string;
    query: Json;
    created_at: number;
  };
  qa_queue: {
    id: Generated<number>;
    org_id: string;
    conversation_id: string;
    assignee_id: string;
    strategy: string;
    reason: string;
    state: string;
    created_at: number;
    done_at: number | null;
  };
  qa_calibrations: {
    id: string;
    org_id: string;
    name: string;
    conversation_ids: Json<string[]>;
    reviewer_ids: Json<string[]>;
    created_by: string;
    created_at: number;
  };
  qa_calibration_ratings: {
    session_id: string;
    reviewer_id: string;
    conversation_id: string;
    score: number;
    created_at: number;
  };
  qa_cases: {
    org_id: string;
    conversation_id: string;
    kind: string;
    note: string | null;
    created_by: string;
    created_at: number;
  };
  qa_coaching: {
    id: string;
    org_id: string;
    agent_user_id: string;
    dimension_id: string;
    note: string;
    examples: Json<string[]>;
    state: string;
    assigned_by: string;
    created_at: number;
    due_at: number | null;
  };
  qa_rule_drafts: { team_id: string; org_id: string; body: Json; updated_by: string; updated_at: number };
  qa_state: { key: string; value: number };
}

export type QaDB = DB & QaTables;

export function qaDb(ctx: { db: Kysely<DB> }): Kysely<QaDB> {
  return ctx.db as unknown as Kysely<QaDB>;
}

export const DAY_MS = 24 * 3600_000;
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
