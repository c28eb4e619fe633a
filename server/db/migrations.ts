/**
 * Schema migrations, the same for PGlite and PostgreSQL. Append new migrations; never edit one
 * that has shipped (kysely records applied names in kysely_migration).
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { m002Qa } from './migration-002-qa';

const f8 = 'float8' as const;

const m001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('orgs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('teams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('created_at', f8, (c) => c.notNull())
      .addUniqueConstraint('teams_org_name', ['org_id', 'name'])
      .execute();
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('agent','lead','qa','admin')`))
      .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('team_members')
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
      .execute();
    await db.schema.createIndex('team_members_user').on('team_members').column('user_id').execute();
    await db.schema
      .createTable('identities')
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('secret_hash', 'text')
      .addColumn('created_at', f8, (c) => c.notNull())
      .addPrimaryKeyConstraint('identities_pk', ['provider', 'subject'])
      .execute();
    await db.schema
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', f8, (c) => c.notNull())
      .addColumn('expires_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('enrolment_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_by', 'text')
      .addColumn('created_at', f8, (c) => c.notNull())
      .addColumn('expires_at', f8, (c) => c.notNull())
      .addColumn('used_at', f8)
      .addColumn('device_id', 'text')
      .execute();
    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', f8, (c) => c.notNull())
      .addColumn('rotated_at', f8)
      .addColumn('last_seen_at', f8)
      .addColumn('revoked_at', f8)
      .execute();
    await db.schema
      .createTable('conversations')
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('agent_user_id', 'text', (c) => c.notNull())
      .addColumn('agent_ref', 'text')
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('started_at', f8, (c) => c.notNull())
      .addColumn('ended_at', f8)
      .addColumn('customer_hash', 'text')
      .addColumn('emotion', 'jsonb')
      .addColumn('received_at', f8, (c) => c.notNull())
      .addPrimaryKeyConstraint('conversations_pk', ['org_id', 'id'])
      .execute();
    await db.schema
      .createIndex('conversations_customer')
      .on('conversations')
      .columns(['org_id', 'customer_hash', 'started_at'])
      .execute();
    await db.schema
      .createTable('findings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('rule_key', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('body', 'jsonb', (c) => c.notNull())
      .addColumn('ts', f8, (c) => c.notNull())
      .addColumn('agent_user_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('escalate_after_ms', 'integer')
      .addColumn('received_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('findings_conversation')
      .on('findings')
      .columns(['org_id', 'conversation_id'])
      .execute();
    await db.schema.createIndex('findings_team_ts').on('findings').columns(['team_id', 'ts']).execute();
    await db.schema
      .createTable('resolutions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('rule_id', 'text', (c) => c.notNull())
      .addColumn('ts', f8, (c) => c.notNull())
      .addColumn('received_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('resolutions_rule')
      .on('resolutions')
      .columns(['org_id', 'conversation_id', 'rule_id', 'ts'])
      .execute();
    await db.schema
      .createTable('pending_escalations')
      .addColumn('finding_id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('due_at', f8, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('pending_due').on('pending_escalations').column('due_at').execute();
    await db.schema
      .createTable('alerts')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('rule_key', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('finding_id', 'text')
      .addColumn('agent_user_id', 'text')
      .addColumn('linked_conversation_id', 'text')
      .addColumn('finding_ts', f8)
      .addColumn('created_at', f8, (c) => c.notNull())
      .addColumn('notify', 'boolean', (c) => c.notNull())
      // One alert per conversation and rule: the de-duplication is a constraint, not a cache.
      .addUniqueConstraint('alerts_dedup', ['org_id', 'conversation_id', 'rule_key'])
      .execute();
    await db.schema.createIndex('alerts_team_id').on('alerts').columns(['team_id', 'id']).execute();
    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text')
      .addColumn('min_severity', 'text', (c) => c.notNull())
      .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      .addColumn('alert_id', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_at', f8, (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('sent_at', f8)
      .execute();
    await db.schema
      .createIndex('deliveries_due')
      .on('webhook_deliveries')
      .columns(['status', 'next_at'])
      .execute();
    await db.schema
      .createTable('documents')
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('body', 'jsonb', (c) => c.notNull())
      .addColumn('etag', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', f8, (c) => c.notNull())
      .addPrimaryKeyConstraint('documents_pk', ['team_id', 'kind', 'version'])
      .execute();
  },
};

/** Retention per organisation, and reading the audit log by organisation. */
const m003: Migration = {
  async up(db: Kysely<unknown>) {
    // Days to keep conversations, findings and alerts; null keeps them until deleted on request.
    await db.schema.alterTable('orgs').addColumn('retention_days', 'integer').execute();
    await db.schema.createIndex('qa_audit_org').on('qa_audit').columns(['org_id', 'id']).execute();
    await db.schema
      .createIndex('conversations_started')
      .on('conversations')
      .columns(['org_id', 'started_at'])
      .execute();
    await db.schema.createIndex('alerts_created').on('alerts').columns(['org_id', 'created_at']).execute();
  },
};

/** What leads did about an alert (acknowledged, took over, notes), so the team and QA see it too. */
const m004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('alert_actions')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'integer', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('created_at', f8, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('alert_actions_alert')
      .on('alert_actions')
      .columns(['org_id', 'alert_id'])
      .execute();
  },
};

const MIGRATIONS: Record<string, Migration> = {
  '001_initial': m001,
  '002_qa': m002Qa,
  '003_privacy': m003,
  '004_alert_actions': m004,
};

class StaticProvider implements MigrationProvider {
  async getMigrations() {
    return MIGRATIONS;
  }
}

/** True when every migration is recorded as applied (the common case on a restart). */
async function upToDate(db: Kysely<unknown>): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const applied = new Set(rows.map((r) => r.name));
    return Object.keys(MIGRATIONS).every((name) => applied.has(name));
  } catch {
    return false; // no migration table yet: a fresh database
  }
}

export async function migrate(db: Kysely<unknown>): Promise<void> {
  // The migrator takes a lock and reads the schema even when there is nothing to do; a restart
  // with an up-to-date schema skips it, which shortens the time the endpoint is away.
  if (await upToDate(db)) return;
  const { error, results } = await new Migrator({ db, provider: new StaticProvider() }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(error)}`);
  }
}
