/** Serves the built QA console (scripts/build-console.mjs → server/console/dist) at /console/. */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../http';

const DIST = fileURLToPath(new URL('../console/dist/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

export function registerConsoleStatic(app: App): void {
  app.get('/console', (c) => c.redirect('/console/'));
  app.get('/console/*', (c) => {
    const rel = normalize(c.req.path.slice('/console/'.length)).replace(/^(\.\.[/\\])+/, '');
    let file = join(DIST, rel);
    // Client-side routes (e.g. /console/conversations/abc) all load the app shell.
    if (!rel || !file.startsWith(DIST) || !existsSync(file) || !extname(file))
      file = join(DIST, 'index.html');
    if (!existsSync(file)) return c.text('The QA console is not built: run `npm run build:console`.', 503);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    return c.body(readFileSync(file), 200, {
      'content-type': type,
      'cache-control': type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300',
    });
  });
}
