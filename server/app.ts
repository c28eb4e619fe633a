/** The Hono application: middleware (ids, logs, limits, headers, errors) and every route. */
import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { endpointCors } from './cors';
import { pingDatabase } from './db/connect';
import type { AppDeps, Env } from './http';
import { errorFields } from './log';
import { HttpError } from './principal';
import { registerQa } from './qa';
import { registerAdmin } from './routes/admin';
import { registerAlerts } from './routes/alerts';
import { registerAuth } from './routes/auth';
import { registerConversations } from './routes/conversations';
import { registerDevices } from './routes/devices';
import { registerDocuments } from './routes/documents';
import { registerIngest } from './routes/ingest';
import { registerPrivacy } from './routes/privacy';

/**
 * Errors that mean "the database is not there right now" (PostgreSQL connection classes 08 and
 * 57P, refused connections, a closed PGlite or pool). They become 503 so devices retry.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (/^08/.test(code) || /^57P/.test(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET')
  )
    return true;
  return /closed|destroyed|ECONNREFUSED|Connection terminated|connect ETIMEDOUT|after calling end on the pool|timeout exceeded when trying to connect/i.test(
    err.message,
  );
}

export function createApp(deps: AppDeps): OpenAPIHono<Env> {
  const { ctx } = deps;
  const app = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) {
        const reason = result.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
          .join('; ');
        throw new HttpError(400, 'bad_request', reason);
      }
    },
  });

  app.use('*', async (c, next) => {
    const reqId = c.req.header('x-request-id')?.slice(0, 100) ?? randomUUID();
    c.set('reqId', reqId);
    const start = performance.now();
    await next();
    c.header('x-request-id', reqId);
    ctx.log.log(c.res.status >= 500 ? 'warn' : 'debug', 'request', {
      reqId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 10) / 10,
      userId: c.get('principal')?.userId,
    });
  });
  app.use('/v1/*', endpointCors());
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'same-site' }));
  const limitBody = bodyLimit({
    maxSize: ctx.limits.maxBodyBytes,
    // The rest of the body is never read, so the connection cannot be reused: say so.
    onError: (c) =>
      c.json({ error: 'too_large', reason: `body over ${ctx.limits.maxBodyBytes} bytes` }, 413, {
        connection: 'close',
      }),
  });
  // Ingest reads its own body (routes/ingest.ts) so devices get a readable 413 they can act on.
  app.use('/v1/*', (c, next) => (c.req.path === '/v1/ingest' ? next() : limitBody(c, next)));

  app.onError((err, c) => {
    if (err instanceof HttpError) {
      if (err.retryAfterMs !== undefined)
        c.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
      const body: { error: string; reason?: string; retryAfterMs?: number } = { error: err.error };
      if (err.reason) body.reason = err.reason;
      if (err.retryAfterMs !== undefined) body.retryAfterMs = err.retryAfterMs;
      return c.json(body, err.status);
    }
    if (isDatabaseUnavailable(err)) {
      ctx.log.log('error', 'database unavailable', { reqId: c.get('reqId'), ...errorFields(err) });
      c.header('retry-after', '2');
      return c.json(
        { error: 'unavailable', reason: 'database unavailable, retry later', retryAfterMs: 2000 },
        503,
      );
    }
    ctx.log.log('error', 'unhandled error', { reqId: c.get('reqId'), path: c.req.path, ...errorFields(err) });
    return c.json({ error: 'internal', reason: 'internal error' }, 500);
  });
  app.notFound((c) => c.json({ error: 'not_found', reason: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.get('/healthz', async (c) => {
    await pingDatabase(ctx.db);
    return c.json({ ok: true, db: ctx.dbKind });
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'deviceToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'Device token from POST /v1/devices/enrol',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'sotto_session',
  });

  registerAuth(app, deps);
  registerDevices(app, deps);
  registerIngest(app, deps);
  registerAlerts(app, deps);
  registerConversations(app, deps);
  registerAdmin(app, deps);
  registerDocuments(app, deps);
  registerPrivacy(app, deps);
  registerQa(app, deps);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Sotto QA endpoint',
      version: '1',
      description:
        'Findings sync, devices, alerts and team documents for the Sotto extension and QA console.',
    },
    security: [{ deviceToken: [] }, { session: [] }],
  });
  return app;
}
