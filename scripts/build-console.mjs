// Builds the QA console (server/console) into server/console/dist, which the endpoint serves at /console/.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * The console names intents as the extension does, from its locale files (server/console/i18n.ts);
 * only their `intent_` entries go into the bundle, not the whole extension's strings.
 */
const intentNamesOnly = {
  name: 'intent-names-only',
  setup(b) {
    b.onLoad({ filter: /_locales[\\/][^\\/]+[\\/]messages\.json$/ }, (args) => {
      const all = JSON.parse(readFileSync(args.path, 'utf8'));
      const kept = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('intent_')));
      return { contents: JSON.stringify(kept), loader: 'json' };
    });
  },
};

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
  plugins: [intentNamesOnly],
});
copyFileSync(new URL('index.html', src), new URL('index.html', out));
copyFileSync(new URL('console.css', src), new URL('console.css', out));
