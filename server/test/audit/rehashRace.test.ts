import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT } from '../../auth/passwords.ts';
import { JsonClient } from '../../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../testkit/testServer.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await stopTestServer(server);
  server = undefined;
});

/**
 * The first login of an imported SHA-1 account stores a fresh scrypt hash of the password it
 * used, a hash-time later. `parley-server users passwd` may change the password in that time
 * (it writes the database beside the server): the upgrade must not put the old password back.
 */
describe('upgrading a hash at first login', () => {
  it('does not overwrite a password an administrator changed meanwhile', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-rehash-'));
    const usersFile = join(dir, 'user_pass.txt');
    writeFileSync(usersFile, `dave ${createHash('sha1').update('old-secret').digest('hex')}\n`);
    // Real scrypt cost: the upgrade takes long enough for the administrator's change to land first.
    server = await startTestServer({ usersFile, scrypt: DEFAULT_SCRYPT }, {});
    const dave = await JsonClient.login(server.port, 'dave', 'old-secret');
    const db = new Database(join(server.dataDir, 'parley.db'));
    const adminHash = 'scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA==$' + Buffer.alloc(32, 7).toString('base64');
    db.prepare("UPDATE users SET password_hash = ? WHERE name = 'dave'").run(adminHash);
    await dave.waitClosed(10_000); // the account watch ends the session of a changed password
    await new Promise((r) => setTimeout(r, 1500)); // the upgrade has long finished
    expect(db.prepare("SELECT password_hash FROM users WHERE name = 'dave'").pluck().get()).toBe(adminHash);
    db.close();
  });
});
