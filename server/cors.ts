/**
 * CORS for the browser clients that call the endpoint from another origin: the extension's
 * service worker and side panel. Only the listed origins are answered; the QA console is served
 * by the endpoint itself and needs no CORS. Tokens, not origins, authorise requests: this only
 * keeps other web pages from reading responses in a browser.
 */
import { cors } from 'hono/cors';
import { DEV_EXTENSION_ID } from '../lib/extension-key';

export function allowedOrigins(env: Record<string, string | undefined> = process.env): string[] {
  const ids = (env.SOTTO_EXTENSION_IDS ?? DEV_EXTENSION_ID)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const extra = (env.SOTTO_CORS_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...ids.map((id) => `chrome-extension://${id}`), ...extra];
}

export function endpointCors(origins: readonly string[] = allowedOrigins()) {
  const allowed = new Set(origins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: [
      'authorization',
      'content-type',
      'last-event-id',
      'if-none-match',
      'x-request-id',
      'x-sotto-lane',
    ],
    exposeHeaders: ['etag', 'retry-after', 'x-request-id'],
    maxAge: 600,
  });
}
