import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHEAP_SCRYPT, startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { cspMetaPlugin, metaPolicy, webHostCsp } from '../shell/contentSecurityPolicy.ts';
import { cookieName } from './requestGuard.ts';
import { ApiSocket, get, openSocket, raw } from './webTestClient.ts';
import { startWebHost, type WebHost } from './webHost.ts';
import { MAX_FRAME_BYTES } from './wireMessages.ts';
import { testCa } from '../../server/testkit/testCa.ts';

const TEST_CA = (await testCa()).caPem;

const KEY = 'launch-key-for-this-test';
const PROFILE_A = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';
const PROFILE_B = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb';
const PROFILE_C = 'cccccccc-3333-4333-8333-cccccccccccc';

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

async function start(): Promise<WebHost> {
  const base = mkdtempSync(join(tmpdir(), 'parley-web-'));
  dirs.push(base);
  const staticDir = join(base, 'ui');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), cspMetaPlugin().transformIndexHtml('<!doctype html><html><head><title>Parley</title></head></html>'));
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'export {};');
  host = await startWebHost({ port: 0, dataDir: join(base, 'data'), staticDir, launchKey: KEY, core: { trustedCa: [TEST_CA], hostDefaults: { listenHost: '127.0.0.1', scrypt: CHEAP_SCRYPT, logLevel: 'silent' } } });
  return host;
}

/** What the browser does with the printed address: trade the key for the session cookie. */
async function sessionCookieOf(h: WebHost): Promise<string> {
  const reply = await get(h.port, `/?key=${KEY}`);
  expect(reply.status).toBe(303);
  const cookie = String(reply.headers['set-cookie']);
  return cookie.split(';')[0]!;
}

async function pageSocket(h: WebHost, profile: string, cookie: string): Promise<ApiSocket> {
  const s = await openSocket(h.port, { profile, cookie, origin: `http://127.0.0.1:${h.port}` });
  if (typeof s === 'number') throw new Error(`upgrade refused with ${s}`);
  sockets.push(s);
  return s;
}

describe('the browser host', () => {
  it('answers malformed URLs with 400 and keeps serving', async () => {
    const h = await start();
    for (const path of ['/%', '/%E0%A4%A', '/assets/%zz.js', '/a%00.js']) {
      expect(await raw(h.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect((await get(h.port, '/', { cookie: await sessionCookieOf(h) })).status).toBe(200);
  });

  it('answers 421 to any Host but 127.0.0.1 or localhost at its port (DNS rebinding), for pages and the socket', async () => {
    const h = await start();
    const cookie = await sessionCookieOf(h);
    for (const bad of [`evil.example:${h.port}`, 'evil.example', `127.0.0.1:${h.port + 1}`, `127.0.0.1.evil.example:${h.port}`]) {
      expect((await get(h.port, '/', { host: bad, cookie })).status).toBe(421);
      expect(await openSocket(h.port, { profile: PROFILE_A, cookie, origin: `http://127.0.0.1:${h.port}`, host: bad })).toBe(421);
    }
    expect((await get(h.port, '/', { host: `localhost:${h.port}`, cookie })).status).toBe(200);
  });

  it('gives nothing, not even the page, to a request without the launch cookie; the printed key sets it', async () => {
    const h = await start();
    expect(h.url).toBe(`http://127.0.0.1:${h.port}/?key=${KEY}`);
    const bare = await get(h.port, '/', { origin: `http://127.0.0.1:${h.port}` });
    expect(bare.status).toBe(403);
    expect(bare.body).not.toContain('<title>');
    expect((await get(h.port, '/assets/app.js')).status).toBe(403);
    expect((await get(h.port, '/?key=wrong-key-of-the-same-size!')).status).toBe(403);
    expect((await get(h.port, '/', { cookie: `${cookieName(h.port)}=guess` })).status).toBe(403);

    const traded = await get(h.port, `/?key=${KEY}`);
    expect(traded.status).toBe(303);
    expect(traded.headers.location).toBe('/');
    expect(String(traded.headers['set-cookie'])).toMatch(new RegExp(`^${cookieName(h.port)}=[\\w-]{40,}; Path=/; HttpOnly; SameSite=Strict$`));
    const page = await get(h.port, '/', { cookie: await sessionCookieOf(h) });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(webHostCsp(h.port));
    expect(page.body).toContain(`content="${metaPolicy(webHostCsp(h.port))}"`);
  });

  it('opens the API socket only for its own page: the right Origin and the launch cookie, both', async () => {
    const h = await start();
    const cookie = await sessionCookieOf(h);
    const origin = `http://127.0.0.1:${h.port}`;
    // A local program that fakes the Origin still lacks the cookie.
    expect(await openSocket(h.port, { profile: PROFILE_A, origin })).toBe(403);
    expect(await openSocket(h.port, { profile: PROFILE_A, origin, cookie: `${cookieName(h.port)}=forged` })).toBe(403);
    // Another site's page in the same browser sends its own Origin (and no cookie: SameSite=Strict).
    expect(await openSocket(h.port, { profile: PROFILE_A, origin: 'http://evil.example', cookie })).toBe(403);
    expect(await openSocket(h.port, { profile: PROFILE_A, cookie })).toBe(403);
    expect(await openSocket(h.port, { profile: 'short', origin, cookie })).toBe(403);
    const page = await pageSocket(h, PROFILE_A, cookie);
    expect(await page.call('getSettings')).toMatchObject({ muted: false, hostPort: 1995 });
    expect(await page.call('eval', ['1'])).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    const local = await openSocket(h.port, { profile: PROFILE_A, origin: `http://localhost:${h.port}`, cookie, host: `localhost:${h.port}` });
    expect(local).toBeInstanceOf(ApiSocket);
    if (local instanceof ApiSocket) sockets.push(local);
  });

  it('closes a socket that sends a frame over the limit, a binary frame or a malformed one, and survives', async () => {
    const h = await start();
    const cookie = await sessionCookieOf(h);
    const big = await pageSocket(h, PROFILE_A, cookie);
    big.ws.send(JSON.stringify({ id: 1, call: 'getSettings', args: [], pad: 'x'.repeat(MAX_FRAME_BYTES) }));
    expect(await big.closed()).toBe(1009);
    const binary = await pageSocket(h, PROFILE_A, cookie);
    binary.ws.send(Buffer.from('{"id":1,"call":"getState","args":[]}'));
    expect(await binary.closed()).toBe(1003);
    const junk = await pageSocket(h, PROFILE_A, cookie);
    junk.ws.send('{"call":"getState"');
    expect(await junk.closed()).toBe(1003);
    expect(await (await pageSocket(h, PROFILE_A, cookie)).call('getState')).toMatchObject({ connection: { status: 'offline' } });
  });

  it("keeps profiles apart: one profile's settings, login and events never reach another's core", async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const h = await start();
    const cookie = await sessionCookieOf(h);
    const a = await pageSocket(h, PROFILE_A, cookie);
    const b = await pageSocket(h, PROFILE_B, cookie);
    expect(await a.call('updateSettings', [{ muted: true }])).toMatchObject({ muted: true });
    expect(await a.call('login', [{ host: '127.0.0.1', port: server.port, user: 'alice', password: 'pw' }])).toEqual({ ok: true, value: { user: 'alice' } });
    // B's answer comes after anything the host sent B before it.
    expect(await b.call('getState')).toMatchObject({ connection: { status: 'offline' } });
    expect(await b.call('getSettings')).toMatchObject({ muted: false });
    expect(b.frames.filter((f) => 'event' in f)).toEqual([]);
    expect(a.frames.some((f) => 'event' in f && f.event === 'onState')).toBe(true);
    // A second page of profile A shares its core.
    expect(await (await pageSocket(h, PROFILE_A, cookie)).call('getState')).toMatchObject({ connection: { status: 'online', user: 'alice' } });
  });

  it('downloads a shared file at /files/<sha256> as an attachment of the stored type, never a page; only for a member with the cookie', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw' });
    const h = await start();
    const cookie = await sessionCookieOf(h);
    const [alice, bob, carol] = await Promise.all([pageSocket(h, PROFILE_A, cookie), pageSocket(h, PROFILE_B, cookie), pageSocket(h, PROFILE_C, cookie)]);
    for (const [s, user] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']] as const) {
      expect(await s.call('login', [{ host: '127.0.0.1', port: server.port, user, password: 'pw' }])).toMatchObject({ ok: true });
    }
    const html = Buffer.from('<!doctype html><script>alert(1)</script>');
    const sha256 = createHash('sha256').update(html).digest('hex');
    const started = (await alice.call('sendFile', [{ conversation: 'direct:alice,bob', name: 'résumé.html', size: html.length, mime: 'text/html' }])) as { ok: true; value: { transferId: string } };
    expect(await alice.call('appendFile', [{ transferId: started.value.transferId, data: html.toString('base64') }])).toMatchObject({ ok: true });
    await expect.poll(() => alice.frames.some((f) => 'event' in f && f.event === 'onFileSent'), { timeout: 10_000 }).toBe(true);

    const path = `/files/${sha256}?profile=${PROFILE_B}&name=${encodeURIComponent('résumé.html')}&mime=text%2Fhtml`;
    const got = await get(h.port, path, { cookie });
    expect(got.status).toBe(200);
    expect(got.body).toBe(html.toString('utf8'));
    expect(got.headers).toMatchObject({
      'content-type': 'text/html',
      'content-disposition': `attachment; filename="r_sum_.html"; filename*=UTF-8''r%C3%A9sum%C3%A9.html`,
      'content-length': String(html.length),
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      'cache-control': 'no-store',
    });
    // A type that is not a plain type/subtype, and a name that is a path, are not passed on.
    const odd = await get(h.port, `/files/${sha256}?profile=${PROFILE_B}&name=..%2F..%2Fx%22.html&mime=text%2Fhtml%3B%20charset%3Dutf-7`, { cookie });
    expect(odd.headers['content-type']).toBe('application/octet-stream');
    expect(odd.headers['content-disposition']).toBe(`attachment; filename="x_.html"; filename*=UTF-8''x_.html`);

    // Many slices (8 KiB each), streamed in order.
    const text = Buffer.from(Array.from({ length: 3 * 8192 + 5 }, (_, i) => 65 + (i % 26)));
    const bigSha = createHash('sha256').update(text).digest('hex');
    const big = (await alice.call('sendFile', [{ conversation: 'direct:alice,bob', name: 'big.txt', size: text.length, mime: 'text/plain' }])) as { ok: true; value: { transferId: string } };
    expect(await alice.call('appendFile', [{ transferId: big.value.transferId, data: text.toString('base64') }])).toMatchObject({ ok: true });
    await expect.poll(() => alice.frames.filter((f) => 'event' in f && f.event === 'onFileSent').length, { timeout: 10_000 }).toBe(2);
    const many = await get(h.port, `/files/${bigSha}?profile=${PROFILE_B}&name=big.txt&mime=text%2Fplain`, { cookie });
    expect([many.status, many.headers['content-length'], many.body === text.toString('latin1')]).toEqual([200, String(text.length), true]);
    expect((await get(h.port, path, { cookie }, 'POST')).status).toBe(405);

    const bare = await get(h.port, path);
    expect([bare.status, bare.body, bare.headers['content-disposition']]).toEqual([403, expect.not.stringContaining('alert'), undefined]);
    expect((await get(h.port, `/files/${sha256.toUpperCase()}?profile=${PROFILE_B}`, { cookie })).status).toBe(400);
    expect((await get(h.port, `/files/${sha256}?profile=dddddddd-4444-4444-8444-dddddddddddd`, { cookie })).status).toBe(404);
    const refused = await get(h.port, `/files/${sha256}?profile=${PROFILE_C}&name=x.html&mime=text%2Fhtml`, { cookie });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/not shared in a conversation you are a member of/);
    expect(refused.headers['content-type']).toBe('text/plain; charset=utf-8');
  });
});
