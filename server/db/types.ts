/** Table types for kysely. Timestamps are ms since epoch in float8 so both drivers return numbers. */
import type { ColumnType, Generated } from 'kysely';

/** jsonb: written as a JSON string parameter, read back parsed. */
export type Json<T = unknown> = ColumnType<T, string, string>;

export interface OrgsTable {
  id: string;
  name: string;
  created_at: number;
  /** Days to keep conversation data (server/privacy.ts); null keeps it. */
  retention_days: ColumnType<number | null, number | null | undefined, number | null>;
}
export interface TeamsTable {
  id: string;
  org_id: string;
  name: string;
  settings: Json;
  created_at: number;
}
export interface UsersTable {
  id: string;
  org_id: string;
  email: string;
  display_name: string;
  role: string;
  disabled: Generated<boolean>;
  created_at: number;
}
export interface TeamMembersTable {
  team_id: string;
  user_id: string;
}
/** One row per way to sign in: `password` now, `oidc:<issuer>` with the `sub` claim later. */
export interface IdentitiesTable {
  provider: string;
  subject: string;
  user_id: string;
  secret_hash: string | null;
  created_at: number;
}
export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}
export interface EnrolmentCodesTable {
  code_hash: string;
  org_id: string;
  team_id: string;
  user_id: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  device_id: string | null;
}
export interface DevicesTable {
  id: string;
  org_id: string;
  team_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  rotated_at: number | null;
  last_seen_at: number | null;
  revoked_at: number | null;
}
export interface ConversationsTable {
  org_id: string;
  id: string;
  team_id: string;
  agent_user_id: string;
  agent_ref: string | null;
  channel: string;
  started_at: number;
  ended_at: number | null;
  customer_hash: string | null;
  emotion: Json | null;
  received_at: number;
}
export interface FindingsTable {
  id: string;
  org_id: string;
  team_id: string;
  conversation_id: string;
  rule_key: string;
  kind: string;
  severity: string;
  title: string | null;
  body: Json;
  ts: number;
  agent_user_id: string;
  device_id: string;
  escalate_after_ms: number | null;
  received_at: number;
}
export interface ResolutionsTable {
  id: string;
  org_id: string;
  conversation_id: string;
  rule_id: string;
  ts: number;
  received_at: number;
}
export interface PendingEscalationsTable {
  finding_id: string;
  org_id: string;
  team_id: string;
  due_at: number;
}
export interface AlertsTable {
  id: Generated<number>;
  org_id: string;
  team_id: string;
  kind: string;
  conversation_id: string;
  rule_key: string;
  severity: string;
  title: string;
  finding_id: string | null;
  agent_user_id: string | null;
  linked_conversation_id: string | null;
  finding_ts: number | null;
  created_at: number;
  notify: boolean;
}
export interface AlertActionsTable {
  id: Generated<number>;
  org_id: string;
  alert_id: number;
  conversation_id: string;
  user_id: string;
  action: string;
  note: string | null;
  created_at: number;
}
export interface WebhooksTable {
  id: string;
  org_id: string;
  team_id: string;
  platform: string;
  url: string;
  secret: string | null;
  min_severity: string;
  enabled: Generated<boolean>;
  created_at: number;
}
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: string;
  alert_id: number;
  status: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
  sent_at: number | null;
}
export interface DocumentsTable {
  team_id: string;
  kind: string;
  version: number;
  body: Json;
  etag: string;
  created_by: string | null;
  created_at: number;
}

export interface DB {
  orgs: OrgsTable;
  teams: TeamsTable;
  users: UsersTable;
  team_members: TeamMembersTable;
  identities: IdentitiesTable;
  sessions: SessionsTable;
  enrolment_codes: EnrolmentCodesTable;
  devices: DevicesTable;
  conversations: ConversationsTable;
  findings: FindingsTable;
  resolutions: ResolutionsTable;
  pending_escalations: PendingEscalationsTable;
  alerts: AlertsTable;
  alert_actions: AlertActionsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  documents: DocumentsTable;
}
