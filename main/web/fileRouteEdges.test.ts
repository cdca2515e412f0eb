/**
 * Edges of the browser host's `/files/<sha256>` route that the main web host test does not reach:
 * files with nothing in them, and names that are only what a hostile sender typed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHEAP_SCRYPT, startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { testCa } from '../../server/testkit/testCa.ts';
import { cspMetaPlugin } from '../shell/contentSecurityPolicy.ts';
import { ApiSocket, get, openSocket } from './webTestClient.ts';
import { startWebHost, type WebHost } from './webHost.ts';

const TEST_CA = (await testCa()).caPem;
const KEY = 'launch-key-for-the-file-edges';
const PROFILE_A = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';
const PROFILE_B = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb';

let host: WebHost | undefined;
let server: TestServer | undefined;
const sockets: ApiSocket[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await host?.close();
  host = undefined;
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(): Promise<{ h: WebHost; cookie: string }> {
  const base = mkdtempSync(join(tmpdir(), 'parley-web-'));
  dirs.push(base);
  const staticDir = join(base, 'ui');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), cspMetaPlugin().transformIndexHtml('<!doctype html><html><head><title>Parley</title></head></html>'));
  host = await startWebHost({ port: 0, dataDir: join(base, 'data'), staticDir, launchKey: KEY, core: { trustedCa: [TEST_CA], hostDefaults: { listenHost: '127.0.0.1', scrypt: CHEAP_SCRYPT, logLevel: 'silent' } } });
  const traded = await get(host.port, `/?key=${KEY}`);
  return { h: host, cookie: String(traded.headers['set-cookie']).split(';')[0]! };
}

async function loggedIn(h: WebHost, cookie: string, profile: string, user: string): Promise<ApiSocket> {
  const s = await openSocket(h.port, { profile, cookie, origin: `http://127.0.0.1:${h.port}` });
  if (typeof s === 'number') throw new Error(`upgrade refused with ${s}`);
  sockets.push(s);
  expect(await s.call('login', [{ host: '127.0.0.1', port: server!.port, user, password: 'pw' }])).toMatchObject({ ok: true });
  return s;
}

async function share(alice: ApiSocket, name: string, bytes: Buffer, mime: string): Promise<string> {
  const sent = alice.frames.filter((f) => 'event' in f && f.event === 'onFileSent').length;
  const started = (await alice.call('sendFile', [{ conversation: 'direct:alice,bob', name, size: bytes.length, mime }])) as { ok: true; value: { transferId: string } };
  expect(started).toMatchObject({ ok: true });
  if (bytes.length > 0) expect(await alice.call('appendFile', [{ transferId: started.value.transferId, data: bytes.toString('base64') }])).toMatchObject({ ok: true });
  await expect.poll(() => alice.frames.filter((f) => 'event' in f && f.event === 'onFileSent').length, { timeout: 10_000 }).toBe(sent + 1);
  return createHash('sha256').update(bytes).digest('hex');
}

describe('the browser host file route, at its edges', () => {
  it('downloads an empty file as a complete, empty attachment', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const { h, cookie } = await start();
    const alice = await loggedIn(h, cookie, PROFILE_A, 'alice');
    await loggedIn(h, cookie, PROFILE_B, 'bob');
    const sha256 = await share(alice, 'empty.txt', Buffer.alloc(0), 'text/plain');
    const got = await get(h.port, `/files/${sha256}?profile=${PROFILE_B}&name=empty.txt&mime=text%2Fplain`, { cookie });
    expect([got.status, got.headers['content-length'], got.body]).toEqual([200, '0', '']);
  });
});
