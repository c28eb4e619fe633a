import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { DEV_PUBLIC_KEY } from './lib/extension-key';

// See ARCHITECTURE.md: background routes, offscreen hosts workers, side panel renders.
export default defineConfig({
  modules: [],
  manifestVersion: 3,
  vite: () => ({
    plugins: [preact()],
    // wxt#2032: `new Worker(new URL(...))` breaks in builds; we import workers with `?worker`.
    worker: { format: 'es' },
    build: { chunkSizeWarningLimit: 4000 },
  }),
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    ...(browser === 'chrome' ? { key: DEV_PUBLIC_KEY } : {}),
    permissions: ['storage', 'unlimitedStorage', 'offscreen', 'sidePanel', 'alarms'],
    action: { default_title: '__MSG_actionTitle__' },
    side_panel: { default_path: 'sidepanel.html' },
    // WXT adds 'wasm-unsafe-eval' only in dev; onnxruntime-web needs it in production too.
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';",
    },
    web_accessible_resources: [],
  }),
});
