import { statSync } from 'node:fs';
import { connect as connectTls } from 'node:tls';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';
import { CERT_FILE, KEY_FILE, fingerprintOf, storedFingerprint } from '../net/tlsCertificate.ts';
import { REQUIRE_TLS_LINE } from '../net/tlsSniff.ts';
import { readFileSync } from 'node:fs';

let server: TestServer | undefined;
const clients: TextClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

const USERS = { alice: 'a-pass', bob: 'b-pass' };
const track = <T extends TextClient>(c: T): T => (clients.push(c), c);
const tlsText = async (port: number): Promise<TextClient & { socket: import('node:tls').TLSSocket }> =>
  track(await TextClient.openTls(port, { rejectUnauthorized: false }));

describe('TLS on the same port', () => {
  it('makes a self-signed P-256 certificate in the data folder before listening, key 0600, and keeps it across restarts', async () => {
    server = await startTestServer({ selfSigned: true }, USERS);
    expect(server.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const cert = readFileSync(join(server.dataDir, CERT_FILE), 'utf8');
    expect(fingerprintOf(cert)).toBe(server.fingerprint);
    expect(statSync(join(server.dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
    const { X509Certificate } = await import('node:crypto');
    const x = new X509Certificate(cert);
    expect(x.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(new Date(x.validTo).getTime() - Date.now()).toBeGreaterThan(9.9 * 365 * 24 * 3600 * 1000);
    expect(x.subjectAltName).toContain('IP Address:127.0.0.1');
    const first = server.fingerprint;
    await server.close();
    server = await startTestServer({ dataDir: server.dataDir, selfSigned: true });
    expect(server.fingerprint).toBe(first);
    expect(storedFingerprint(server.dataDir)).toBe(first);
  });

  it('speaks the JSON dialect inside TLS, presenting the certificate whose fingerprint it prints', async () => {
    server = await startTestServer({}, USERS);
    const text = await tlsText(server.port);
    expect(text.socket.getPeerX509Certificate()?.fingerprint256).toBe(server.fingerprint);
    const c = await JsonClient.over(text);
    expect(await c.request({ type: 'login', user: 'alice', password: 'a-pass' })).toMatchObject({ ok: true, user: 'alice' });
    const bob = track((await JsonClient.login(server.port, 'bob', 'b-pass')).text); // plain, beside it
    expect(bob.closed).toBe(false);
    const sent = await c.request({ type: 'send', to: ['bob'], text: 'over TLS' });
    expect(sent).toMatchObject({ ok: true });
  });

  it('speaks the text dialect inside TLS, as openssl s_client or ncat --ssl would', async () => {
    server = await startTestServer({}, USERS);
    const c = await tlsText(server.port);
    await c.expect('Username: ');
    c.send('alice');
    await c.expect('Password: ');
    c.send('a-pass');
    await c.expect(/Welcome, alice!/);
    c.send('who');
    await c.expect(/No one else is online|bob|online/i);
  });

  it('speaks the IRC dialect inside TLS, as irssi or WeeChat with TLS would, and reaches a JSON user', async () => {
    server = await startTestServer({}, USERS);
    const bob = await JsonClient.login(server.port, 'bob', 'b-pass', '127.0.0.2');
    const c = await tlsText(server.port);
    c.send('PASS a-pass\r\nNICK alice\r\nUSER alice 0 * :Alice');
    await c.expect(/:\S+ 001 alice /);
    expect(c.buffer).not.toContain('Username:'); // no text greeting for an IRC client
    c.send('PRIVMSG bob :hello over TLS');
    const got = await bob.waitFor((l) => l.type === 'message', 5000, 'the IRC message');
    expect(got.message).toMatchObject({ from: 'alice', text: 'hello over TLS' });
    bob.close();
  });

  it('still greets plain clients (nc) on the same port', async () => {
    server = await startTestServer({}, USERS);
    const c = track(await TextClient.login(server.port, 'alice', 'a-pass'));
    expect(c.buffer).toMatch(/Welcome, alice!/);
  });

  it('serves a plain client that speaks first (the JSON hello before any greeting) at once', async () => {
    server = await startTestServer({ sniffMs: 5000 }, USERS);
    const c = track(await TextClient.open(server.port));
    c.send('{"id":1,"type":"hello","protocol":1}');
    await c.expect(/"re":1,"ok":true/, 2000); // well before the 5 s a silent client would wait
  });

  it('with requireTls refuses a plain client with one line and closes, and still serves TLS', async () => {
    server = await startTestServer({ requireTls: true }, USERS);
    const plain = track(await TextClient.open(server.port));
    await plain.waitClosed();
    expect(plain.buffer).toBe(REQUIRE_TLS_LINE);
    expect(plain.buffer.split('\n').filter(Boolean)).toHaveLength(1);
    const typed = track(await TextClient.open(server.port));
    typed.send('alice');
    await typed.waitClosed();
    expect(typed.buffer).toBe(REQUIRE_TLS_LINE);
    const tls = await tlsText(server.port);
    await tls.expect('Username: ');
  });

  it('with TLS off answers a TLS hello with no handshake, and serves plain', async () => {
    server = await startTestServer({ tls: false }, USERS);
    expect(server.fingerprint).toBeNull();
    const err = await new Promise<Error>((resolve) => {
      const s = connectTls({ port: server!.port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(new Error('handshake succeeded')));
      s.once('error', resolve);
    });
    expect(err.message).not.toBe('handshake succeeded');
    track(await TextClient.login(server.port, 'alice', 'a-pass'));
  });

  it('uses a given certificate and key instead of its own', async () => {
    const other = await startTestServer({ selfSigned: true });
    const files = { certFile: join(other.dataDir, CERT_FILE), keyFile: join(other.dataDir, KEY_FILE) };
    server = await startTestServer({ tls: files }, USERS);
    expect(server.fingerprint).toBe(other.fingerprint);
    const c = await tlsText(server.port);
    expect(c.socket.getPeerX509Certificate()?.fingerprint256).toBe(other.fingerprint);
    await stopTestServer(other);
  });

  it('drops a client that starts a TLS handshake and stalls, within the handshake limit', async () => {
    server = await startTestServer({ limits: { loginTimeoutSec: 1 } }, USERS);
    const raw = track(await TextClient.open(server.port));
    raw.socket.write(Buffer.from([0x16, 0x03, 0x01])); // a record header, then nothing
    await raw.waitClosed(4000);
    expect(raw.buffer).toBe('');
  });
});
