/** POST /v1/ingest: batches from the device outbox (see lib/sync/protocol.ts). */
import type { z } from 'zod';
import type { Context } from 'hono';
import {
  ErrorBody,
  IngestRequest,
  IngestResponse,
  URGENT_LANE_HEADER,
  URGENT_LANE_VALUE,
} from '../../lib/sync/protocol';
import { type App, type AppDeps, type Env, authErrors, who } from '../http';
import { urgentLane } from '../db/priority';
import { carriesUrgent, ingestBatch, teamPolicy } from '../ingest';
import { HttpError, type Principal, requireRole } from '../principal';

/** Drained past the limit so the device reads the 413 instead of a reset; beyond this, cut. */
const MAX_DRAIN_BYTES = 16_000_000;

/**
 * The body as text, or undefined when it is over `limit`. An oversized body is still read (up to
 * MAX_DRAIN_BYTES) and thrown away: closing mid-upload makes fetch report a network error, and
 * the device would retry the same batch forever instead of splitting it.
 */
async function readLimited(req: Request, limit: number, idleMs: number): Promise<string | undefined> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > MAX_DRAIN_BYTES) return undefined;
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    // A client that stops sending mid-body (a dropped connection, a slow-loris) must not hold
    // the request, and its bulk slot, forever.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HttpError(408, 'timeout', `no body data for ${idleMs} ms`)),
        idleMs,
      );
    });
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await Promise.race([reader.read(), idle]);
    } catch (err) {
      reader.cancel().catch(() => {});
      throw err;
    } finally {
      clearTimeout(timer);
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > MAX_DRAIN_BYTES) {
      await reader.cancel();
      return undefined;
    }
    if (size <= limit) chunks.push(value);
  }
  if (size > limit) return undefined;
  return Buffer.concat(chunks).toString('utf8');
}

export function registerIngest(app: App, deps: AppDeps): void {
  const { ctx } = deps;
  // Documented with the strict item schemas but read leniently: zod-openapi's validator would
  // refuse the whole batch for one bad item, and the contract is per-item reasons.
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/ingest',
    tags: ['sync'],
    summary: 'Store findings, conversation metadata and resolution events; idempotent on ids',
    description:
      'Each item is validated on its own: bad ones are listed in `rejected` with a reason, good ones are stored. ' +
      'All accepted items are written in one transaction. Send the same batch again after any failure.',
    security: [{ deviceToken: [] }],
    request: { body: { content: { 'application/json': { schema: IngestRequest } }, required: true } },
    responses: {
      200: { description: 'per-item result', content: { 'application/json': { schema: IngestResponse } } },
      400: {
        description: 'not a JSON object with item arrays',
        content: { 'application/json': { schema: ErrorBody } },
      },
      413: {
        description: 'body or item count over the limit',
        content: { 'application/json': { schema: ErrorBody } },
      },
      429: {
        description: 'rate limited; see Retry-After',
        content: { 'application/json': { schema: ErrorBody } },
      },
      ...authErrors,
    },
  });

  app.post('/v1/ingest', async (c) => {
    const p = requireRole(await who(c, deps), ['agent', 'lead', 'qa', 'admin']);
    const wait = ctx.ingestLimiter.take(p.deviceId ?? p.userId);
    if (wait > 0) throw new HttpError(429, 'rate_limited', 'too many ingest requests from this device', wait);
    if (!(c.req.header('content-type') ?? '').includes('application/json')) {
      throw new HttpError(415, 'unsupported_media_type', 'send application/json');
    }
    // Batches a device marks urgent skip the bulk queue; bulk ones wait for a turn with their
    // body unread, or, after waiting too long, are read, dropped and sent back with a
    // Retry-After (server/ingest-gate.ts).
    const marked = c.req.header(URGENT_LANE_HEADER) === URGENT_LANE_VALUE;
    const release = marked ? () => {} : await ctx.ingestGate.enter(ctx.limits.bulkIngestMaxWaitMs);
    if (!release) {
      await readLimited(c.req.raw, ctx.limits.maxBodyBytes, ctx.limits.bodyIdleMs);
      throw new HttpError(
        503,
        'busy',
        'endpoint busy with other batches; retry later',
        ctx.ingestGate.retryAfterMs(),
      );
    }
    // A client gone mid-request frees its slot at once.
    c.req.raw.signal?.addEventListener('abort', release, { once: true });
    try {
      return await handle(c, p, release);
    } finally {
      release();
    }
  });

  async function handle(c: Context<Env>, p: Principal, release: () => void) {
    const text = await readLimited(c.req.raw, ctx.limits.maxBodyBytes, ctx.limits.bodyIdleMs);
    if (text === undefined) {
      throw new HttpError(
        413,
        'too_large',
        `body over ${ctx.limits.maxBodyBytes} bytes; send smaller batches`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'bad_request', 'body is not valid JSON');
    }
    // Alert-worthy batches take the urgent lane in the database (head of the PGlite queue, a
    // pool of their own on PostgreSQL), marked or not; the bulk slot is handed on first.
    const urgent = p.deviceTeamId !== undefined && carriesUrgent(body, await teamPolicy(ctx, p.deviceTeamId));
    if (urgent) release();
    const { response, alerts } = await urgentLane.run(urgent, () => ingestBatch(ctx, p, body));
    deps.onAlerts(alerts);
    ctx.log.log('info', 'ingest', {
      reqId: c.get('reqId'),
      deviceId: p.deviceId,
      findings: response.accepted.findings.length,
      duplicates: response.duplicates,
      rejected: response.rejected.length,
      alerts: alerts.length,
    });
    return c.json(response satisfies z.infer<typeof IngestResponse>, 200);
  }
}
