/** POST /v1/ingest: batches from the device outbox (see lib/sync/protocol.ts). */
import type { z } from 'zod';
import { ErrorBody, IngestRequest, IngestResponse } from '../../lib/sync/protocol';
import { type App, type AppDeps, authErrors, who } from '../http';
import { ingestBatch } from '../ingest';
import { HttpError, requireRole } from '../principal';

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
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HttpError(400, 'bad_request', 'body is not valid JSON');
    }
    const { response, alerts } = await ingestBatch(ctx, p, body);
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
  });
}
