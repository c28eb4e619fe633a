/**
 * QA console tables (issue 10): per-conversation score summaries kept up to date from findings,
 * daily rule roll-ups for analytics, reviews, comments, audit trail, appeals, feedback,
 * versioned scorecards, saved views, review queues, calibration, case library, coaching and
 * rulebook drafts. Lists and analytics read the summaries so they stay fast at millions of findings.
 */
import { type Kysely, type Migration, sql } from 'kysely';

const f8 = 'float8' as const;

export const m002Qa: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('qa_scores')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('agent_user_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('started_at', f8, (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('auto_score', f8, (c) => c.notNull())
      .addColumn('override_score', f8)
      .addColumn('score', f8, (c) => c.notNull())
      .addColumn('passed', 'boolean', (c) => c.notNull())
      .addColumn('worst_rank', 'integer', (c) => c.notNull())
      .addColumn('worst_severity', 'text')
      .addColumn('worst_rule', 'text')
      .addColumn('worst_title', 'text')
      .addColumn('finding_count', 'integer', (c) => c.notNull())
      .addColumn('rules', 'jsonb', (c) => c.notNull())
      .addColumn('emotion', 'text')
      .addColumn('mood', 'jsonb', (c) => c.notNull())
      .addColumn('intents', 'jsonb', (c) => c.notNull())
      .addColumn('phrases', 'jsonb', (c) => c.notNull())
      .addColumn('appealed', 'boolean', (c) => c.notNull())
      .addColumn('reviewed', 'boolean', (c) => c.notNull())
      .addColumn('breakdown', 'jsonb', (c) => c.notNull())
      .addColumn('computed_at', f8, (c) => c.notNull())
      .addPrimaryKeyConstraint('qa_scores_pk', ['org_id', 'conversation_id'])
      .execute();
    await sql`create index qa_scores_org_started on qa_scores (org_id, started_at desc)`.execute(db);
    await sql`create index qa_scores_team_started on qa_scores (org_id, team_id, started_at desc)`.execute(
      db,
    );
    await sql`create index qa_scores_agent_started on qa_scores (org_id, agent_user_id, started_at desc)`.execute(
      db,
    );
    await sql`create index qa_scores_org_day on qa_scores (org_id, day)`.execute(db);
    await sql`create index qa_scores_rules on qa_scores using gin (rules jsonb_path_ops)`.execute(db);
    await sql`create index qa_scores_intents on qa_scores using gin (intents jsonb_path_ops)`.execute(db);
    // Score refresh finds what changed since its watermark through these.
    await sql`create index findings_received on findings (received_at)`.execute(db);
    await sql`create index conversations_received on conversations (received_at)`.execute(db);

    await db.schema
      .createTable('qa_rule_daily')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('rule_key', 'text', (c) => c.notNull())
      .addColumn('hits', 'integer', (c) => c.notNull())
      .addColumn('convs', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('qa_rule_daily_pk', ['org_id', 'team_id', 'day', 'rule_key'])
      .execute();
    // What each scored conversation contributed to qa_rule_daily, so a re-score can take it back.
    await db.schema
      .createTable('qa_conv_rules')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('rule_key', 'text', (c) => c.notNull())
      .addColumn('hits', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('qa_conv_rules_pk', ['org_id', 'conversation_id', 'rule_key'])
      .execute();

    await db.schema
      .createTable('qa_transcripts')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('turns', 'jsonb', (c) => c.notNull())
      .addColumn('received_at', f8, (c) => c.notNull())
      .addPrimaryKeyConstraint('qa_transcripts_pk', ['org_id', 'conversation_id'])
      .execute();
    await sql`create index qa_transcripts_team on qa_transcripts (team_id, received_at desc)`.execute(db);

    await db.schema
      .createTable('qa_reviews')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('reviewer_id', 'text', (c) => c.notNull())
      .addColumn('override_score', f8)
      .addColumn('manual', 'jsonb', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('qa_reviews_conv')
      .on('qa_reviews')
      .columns(['org_id', 'conversation_id'])
      .execute();
    await db.schema
      .createTable('qa_comments')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('qa_comments_conv')
      .on('qa_comments')
      .columns(['org_id', 'conversation_id'])
      .execute();
    await db.schema
      .createTable('qa_audit')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('detail', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('qa_audit_conv')
      .on('qa_audit')
      .columns(['org_id', 'conversation_id', 'id'])
      .execute();

    await db.schema
      .createTable('qa_finding_status')
      .addColumn('finding_id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('updated_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('qa_appeals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('finding_id', 'text', (c) => c.notNull().unique())
      .addColumn('rule_key', 'text', (c) => c.notNull())
      .addColumn('agent_user_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('deadline_at', f8, (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decision_comment', 'text')
      .addColumn('decided_at', f8)
      .addColumn('score_before', f8)
      .addColumn('score_after', f8)
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('qa_appeals_org_state')
      .on('qa_appeals')
      .columns(['org_id', 'state'])
      .execute();
    await db.schema.createIndex('qa_appeals_rule').on('qa_appeals').columns(['org_id', 'rule_key']).execute();
    await db.schema
      .createTable('qa_feedback')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('finding_id', 'text')
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('rule_key', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('ts', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('qa_feedback_rule')
      .on('qa_feedback')
      .columns(['org_id', 'rule_key'])
      .execute();

    await db.schema
      .createTable('qa_scorecards')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('body', 'jsonb', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', f8, (c) => c.notNull())
      .addPrimaryKeyConstraint('qa_scorecards_pk', ['team_id', 'version'])
      .execute();
    await db.schema
      .createTable('qa_views')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('query', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('qa_queue')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('assignee_id', 'text', (c) => c.notNull())
      .addColumn('strategy', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', f8, (c) => c.notNull())
      .addColumn('done_at', f8)
      .addUniqueConstraint('qa_queue_once', ['org_id', 'conversation_id'])
      .execute();
    await db.schema
      .createTable('qa_calibrations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('conversation_ids', 'jsonb', (c) => c.notNull())
      .addColumn('reviewer_ids', 'jsonb', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('qa_calibration_ratings')
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('reviewer_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('score', f8, (c) => c.notNull())
      .addColumn('created_at', f8, (c) => c.notNull())
      .addPrimaryKeyConstraint('qa_calibration_ratings_pk', ['session_id', 'reviewer_id', 'conversation_id'])
      .execute();
    await db.schema
      .createTable('qa_cases')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', f8, (c) => c.notNull())
      .addPrimaryKeyConstraint('qa_cases_pk', ['org_id', 'conversation_id'])
      .execute();
    await db.schema
      .createTable('qa_coaching')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('agent_user_id', 'text', (c) => c.notNull())
      .addColumn('dimension_id', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('examples', 'jsonb', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('assigned_by', 'text', (c) => c.notNull())
      .addColumn('created_at', f8, (c) => c.notNull())
      .addColumn('due_at', f8)
      .execute();
    await db.schema
      .createIndex('qa_coaching_agent')
      .on('qa_coaching')
      .columns(['org_id', 'agent_user_id'])
      .execute();
    await db.schema
      .createTable('qa_rule_drafts')
      .addColumn('team_id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('body', 'jsonb', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('qa_state')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', f8, (c) => c.notNull())
      .execute();
  },
};
