import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [preact()],
  resolve: { alias: { '@': new URL('./', import.meta.url).pathname } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          setupFiles: ['test/unit/fast-check-seed.ts'],
          // No wall-clock limits on shared two-core machines: vitest's 5 s default failed property
          // and model tests that take 1–2 s when the machine is loaded; a hang still ends the run.
          testTimeout: 60_000,
          include: [
            'test/unit/**/*.test.ts',
            'lib/**/*.test.ts',
            'server/**/*.test.ts',
            'models/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          // One browser at a time: the machines have two cores and the tests drive real Chromium.
          fileParallelism: false,
          // A real browser on a shared two-core machine: in CI a test that fails is run again
          // (up to twice) before it counts as failed; a repeat failure still fails the run.
          retry: process.env.CI ? 2 : 0,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'component',
          environment: 'happy-dom',
          testTimeout: 60_000,
          include: ['test/component/**/*.test.tsx', 'test/component/**/*.test.ts'],
        },
      },
    ],
  },
});
