import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

/** An ephemeral loopback port for the web host (the config is loaded once per process). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

process.env.PARLEY_E2E_PORT ??= String(await freePort());
process.env.PARLEY_E2E_DATA ??= mkdtempSync(join(tmpdir(), 'parley-e2e-'));
// The web host's launch key for this run (it prints one of its own otherwise); the specs open /?key=...
process.env.PARLEY_E2E_KEY ??= randomBytes(18).toString('base64url');
const port = Number(process.env.PARLEY_E2E_PORT);

export default defineConfig({
  testMatch: '*.spec.ts',
  projects: [
    { name: 'chromium', testDir: 'renderer/e2e' },
    // Skipped, with the reason printed, where no Electron binary is installed.
    { name: 'electron', testDir: 'main/electron/e2e' },
  ],
  timeout: 90_000,
  expect: { timeout: 10_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    browserName: 'chromium',
    launchOptions: {
      // Debian's Chromium: Playwright cannot download its own browser here.
      executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
    screenshot: 'only-on-failure',
  },
  webServer: {
    // The same command a user runs; hosted servers stay on loopback in tests.
    command: `npm run web -- --port ${port} --data ${process.env.PARLEY_E2E_DATA} --listen-host 127.0.0.1`,
    // Ready when it answers at all: without the key or cookie that is a 403.
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    // Hosted servers log only warnings and errors during the tests.
    // Discovery and announcements multicast on loopback only, never on the machine's network.
    env: { PARLEY_LOG_LEVEL: 'warn', PARLEY_WEB_KEY: process.env.PARLEY_E2E_KEY, PARLEY_MDNS_INTERFACE: '127.0.0.1' },
  },
});
