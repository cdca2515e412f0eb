import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { createCore, type Core } from '../core/core.ts';
import { stateWhere } from '../core/testing.ts';
import { keepRemembered, type RememberLifecycle } from './rememberLifecycle.ts';
import { RememberMe, type Encryptor } from './rememberMe.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
const cores: Core[] = [];
const lifecycles: RememberLifecycle[] = [];
let dir = '';

afterEach(async () => {
  for (const l of lifecycles.splice(0)) l.stop();
  for (const c of cores.splice(0)) await c.close();
  await stopTestServer(server);
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Stands in for the OS keyring (Electron's safeStorage), which plain Node does not have. */
const keyring: Encryptor = {
  isAsyncEncryptionAvailable: async () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptStringAsync: async (s) => Buffer.from(Buffer.from(s).map((b) => b ^ 0x5a)),
  decryptStringAsync: async (b) => ({ result: Buffer.from(b.map((x) => x ^ 0x5a)).toString() }),
};

/** One start of the app: a core on the shared profile folder, with Remember me wired to it. */
function launch(): { core: Core; vault: RememberMe; remembered: RememberLifecycle } {
  const core = createCore({ trustedCa: [TEST_CA], dataDir: join(dir, 'profile') });
  const vault = new RememberMe(join(dir, 'remembered-login.bin'), keyring);
  const remembered = keepRemembered(core, vault);
  cores.push(core);
  lifecycles.push(remembered);
  return { core, vault, remembered };
}

async function logIn(core: Core): Promise<void> {
  expect(await core.login({ host: '127.0.0.1', port: server!.port, user: 'alice', password: 'pw' })).toMatchObject({ ok: true });
}

describe('remember me over a real core and server', () => {
  it('saves the token at login when asked to, resumes with it at the next start, and forgets it at logout', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-remember-life-'));
    server = await startTestServer({}, { alice: 'pw' });
    const first = launch();
    await first.core.updateSettings({ rememberMe: true });
    await logIn(first.core);
    await first.remembered.settled();
    expect(await first.vault.load()).toMatchObject({ user: 'alice', token: first.core.rememberable()!.token });
    await first.core.close(); // the app quits without logging out

    const second = launch();
    expect(await second.remembered.resumeAtStart()).toEqual({ ok: true, value: { user: 'alice' } });
    await stateWhere(second.core, (s) => s.connection.status === 'online');
    expect(await second.core.logout()).toEqual({ ok: true, value: null });
    await second.remembered.settled();
    expect(existsSync(join(dir, 'remembered-login.bin'))).toBe(false);
    expect(await launch().remembered.resumeAtStart()).toBeNull();
  });

  it('saves nothing while the setting is off, and forgets what it saved once the setting is turned off', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-remember-life-'));
    server = await startTestServer({}, { alice: 'pw' });
    const app = launch();
    await logIn(app.core);
    await app.remembered.settled();
    expect(existsSync(join(dir, 'remembered-login.bin'))).toBe(false);

    await app.core.updateSettings({ rememberMe: true });
    await app.core.setAway({ message: 'brb' }); // any state change while online
    await app.remembered.settled();
    expect(existsSync(join(dir, 'remembered-login.bin'))).toBe(true);
    await app.core.updateSettings({ rememberMe: false });
    await app.core.back();
    await app.remembered.settled();
    expect(existsSync(join(dir, 'remembered-login.bin'))).toBe(false);
  });

  it('forgets a token the server refuses (revoked) but keeps one while the server is down', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-remember-life-'));
    server = await startTestServer({}, { alice: 'pw' });
    const app = launch();
    await app.core.updateSettings({ rememberMe: true });
    await app.vault.save({ server: { host: '127.0.0.1', port: server.port }, user: 'alice', token: 'revoked-or-made-up' });
    expect(await app.remembered.resumeAtStart()).toMatchObject({ ok: false, error: { code: 'bad_token' } });
    await app.remembered.settled();
    expect(await app.vault.load()).toBeNull();

    const port = server.port;
    await stopTestServer(server);
    server = undefined;
    await app.vault.save({ server: { host: '127.0.0.1', port }, user: 'alice', token: 'still-good' });
    const later = launch();
    expect(await later.remembered.resumeAtStart()).toMatchObject({ ok: false, error: { code: 'connect_failed' } });
    await later.remembered.settled();
    expect(await later.vault.load()).toMatchObject({ token: 'still-good' });
  });
});
