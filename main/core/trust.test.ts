import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../server/testkit/tcpProxy.ts';
import { testCa } from '../../server/testkit/testCa.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { createCore, type Core } from './core.ts';
import { inviteLinkFor } from './inviteLink.ts';
import { stateWhere } from './testing.ts';

const servers: TestServer[] = [];
const cores: Core[] = [];
const dirs: string[] = [];
let proxy: TcpProxy | undefined;
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  await proxy?.close();
  proxy = undefined;
  for (const s of servers.splice(0)) await stopTestServer(s);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newCore(extra: Partial<Parameters<typeof createCore>[0]> = {}): Core {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-trust-'));
  dirs.push(dataDir);
  const core = createCore({ dataDir, backoff: { initialMs: 20, maxMs: 200 }, ...extra });
  cores.push(core);
  return core;
}
async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(options, { alice: 'pw' });
  servers.push(s);
  return s;
}
const login = (core: Core, port: number, allowPlain?: boolean) =>
  core.login({ host: '127.0.0.1', port, user: 'alice', password: 'pw', ...(allowPlain ? { allowPlain } : {}) });

describe('trust on first use', () => {
  it('asks once about a self-signed certificate, with its fingerprint, then pins it per host:port', async () => {
    const s = await server({ selfSigned: true });
    const core = newCore();
    const first = await login(core, s.port);
    expect(first).toEqual({ ok: false, error: expect.objectContaining({ code: 'cert_untrusted', fingerprint: s.fingerprint }) });
    expect((await core.getState()).connection).toMatchObject({ status: 'offline', code: 'cert_untrusted' });
    await core.trustServer({ host: '127.0.0.1', port: s.port, fingerprint: s.fingerprint! });
    expect(await login(core, s.port)).toEqual({ ok: true, value: { user: 'alice' } });
    expect((await core.getState()).security).toEqual({ encrypted: true, fingerprint: s.fingerprint, verifiedBy: 'pin' });
    expect((await core.getSettings()).pinnedServers).toEqual({ [`127.0.0.1:${s.port}`]: s.fingerprint });
    await core.logout();
    expect(await login(core, s.port)).toMatchObject({ ok: true }); // not asked again
  });

  it('refuses a changed certificate naming both fingerprints, until the new one is deliberately accepted', async () => {
    const old = await server({ selfSigned: true });
    proxy = await startTcpProxy(old.port);
    const core = newCore();
    await core.trustServer({ host: '127.0.0.1', port: proxy.port, fingerprint: old.fingerprint! });
    expect(await login(core, proxy.port)).toMatchObject({ ok: true });
    await core.logout();
    const impostor = await server({ selfSigned: true }); // same address, another certificate
    proxy.targetPort = impostor.port;
    const refused = await login(core, proxy.port);
    expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'cert_changed', fingerprint: impostor.fingerprint, pinnedFingerprint: old.fingerprint }) });
    expect(!refused.ok && refused.error.message).toContain(old.fingerprint!);
    expect(!refused.ok && refused.error.message).toContain(impostor.fingerprint!);
    await core.trustServer({ host: '127.0.0.1', port: proxy.port, fingerprint: impostor.fingerprint! });
    expect(await login(core, proxy.port)).toMatchObject({ ok: true });
  });

  it('stops reconnecting when the server comes back with another certificate, saying why', async () => {
    const old = await server({ selfSigned: true });
    proxy = await startTcpProxy(old.port);
    const core = newCore();
    await core.trustServer({ host: '127.0.0.1', port: proxy.port, fingerprint: old.fingerprint! });
    expect(await login(core, proxy.port)).toMatchObject({ ok: true });
    const impostor = await server({ selfSigned: true });
    proxy.targetPort = impostor.port;
    proxy.cut();
    const offline = await stateWhere(core, (st) => st.connection.status === 'offline', 5000, 'stopped');
    expect(offline.connection).toMatchObject({ code: 'kicked', reason: expect.stringContaining(impostor.fingerprint!) });
  });

  it('accepts a certificate a trusted CA signed for the address, silently', async () => {
    const s = await server(); // the test CA's certificate for 127.0.0.1
    const core = newCore({ trustedCa: [(await testCa()).caPem] });
    expect(await login(core, s.port)).toMatchObject({ ok: true });
    expect((await core.getState()).security).toMatchObject({ encrypted: true, verifiedBy: 'ca' });
    // Without the CA it is just another unknown certificate.
    expect(await login(newCore(), s.port)).toMatchObject({ ok: false, error: { code: 'cert_untrusted' } });
  });

  it('sends a password to a plain-only server only after the person confirms, and marks it not encrypted', async () => {
    const s = await server({ tls: false });
    proxy = await startTcpProxy(s.port);
    const core = newCore();
    const asked = await login(core, proxy.port);
    expect(asked).toMatchObject({ ok: false, error: { code: 'not_encrypted' } });
    expect(Buffer.concat(proxy.fromClients).toString('latin1')).not.toContain('"password"');
    expect(await login(core, proxy.port, true)).toMatchObject({ ok: true });
    expect(Buffer.concat(proxy.fromClients).toString('latin1')).toContain('"password":"pw"');
    expect((await core.getState()).security).toEqual({ encrypted: false });
    expect(core.rememberable()).toBeNull(); // its token would travel in clear text
  });

  it('never sends a resume token without TLS: resuming on a plain server fails before asking', async () => {
    const s = await server({ tls: false });
    const core = newCore();
    expect(await core.resume({ server: { host: '127.0.0.1', port: s.port }, token: 'secret-token' })).toMatchObject({ ok: false, error: { code: 'not_encrypted' } });
  });

  it('reconnects to a plain server by logging in again, never with the token', async () => {
    const s = await server({ tls: false });
    proxy = await startTcpProxy(s.port);
    const core = newCore();
    expect(await login(core, proxy.port, true)).toMatchObject({ ok: true });
    proxy.fromClients.length = 0;
    proxy.cut();
    await stateWhere(core, (st) => st.connection.status === 'reconnecting', 5000, 'reconnecting');
    await stateWhere(core, (st) => st.connection.status === 'online', 5000, 'online again');
    const sent = Buffer.concat(proxy.fromClients).toString('latin1');
    expect(sent).toContain('"type":"login"');
    expect(sent).not.toContain('"type":"resume"');
  });

  it('refuses to fall back to clear text for a server pinned with TLS', async () => {
    const tlsServer = await server({ selfSigned: true });
    proxy = await startTcpProxy(tlsServer.port);
    const core = newCore();
    await core.trustServer({ host: '127.0.0.1', port: proxy.port, fingerprint: tlsServer.fingerprint! });
    const plain = await server({ tls: false });
    proxy.targetPort = plain.port;
    const r = await login(core, proxy.port);
    expect(r).toMatchObject({ ok: false, error: { code: 'not_encrypted' } });
    expect(!r.ok && r.error.message).toMatch(/encrypted before/);
  });

  it('keeps an existing pin when a server announced on the LAN claims another fingerprint for it', async () => {
    const s = await server({ selfSigned: true });
    const core = newCore();
    await core.trustServer({ host: '127.0.0.1', port: s.port, fingerprint: s.fingerprint! });
    const spoofed = 'AB:'.repeat(31) + 'AB';
    await core.trustServer({ host: '127.0.0.1', port: s.port, fingerprint: spoofed, unlessPinned: true });
    expect((await core.getSettings()).pinnedServers[`127.0.0.1:${s.port}`]).toBe(s.fingerprint);
    expect(await login(core, s.port)).toMatchObject({ ok: true });
  });

  it('pins the fingerprint of an invite link without asking', async () => {
    const s = await server({ selfSigned: true });
    const core = newCore();
    const link = inviteLinkFor('127.0.0.1', s.port, s.fingerprint!, 'alice');
    expect(link).toBe(`parley://127.0.0.1:${s.port}/?fp=${s.fingerprint!.replaceAll(':', '').toLowerCase()}&user=alice`);
    expect(await core.openInvite({ link })).toEqual({ ok: true, value: { host: '127.0.0.1', port: s.port, fingerprint: s.fingerprint, user: 'alice' } });
    expect(await login(core, s.port)).toMatchObject({ ok: true });
    expect(await core.openInvite({ link: 'parley://127.0.0.1:1/?fp=abc' })).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await core.openInvite({ link: 'https://example.com/' })).toMatchObject({ ok: false });
  });
});
