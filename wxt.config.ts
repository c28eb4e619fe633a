import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { DEV_PUBLIC_KEY } from './lib/extension-key';

// See ARCHITECTURE.md: background routes, offscreen hosts workers, side panel renders.
const root = import.meta.dirname;

/** Files shipped in the extension from outside public/: ORT's .wasm and the models. */
function bundledAssets(): { absoluteSrc: string; relativeDest: string }[] {
  const out = [
    {
      absoluteSrc: resolve(root, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'),
      relativeDest: 'ort/ort-wasm-simd-threaded.wasm',
    },
  ];
  const add = (dir: string, dest: string, keep: (f: string) => boolean) => {
    const abs = resolve(root, dir);
    if (!existsSync(abs)) return;
    for (const f of readdirSync(abs).filter(keep))
      out.push({ absoluteSrc: resolve(abs, f), relativeDest: `${dest}/${f}` });
  };
  // Silero VAD v5 for call audio (MIT upstream; the @ricky0123/vad-web package is ISC).
  add('node_modules/@ricky0123/vad-web/dist', 'vad', (f) => f === 'silero_vad_v5.onnx');
  add('models', 'models', (f) => f === 'manifest.json');
  for (const name of ['emotion', 'intent'])
    add(`models/${name}`, `models/${name}`, (f) => f.endsWith('.onnx'));
  return out;
}

/** Origin patterns of every console adapter (web_accessible_resources takes origins, not paths). */
function consoleOrigins(): string[] {
  const dir = resolve(root, 'adapters');
  const out = new Set<string>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const spec = JSON.parse(readFileSync(resolve(dir, f), 'utf8')) as { matches?: string[] };
    for (const m of spec.matches ?? []) {
      const at = m.indexOf('/', m.indexOf('://') + 3);
      out.add(`${at < 0 ? m : m.slice(0, at)}/*`);
    }
  }
  return [...out];
}

/**
 * Host access is per console origin, granted at run time (`optional_host_permissions`). The only
 * origins granted at install are the loopback addresses of the repo's own fixture consoles, so the
 * demo and the e2e tier run without a permission prompt (no prompt can be answered in headless
 * Chromium); `SOTTO_STORE_BUILD=1` leaves them out of a build meant for users.
 */
function fixtureHosts(): string[] {
  if (process.env.SOTTO_STORE_BUILD === '1') return [];
  const out = new Set<string>();
  for (const f of readdirSync(resolve(root, 'adapters')).filter((f) => f.endsWith('.json'))) {
    const text = readFileSync(resolve(root, 'adapters', f), 'utf8');
    for (const m of (JSON.parse(text) as { matches?: string[] }).matches ?? []) {
      const host = /^https?:\/\/(127\.0\.0\.1|localhost)(?=[/:])/.exec(m);
      if (host) out.add(`http://${host[1]}/*`);
    }
  }
  return [...out];
}

export default defineConfig({
  modules: [],
  // Separate output folders let several builds (e.g. parallel e2e runs) coexist.
  outDir: process.env.SOTTO_OUT_DIR ?? '.output',
  hooks: {
    'build:publicAssets': (_wxt, files) => {
      files.push(...bundledAssets());
    },
  },
  manifestVersion: 3,
  vite: () => ({
    plugins: [preact()],
    // wxt#2032: `new Worker(new URL(...))` breaks in builds; we import workers with `?worker`.
    worker: { format: 'es' },
    // SOTTO_PROFILE_BUILD=1: unminified, so a CPU profile (bench:host's SOTTO_BENCH_HOST_PROFILE) names functions.
    build: {
      chunkSizeWarningLimit: 4000,
      ...(process.env.SOTTO_PROFILE_BUILD === '1' ? { minify: false } : {}),
    },
  }),
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    ...(browser === 'chrome' ? { key: DEV_PUBLIC_KEY } : {}),
    permissions: [
      'storage',
      'unlimitedStorage',
      'offscreen',
      'sidePanel',
      'alarms',
      'notifications',
      'tabCapture',
      // Console content scripts are registered at run time for granted origins (issue #6).
      'scripting',
      // The tab the toolbar button was clicked on: its address, to offer host access for it.
      'activeTab',
    ],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    host_permissions: fixtureHosts(),
    // Side-panel shortcuts; Chrome lets an extension suggest at most four keys, users can rebind them.
    commands: {
      _execute_action: { suggested_key: { default: 'Alt+Shift+S' }, description: '__MSG_cmdOpenPanel__' },
      'insert-top-hint': {
        suggested_key: { default: 'Alt+Shift+H' },
        description: '__MSG_cmdInsertTopHint__',
      },
      'next-warning': { suggested_key: { default: 'Alt+Shift+W' }, description: '__MSG_cmdNextWarning__' },
      acknowledge: { suggested_key: { default: 'Alt+Shift+A' }, description: '__MSG_cmdAcknowledge__' },
    },
    action: { default_title: '__MSG_actionTitle__' },
    side_panel: { default_path: 'sidepanel.html' },
    // WXT adds 'wasm-unsafe-eval' only in dev; onnxruntime-web needs it in production too.
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';",
    },
    // The call tap's frame sits (hidden) in console pages: only there, only this page.
    web_accessible_resources: [{ resources: ['call-tap-frame.html'], matches: consoleOrigins() }],
    // Enterprise policy (chrome.storage.managed): endpoint, enrolment, origins, sync mode, features.
    storage: { managed_schema: 'managed_schema.json' },
  }),
});
