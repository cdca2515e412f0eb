import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UiCommand } from '../core/api.ts';
import { createCore, type Core } from '../core/core.ts';
import { collect } from '../core/testing.ts';
import { runCommand } from './commandRunner.ts';
import { desktopConfig } from './desktopConfig.ts';
import { IdleAway } from './desktopManners.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let core: Core | undefined;
let dataDir = '';
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});
function newCore(): Core {
  dataDir = mkdtempSync(join(tmpdir(), 'parley-wiring-'));
  return (core = createCore({ trustedCa: [TEST_CA], dataDir }));
}

describe('menu and tray commands', () => {
  it('shows the window before asking it for a dialog, and quits or shows on request', async () => {
    const c = newCore();
    const asked = collect<UiCommand>(c.onUiCommand);
    const calls: string[] = [];
    const actions = { core: c, showWindow: () => calls.push('show'), quit: () => calls.push('quit') };
    runCommand({ type: 'hostServer' }, actions);
    runCommand({ type: 'manageUsers' }, actions);
    runCommand({ type: 'connect' }, actions);
    runCommand({ type: 'customAway' }, actions);
    runCommand({ type: 'openConversation', conversation: 'everyone' }, actions);
    expect(asked.values.map((v) => v.type)).toEqual(['showHostDialog', 'showManageUsers', 'showConnect', 'showCustomAway', 'openConversation']);
    expect(asked.values[4]).toEqual({ type: 'openConversation', conversation: 'everyone' });
    runCommand({ type: 'show' }, actions);
    runCommand({ type: 'quit' }, actions);
    expect(calls).toEqual(['show', 'show', 'show', 'show', 'show', 'show', 'quit']);
  });
});

describe('idle away', () => {
  it('leaves a logged-out core alone whatever the idle time', async () => {
    const c = newCore();
    await c.updateSettings({ idleAwayMinutes: 1 });
    await new IdleAway().tick(c, 3600);
    expect((await c.getState()).away).toEqual({ away: false });
  });
});

describe('desktop configuration', () => {
  const input = { bundleDir: '/src/parley/dist/electron', packaged: false, resourcesPath: '/opt/Parley/resources', env: {}, exists: () => false };

  it('finds the UI build, the preload and the host entry beside the bundle, resources in the tree', () => {
    expect(desktopConfig(input)).toEqual({
      uiRoot: '/src/parley/dist/renderer',
      resources: '/src/parley/resources',
      preload: '/src/parley/dist/electron/preload.cjs',
      hostEntry: '/src/parley/dist/electron/hostProcess.cjs',
      userData: undefined,
      hostDefaults: {},
      e2e: false,
    });
  });

  it('uses the Electron build of better-sqlite3 when present and unpackaged, and the test environment', () => {
    const env = { PARLEY_USER_DATA: '/tmp/u', PARLEY_HOST_LISTEN: '127.0.0.1', PARLEY_E2E: '1' };
    const dev = desktopConfig({ ...input, env, exists: (p) => p.endsWith('better_sqlite3.node') });
    expect(dev).toMatchObject({ userData: '/tmp/u', e2e: true, hostDefaults: { listenHost: '127.0.0.1', nativeBinding: '/src/parley/build/electron-native/better_sqlite3.node' } });
    const packaged = desktopConfig({ ...input, packaged: true, exists: () => true });
    expect(packaged.hostDefaults).toEqual({});
    expect(packaged.resources).toBe('/opt/Parley/resources/resources');
  });
});
