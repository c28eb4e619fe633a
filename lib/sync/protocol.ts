/**
 * The wire contract between the extension's outbox and the QA endpoint. The server validates
 * requests with these schemas and the client validates responses with them, so both sides move
 * together. Items are validated one by one on the server so one bad finding never costs the
 * good ones in the same batch.
 */
import { z } from 'zod';
import { Finding, Severity, ULID_RE } from '../finding';
import { Channel, Emotion } from '../labels';

/** Most items one ingest request may carry (findings + conversations + events together). */
export const MAX_INGEST_ITEMS = 500;
/** Largest ingest body the server reads; the client keeps its batches under it. */
export const MAX_INGEST_BYTES = 1_000_000;
/**
 * Request header a device sets on an ingest batch that carries alert-worthy findings or
 * resolution events. The endpoint lets such batches past its bulk admission queue (they are
 * still validated item by item, and the per-device rate limit still applies).
 */
export const URGENT_LANE_HEADER = 'x-sotto-lane';
export const URGENT_LANE_VALUE = 'urgent';

export const Role = z.enum(['agent', 'lead', 'qa', 'admin']);
export type Role = z.infer<typeof Role>;

/** What the device knows about a conversation; the customer identifier is hashed on the device. */
export const ConversationMeta = z.object({
  id: z.string().min(1).max(200),
  agentId: z.string().max(200).optional(),
  channel: Channel,
  startedAt: z.number().nonnegative(),
  endedAt: z.number().nonnegative().optional(),
  /** Hex SHA-256 (or another device-side keyed hash) of the customer identifier; never the raw id. */
  customerHash: z
    .string()
    .regex(/^[0-9a-f]{16,128}$/)
    .optional(),
  /** Share of customer turns per emotion label, plus the worst one seen. */
  emotion: z
    .object({
      counts: z.partialRecord(Emotion, z.number().int().nonnegative()).default({}),
      worst: Emotion.optional(),
    })
    .optional(),
});
export type ConversationMeta = z.infer<typeof ConversationMeta>;

/**
 * A finding as queued for sync. The agent-first window travels beside the finding rather than in
 * it because the window is a sync concern (how long the lead waits), not part of the evidence.
 */
export const FindingItem = z.object({
  finding: Finding,
  /** Escalate to the lead only if no `resolved` event for the same conversation+rule arrives in time. */
  escalateAfterMs: z.number().int().min(0).max(3_600_000).optional(),
});
export type FindingItem = z.infer<typeof FindingItem>;

/** The agent fixed what a warning pointed at (or the rule cleared itself) within the window. */
export const ResolutionEvent = z.object({
  id: z.string().regex(ULID_RE),
  type: z.literal('resolved'),
  conversationId: z.string().min(1).max(200),
  ruleId: z.string().min(1).max(200),
  ts: z.number().nonnegative(),
});
export type ResolutionEvent = z.infer<typeof ResolutionEvent>;

/** The strict request shape, as documented. The server reads the arrays leniently, item by item. */
export const IngestRequest = z.object({
  conversations: z.array(ConversationMeta).max(MAX_INGEST_ITEMS).default([]),
  findings: z.array(FindingItem).max(MAX_INGEST_ITEMS).default([]),
  events: z.array(ResolutionEvent).max(MAX_INGEST_ITEMS).default([]),
});
export type IngestRequest = z.input<typeof IngestRequest>;

export const ItemKind = z.enum(['conversation', 'finding', 'event']);
export type ItemKind = z.infer<typeof ItemKind>;

export const Rejection = z.object({
  kind: ItemKind,
  index: z.number().int().nonnegative(),
  /** The item's id when it could be read, so the client can drop exactly that outbox entry. */
  id: z.string().optional(),
  reason: z.string(),
});
export type Rejection = z.infer<typeof Rejection>;

export const IngestResponse = z.object({
  /** Ids now stored (new ones and ones the server already had: both are safe to drop locally). */
  accepted: z.object({
    conversations: z.array(z.string()),
    findings: z.array(z.string()),
    events: z.array(z.string()),
  }),
  /** How many of the accepted findings were already stored (retries). */
  duplicates: z.number().int().nonnegative(),
  rejected: z.array(Rejection),
});
export type IngestResponse = z.infer<typeof IngestResponse>;

export const ErrorBody = z.object({
  error: z.string(),
  reason: z.string().optional(),
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const EnrolRequest = z.object({
  code: z.string().min(8).max(100),
  deviceName: z.string().min(1).max(200).default('browser'),
});
export type EnrolRequest = z.input<typeof EnrolRequest>;

export const DeviceCredentials = z.object({
  deviceId: z.string(),
  /** Shown once; the server keeps only its hash. Send as `Authorization: Bearer <token>`. */
  token: z.string(),
  userId: z.string(),
  role: Role,
  teamIds: z.array(z.string()),
});
export type DeviceCredentials = z.infer<typeof DeviceCredentials>;

export const AlertKind = z.enum(['finding', 'repeat-contact']);

/** One pushed alert, as the SSE `data:` of an `alert` event and in `GET /v1/alerts`. */
export const Alert = z.object({
  /** Monotonic per endpoint; the SSE `id:` so a reconnect resumes with Last-Event-ID. */
  id: z.number().int().positive(),
  kind: AlertKind,
  teamId: z.string(),
  conversationId: z.string(),
  ruleKey: z.string(),
  severity: Severity,
  title: z.string(),
  findingId: z.string().optional(),
  agentId: z.string().optional(),
  /** For repeat contacts: the customer's earlier conversation. */
  linkedConversationId: z.string().optional(),
  evidenceUrl: z.string(),
  /** When the device made the finding (ms since epoch), to measure finding → lead latency. */
  findingTs: z.number().optional(),
  createdAt: z.number(),
  /** False during the team's quiet hours: show it in the list, no desktop notification. */
  notify: z.boolean(),
});
export type Alert = z.infer<typeof Alert>;

export const DOCUMENT_KINDS = ['rulebook', 'scripts', 'models'] as const;
export const DocumentKind = z.enum(DOCUMENT_KINDS);
export type DocumentKind = z.infer<typeof DocumentKind>;

/** A team's rulebook, script library or model manifest; `body` is validated by its own schema later. */
export const TeamDocument = z.object({
  teamId: z.string(),
  kind: DocumentKind,
  version: z.number().int().positive(),
  body: z.unknown(),
  updatedAt: z.number(),
});
export type TeamDocument = z.infer<typeof TeamDocument>;

/** A team document's latest version, as pushed on `GET /v1/documents/changes` (SSE). */
export const DocumentChange = z.object({
  teamId: z.string(),
  kind: DocumentKind,
  version: z.number().int().positive(),
  etag: z.string(),
});
export type DocumentChange = z.infer<typeof DocumentChange>;
