import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles the renderer's rune state classes (*.svelte.ts) for their tests.
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  test: {
    include: ['server/**/*.test.ts', 'main/**/*.test.ts', 'renderer/src/**/*.test.ts', 'checks/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Robustness tests check that memory returns to its baseline after a forced collection.
    execArgv: ['--expose-gc'],
    // Every server, app core and CLI a test starts multicasts (mDNS) on loopback only, never on the LAN.
    env: { PARLEY_MDNS_INTERFACE: '127.0.0.1' },
  },
});
