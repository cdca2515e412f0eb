import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../main/core/core.ts';
import { startTcpProxy, type TcpProxy } from '../../../server/testkit/tcpProxy.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../../server/testkit/testServer.ts';
import { AppState } from './app.svelte.ts';

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

async function appOverCore(): Promise<AppState> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-ui-trust-'));
  dirs.push(dataDir);
  const core = createCore({ dataDir });
  cores.push(core);
  const app = new AppState(core);
  await app.init();
  return app;
}
const serve = async (options: Parameters<typeof startTestServer>[0]): Promise<TestServer> => {
  const s = await startTestServer(options, { alice: 'pw' });
  servers.push(s);
  return s;
};

describe('AppState asks before trusting', () => {
  it('asks "Trust this server?" with the fingerprint, and logs in once the person trusts it', async () => {
    const s = await serve({ selfSigned: true });
    const app = await appOverCore();
    expect(await app.logIn('127.0.0.1', s.port, 'alice', 'pw')).toBe(false);
    expect(app.question).toEqual({ kind: 'untrusted', host: '127.0.0.1', port: s.port, fingerprint: s.fingerprint });
    expect(app.errorText).toBeNull();
    expect(await app.answerYes()).toBe(true);
    flushSync();
    expect(app.inChat).toBe(true);
    expect(app.encrypted).toBe(true);
  });

  it('names both fingerprints when a pinned certificate changed; Cancel leaves it refused', async () => {
    const first = await serve({ selfSigned: true });
    proxy = await startTcpProxy(first.port);
    const app = await appOverCore();
    await app.api.trustServer({ host: '127.0.0.1', port: proxy.port, fingerprint: first.fingerprint! });
    const second = await serve({ selfSigned: true });
    proxy.targetPort = second.port;
    expect(await app.logIn('127.0.0.1', proxy.port, 'alice', 'pw')).toBe(false);
    expect(app.question).toEqual({ kind: 'changed', host: '127.0.0.1', port: proxy.port, fingerprint: second.fingerprint, pinnedFingerprint: first.fingerprint });
    app.answerNo();
    expect(app.question).toBeNull();
    expect((await app.api.getSettings()).pinnedServers[`127.0.0.1:${proxy.port}`]).toBe(first.fingerprint);
  });

  it('sends the password to a plain-only server only after the person agrees, then says it is not encrypted', async () => {
    const s = await serve({ tls: false });
    const app = await appOverCore();
    expect(await app.logIn('127.0.0.1', s.port, 'alice', 'pw')).toBe(false);
    expect(app.question).toMatchObject({ kind: 'plain', port: s.port });
    expect(await app.answerYes()).toBe(true);
    flushSync();
    expect(app.encrypted).toBe(false);
  });
});
