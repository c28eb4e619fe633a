/**
 * Rulebooks, script libraries and model manifests per team, as versioned JSON documents. The
 * body is stored opaquely here (its schema lives in lib/rules and is checked by the extension
 * before it swaps versions); ETag + If-None-Match make the extension's update check cheap.
 */
import { createHash } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { SSEStreamingApi } from 'hono/streaming';
import { z } from 'zod';
import { DOCUMENT_KINDS, type DocumentChange, DocumentKind, TeamDocument } from '../../lib/sync/protocol';
import { type App, type AppDeps, type Env, authErrors, who } from '../http';
import { HttpError, type Principal, requireRole, requireTeam } from '../principal';
import { recordAudit } from '../privacy';
import { eventStream } from '../sse';

const MAX_DOCUMENT_BYTES = 2_000_000;
/** A comment line this often keeps proxies and the device from taking a quiet stream for dead. */
const HEARTBEAT_MS = 25_000;

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function registerDocuments(app: App, deps: AppDeps): void {
  const { ctx } = deps;

  async function latest(teamId: string, kind: string) {
    return ctx.db
      .selectFrom('documents')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('kind', '=', kind)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async function serve(c: Context<Env>, p: Principal, teamId: string, kind: string) {
    await requireTeam(ctx, p, teamId);
    const doc = await latest(teamId, kind);
    if (!doc) throw new HttpError(404, 'not_found', `no ${kind} published for this team`);
    c.header('etag', doc.etag);
    c.header('cache-control', 'no-cache');
    if (etagMatches(c.req.header('if-none-match'), doc.etag)) return c.body(null, 304);
    return c.json(
      {
        teamId,
        kind: kind as z.infer<typeof DocumentKind>,
        version: doc.version,
        body: doc.body,
        updatedAt: doc.created_at,
      },
      200,
    );
  }

  // Before `/v1/documents/{kind}`, which would otherwise take `changes` for a kind.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/documents/changes',
    tags: ['documents'],
    summary:
      'Server-Sent Events for the calling device’s team: first one `document` event per published kind ' +
      '(data: DocumentChange, its current version and ETag), then one per new publication',
    responses: { 200: { description: 'text/event-stream' }, ...authErrors },
  });

  app.get('/v1/documents/changes', async (c) => {
    const p = requireRole(await who(c, deps), ['agent', 'lead', 'qa', 'admin']);
    const teamId = p.deviceTeamId ?? p.teamIds[0];
    if (!teamId) throw new HttpError(404, 'not_found', 'caller has no team');
    await requireTeam(ctx, p, teamId);
    // The device compares ETags, so a change both caught up and pushed (published while the
    // stream opened) does no harm.
    const send = (stream: SSEStreamingApi, change: DocumentChange) =>
      stream.writeSSE({ event: 'document', data: JSON.stringify(change) });
    return eventStream<DocumentChange>(c, {
      retryMs: 2000,
      heartbeatMs: HEARTBEAT_MS,
      subscribe: (push) => ctx.documentChanges.subscribe([teamId], (change) => push([change])),
      async catchUp(stream) {
        for (const kind of DOCUMENT_KINDS) {
          const doc = await latest(teamId, kind);
          if (doc) await send(stream, { teamId, kind, version: doc.version, etag: doc.etag });
        }
      },
      ready: () => '{}',
      async deliver(stream, changes) {
        for (const change of changes) await send(stream, change);
      },
    });
  });

  const params = z.object({ teamId: z.string().max(100), kind: DocumentKind });
  const docResponses = {
    200: {
      description: 'latest version; ETag header set',
      content: { 'application/json': { schema: TeamDocument } },
    },
    304: { description: 'not modified (If-None-Match matched)' },
    ...authErrors,
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/teams/{teamId}/documents/{kind}',
      tags: ['documents'],
      summary: 'Latest rulebook / script library / model manifest of a team',
      request: { params },
      responses: docResponses,
    }),
    // biome-ignore lint/suspicious/noExplicitAny: 304 has no body, which zod-openapi's typed responses cannot express
    (async (c: any) => {
      const p = requireRole(await who(c, deps), ['agent', 'lead', 'qa', 'admin']);
      const { teamId, kind } = c.req.valid('param');
      return serve(c, p, teamId, kind);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/documents/{kind}',
      tags: ['documents'],
      summary: 'The calling device’s team document (what the extension polls)',
      request: { params: z.object({ kind: DocumentKind }) },
      responses: docResponses,
    }),
    // biome-ignore lint/suspicious/noExplicitAny: see above
    (async (c: any) => {
      const p = requireRole(await who(c, deps), ['agent', 'lead', 'qa', 'admin']);
      const teamId = p.deviceTeamId ?? p.teamIds[0];
      if (!teamId) throw new HttpError(404, 'not_found', 'caller has no team');
      return serve(c, p, teamId, c.req.valid('param').kind);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/teams/{teamId}/documents/{kind}',
      tags: ['documents'],
      summary: 'Publish a new version (qa, admin); the body is stored as given',
      request: {
        params,
        body: {
          content: { 'application/json': { schema: z.object({ body: z.unknown() }) } },
          required: true,
        },
      },
      responses: {
        201: {
          description: 'published',
          content: { 'application/json': { schema: z.object({ version: z.number(), etag: z.string() }) } },
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['qa', 'admin']);
      const { teamId, kind } = c.req.valid('param');
      await requireTeam(ctx, p, teamId);
      const { body } = c.req.valid('json');
      if (body === undefined) throw new HttpError(400, 'bad_request', 'body is required');
      const json = JSON.stringify(body);
      if (json.length > MAX_DOCUMENT_BYTES) throw new HttpError(413, 'too_large', 'document over 2 MB');
      const out = await ctx.db.transaction().execute(async (trx) => {
        const prev = await trx
          .selectFrom('documents')
          .select('version')
          .where('team_id', '=', teamId)
          .where('kind', '=', kind)
          .orderBy('version', 'desc')
          .limit(1)
          .forUpdate()
          .executeTakeFirst();
        const version = (prev?.version ?? 0) + 1;
        const digest = createHash('sha256').update(json).digest('base64url').slice(0, 16);
        const etag = `"${kind}-v${version}-${digest}"`;
        await trx
          .insertInto('documents')
          .values({
            team_id: teamId,
            kind,
            version,
            body: json,
            etag,
            created_by: p.userId,
            created_at: ctx.now(),
          })
          .execute();
        return { version, etag };
      });
      ctx.documentChanges.publish({ teamId, kind, ...out });
      ctx.log.log('info', 'document published', { teamId, kind, version: out.version, by: p.userId });
      await recordAudit(ctx, p, 'document-publish', null, { teamId, kind, version: out.version });
      return c.json(out, 201);
    },
  );
}
