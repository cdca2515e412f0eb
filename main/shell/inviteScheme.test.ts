import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UiCommand } from '../core/api.ts';
import { createCore, type Core } from '../core/core.ts';
import { inviteForwarder, inviteLinkFromArgv, protocolClientArgs } from './inviteScheme.ts';

const FP = 'AB:'.repeat(31) + 'AB';
const LINK = `parley://192.168.1.20:1995/?fp=${'ab'.repeat(32)}&user=bob`;
let core: Core | undefined;
let dir: string | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
function realCore(): Core {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-invite-'));
  dir = dataDir;
  return (core = createCore({ dataDir }));
}

describe('the parley: scheme', () => {
  it('registers the app itself when packaged, and the script along with Electron in development', () => {
    expect(protocolClientArgs(false, '/opt/Parley/parley', ['/opt/Parley/parley'])).toEqual(['parley']);
    expect(protocolClientArgs(true, '/usr/bin/electron', ['/usr/bin/electron', '/src/dist/electron/main.cjs'])).toEqual(['parley', '/usr/bin/electron', ['/src/dist/electron/main.cjs']]);
  });

  it('finds the link among the arguments a second instance was started with', () => {
    expect(inviteLinkFromArgv(['/opt/Parley/parley', '--no-sandbox', LINK])).toBe(LINK);
    expect(inviteLinkFromArgv(['/opt/Parley/parley', 'https://example.com'])).toBeNull();
  });

  it('forwards a link to the running window: pins its fingerprint at once, fills the login window once the page is up', async () => {
    const c = realCore();
    const commands: UiCommand[] = [];
    c.onUiCommand((cmd) => commands.push(cmd));
    let shown = 0;
    const invites = inviteForwarder(c, () => void shown++);
    invites.fromArgv(['/opt/Parley/parley', LINK]);
    expect(await invites.idle()).toMatchObject([{ ok: true }]);
    expect(shown).toBe(1);
    expect((await c.getSettings()).pinnedServers).toEqual({ '192.168.1.20:1995': FP });
    expect(commands).toEqual([]); // the page is not listening yet
    invites.ready();
    expect(commands).toEqual([{ type: 'invite', target: { host: '192.168.1.20', port: 1995, fingerprint: FP, user: 'bob' } }]);
    invites.fromUrl(LINK.replace('user=bob', 'user=carol'));
    await invites.idle();
    expect(commands.at(-1)).toMatchObject({ type: 'invite', target: { user: 'carol' } });
  });

  it('ignores a link that is not a valid invite', async () => {
    const c = realCore();
    const invites = inviteForwarder(c, () => undefined);
    invites.ready();
    invites.fromUrl('parley://host:1995/?fp=short');
    expect(await invites.idle()).toMatchObject([{ ok: false, error: { code: 'invalid_argument' } }]);
    expect((await c.getSettings()).pinnedServers).toEqual({});
  });
});
