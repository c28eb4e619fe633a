/** Shared pieces of the HTTP layer: the app type, the caller lookup and the error responses. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ErrorBody } from '../lib/sync/protocol';
import type { AlertHub } from './alerts/hub';
import type { DeliveryWorker } from './alerts/deliveries';
import type { ServerContext } from './context';
import type { Principal, PrincipalResolver } from './principal';

export type Env = { Variables: { principal: Principal | null; reqId: string } };
export type App = OpenAPIHono<Env>;

export interface AppDeps {
  ctx: ServerContext;
  resolver: PrincipalResolver;
  hub: AlertHub;
  deliveries: DeliveryWorker;
  /** Called after a transaction commits new alerts: fan out and queue webhooks. */
  onAlerts(rows: Parameters<AlertHub['publish']>[0]): void;
}

/** The caller, resolved once per request (null = anonymous). */
export async function who(c: Context<Env>, deps: AppDeps): Promise<Principal | undefined> {
  const cached = c.get('principal');
  if (cached !== undefined) return cached ?? undefined;
  const p = await deps.resolver.resolve(c);
  c.set('principal', p ?? null);
  return p;
}

const json = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});

/** Error responses every authenticated route can give, for the OpenAPI document. */
export const authErrors = {
  401: json('not signed in, or the device token is unknown, revoked or rotated'),
  403: json('the caller’s role may not do this'),
  404: json('not found, or outside the caller’s teams'),
  503: json('database unavailable, or (ingest) the endpoint is busy; retry after Retry-After'),
} as const;
