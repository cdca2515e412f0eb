/**
 * The desktop app itself, through Playwright's Electron driver: the page comes from app://, one
 * IPC call goes there and back, then host a server, log in, go away from the tray menu's template, quit. Runs wherever an Electron binary is installed;
 * elsewhere it is skipped and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import { findElectronBinary } from '../../launch/electronBinary.ts';
import { buildElectron } from '../../launch/buildElectron.ts';
import { ensureRendererBuilt } from '../../web/buildRenderer.ts';
import { freePort } from '../../../renderer/e2e/helpers.ts';
import { APP_PAGE_URL } from '../../shell/appProtocol.ts';
import type { MenuItemSpec, ShellCommand } from '../../shell/commands.ts';

const binary = findElectronBinary();
const skipReason = binary.ok ? '' : `Electron binary not installed: ${binary.reason}`;
if (!binary.ok) console.log(`[electron e2e] skipped - ${skipReason}`);

interface TestHook {
  trayItems(): Promise<MenuItemSpec[]>;
  run(command: ShellCommand): void;
}

test('the desktop app loads app://, answers IPC, hosts, logs in, goes away from the tray menu and quits', async () => {
  test.skip(!binary.ok, skipReason);
  if (!binary.ok) return;
  await ensureRendererBuilt();
  await buildElectron();
  const userData = mkdtempSync(join(tmpdir(), 'parley-electron-e2e-'));
  const app = await electron.launch({
    executablePath: binary.path,
    args: [fileURLToPath(new URL('../../..', import.meta.url)), '--no-sandbox'],
    env: { ...process.env, PARLEY_E2E: '1', PARLEY_USER_DATA: userData, PARLEY_HOST_LISTEN: '127.0.0.1' },
  });
  try {
    const page = await app.firstWindow();
    expect(page.url()).toBe(APP_PAGE_URL);
    const settings = await page.evaluate(() => (globalThis as unknown as { parley: { getSettings(): Promise<{ hostPort: number }> } }).parley.getSettings());
    expect(settings.hostPort).toBe(1995);
    await page.getByRole('button', { name: 'Host a server on this computer' }).click();
    await page.getByLabel('Port', { exact: true }).fill(String(await freePort()));
    await page.getByLabel('Username').fill('host');
    await page.getByLabel('Password').fill('host-pw');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();

    await app.evaluate(async () => {
      const hook = (globalThis as unknown as { parleyTest: TestHook }).parleyTest;
      const away = (await hook.trayItems()).find((i) => i.label === 'Away');
      if (!away?.command) throw new Error('no Away item in the tray menu');
      hook.run(away.command);
    });
    await expect(page.getByText('You are away: I am away')).toBeVisible();

    const closed = app.waitForEvent('close');
    await app.evaluate(() => (globalThis as unknown as { parleyTest: TestHook }).parleyTest.run({ type: 'quit' }));
    await closed;
  } finally {
    await app.close().catch(() => undefined);
    rmSync(userData, { recursive: true, force: true });
  }
});
