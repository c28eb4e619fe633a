// Builds the QA console (server/console) into server/console/dist, which the endpoint serves at /console/.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const src = new URL('../server/console/', import.meta.url);
const out = new URL('dist/', src);
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL('main.tsx', src).pathname],
  outfile: new URL('main.js', out).pathname,
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: true,
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});
copyFileSync(new URL('index.html', src), new URL('index.html', out));
copyFileSync(new URL('console.css', src), new URL('console.css', out));
