import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';
import { DEFAULT_SCRYPT } from '../auth/passwords.ts';

let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

async function restart(): Promise<void> {
  const dataDir = server!.dataDir;
  await server!.close();
  server = await startTestServer({ dataDir });
}

async function login(user: string, pw = 'pw'): Promise<TextClient> {
  const c = await TextClient.login(server!.port, user, pw);
  clients.push(c);
  return c;
}

describe('persistence', () => {
  it('delivers a message to an offline user at their next login across a server restart', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await login('alice');
    alice.send('send bob are you there?');
    await alice.expect('bob is offline');
    await restart();
    const bob = await login('bob');
    await bob.expect(/^alice: are you there\?$/m);
    bob.send('logout');
    await bob.waitClosed();
    // Delivered once: the next login has nothing waiting.
    const again = await login('bob');
    again.send('who');
    await again.expect('No other users are online.');
    expect(again.buffer).not.toContain('are you there');
  });

  it('remembers login and logout times for last across a restart', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const bob = await login('bob');
    bob.send('logout');
    await bob.waitClosed();
    await restart();
    const alice = await login('alice');
    alice.send('last 10');
    await alice.expect(/^bob$/m);
  });

  it('imports SHA-1 entries of user_pass.txt and upgrades them to scrypt at the first login', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const file = join(server.dataDir, 'user_pass.txt');
    const sha1 = createHash('sha1').update('facebook').digest('hex');
    writeFileSync(file, `columbia 116bway\ngoogle ${sha1}\nalice other\n`);
    expect(await server.users.importFile(file)).toEqual({ added: 2, skipped: 1 });
    const db = new Database(join(server.dataDir, 'parley.db'), { readonly: true });
    const hashOf = (n: string): string => (db.prepare('SELECT password_hash AS h FROM users WHERE name = ?').get(n) as { h: string }).h;
    // Stored as scrypt over the digest: no unsalted digest on disk, and a check costs a full hash.
    expect(hashOf('google')).toMatch(/^scrypt-sha1\$/);
    expect(hashOf('google')).not.toContain(sha1);
    expect(hashOf('columbia')).toMatch(/^scrypt\$/);
    await login('columbia', '116bway');
    const google = await login('google', 'facebook');
    google.send('who');
    await google.expect(/columbia/);
    // The upgrade runs after the answer: wait for it by polling the row, bounded.
    const deadline = Date.now() + 5000;
    while (!hashOf('google').startsWith('scrypt$')) {
      if (Date.now() > deadline) throw new Error('SHA-1 hash was not upgraded');
      await new Promise((r) => setTimeout(r, 20));
    }
    db.close();
  });

  it('wraps SHA-1 digests left by an older Parley in scrypt before it listens; the password still logs in', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const dataDir = server.dataDir;
    await stopTestServer(server, true);
    const sha1 = createHash('sha1').update('facebook').digest('hex');
    const old = new Database(join(dataDir, 'parley.db'));
    old.prepare("INSERT INTO users (name, password_hash, created_at) VALUES ('google', ?, 1)").run(`sha1$${sha1}`);
    old.close();
    server = await startTestServer({ dataDir });
    const db = new Database(join(dataDir, 'parley.db'), { readonly: true });
    const stored = (db.prepare("SELECT password_hash AS h FROM users WHERE name = 'google'").get() as { h: string }).h;
    db.close();
    expect(stored).toMatch(/^scrypt-sha1\$/);
    expect(stored).not.toContain(sha1);
    const google = await login('google', 'facebook');
    google.send('who');
    await google.expect('No other users');
  });

  it('never writes a password to the database, its WAL or the log, and hashes with OWASP parameters', async () => {
    const logged: string[] = [];
    const log = { info: (f: object, m: string) => logged.push(JSON.stringify(f) + m), warn: (f: object, m: string) => logged.push(JSON.stringify(f) + m), error: (f: object, m: string) => logged.push(JSON.stringify(f) + m) };
    server = await startTestServer({ scrypt: DEFAULT_SCRYPT, log });
    await server.users.add('alice', 'Sup3rSecretPassw0rd');
    const c = await login('alice', 'Sup3rSecretPassw0rd');
    c.send('who');
    await c.expect('No other users');
    const j = await JsonClient.open(server.port);
    clients.push(j);
    await j.request({ type: 'login', user: 'alice', password: 'Sup3rSecretPassw0rdX' }, 10_000);
    // Every file in the data folder, the file store's folders included.
    for (const f of readdirSync(server.dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      const bytes = readFileSync(join(f.parentPath, f.name));
      expect(bytes.includes('Sup3rSecretPassw0rd'), f.name).toBe(false);
    }
    expect(logged.join('\n')).not.toContain('Sup3rSecretPassw0rd');
    const db = new Database(join(server.dataDir, 'parley.db'), { readonly: true });
    const { h } = db.prepare("SELECT password_hash AS h FROM users WHERE name = 'alice'").get() as { h: string };
    db.close();
    expect(h.split('$').slice(0, 4)).toEqual(['scrypt', String(2 ** 17), '8', '1']);
  });

  it('keeps answering who while twenty failed logins are being hashed', async () => {
    server = await startTestServer({ scrypt: DEFAULT_SCRYPT }, {});
    await server.users.add('alice', 'pw');
    const bob = await JsonClient.open(server.port);
    clients.push(bob);
    // Twenty addresses: one address gets one password check at a time (see limits.test.ts).
    const attackers = await Promise.all(Array.from({ length: 20 }, (_, i) => JsonClient.open(server!.port, `127.0.1.${i + 1}`)));
    clients.push(...attackers);
    const alice = await JsonClient.open(server.port);
    clients.push(alice);
    const aliceIn = alice.request({ type: 'login', user: 'alice', password: 'pw' }, 60_000);
    await aliceIn;
    let failuresAnswered = 0;
    const failures = attackers.map((a, i) =>
      a.request({ type: 'login', user: `nobody${i}`, password: 'x' }, 60_000).then(() => failuresAnswered++),
    );
    const who = await alice.request({ type: 'who' });
    expect(who.ok).toBe(true);
    // `who` did not wait behind the hashes: most of them were still running when it answered.
    expect(failuresAnswered).toBeLessThan(10);
    await Promise.all(failures);
  }, 60_000);
});
