#!/usr/bin/env node
/**
 * Builds the fixture consoles that use React chat kits (chatscope, react-chat-elements) into
 * `test/fixtures/consoles/<name>/dist/`, so the static fixture server can serve them. Fast
 * (esbuild); the adapter e2e tests and bench:host call it before they start.
 *   node scripts/build-fixtures.mjs
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const consoles = resolve(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/consoles');
export const BUILT_CONSOLES = ['chatscope', 'rce'];

export async function buildFixtures() {
  for (const name of BUILT_CONSOLES) {
    const entry = join(consoles, name, 'src/main.jsx');
    if (!existsSync(entry)) throw new Error(`missing ${entry}`);
    await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      outdir: join(consoles, name, 'dist'),
      entryNames: 'main',
      jsx: 'automatic',
      // The repo's tsconfig points JSX at Preact; these consoles are React apps.
      jsxImportSource: 'react',
      tsconfigRaw: {},
      minify: true,
      target: 'chrome120',
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'warning',
      loader: {
        '.svg': 'dataurl',
        '.png': 'dataurl',
        '.woff': 'dataurl',
        '.woff2': 'dataurl',
        '.ttf': 'dataurl',
      },
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await buildFixtures();
  console.log(`built ${BUILT_CONSOLES.join(', ')} into test/fixtures/consoles/*/dist/`);
}
