/**
 * UserAdmin on both engines' async stores (SQLite promised, PostgreSQL): the same class is the
 * CLI's, the hosting app's and a cluster node's, so what it promises (hashed passwords, tokens
 * revoked at a removal or a new password, retired names, the seed import, the legacy upgrade)
 * must hold whichever store is behind it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { PasswordHasher, sha1Imported } from './auth/passwords.ts';
import { CHEAP_SCRYPT } from './testkit/testServer.ts';
import { describeEachEngine } from './testkit/storeEngines.ts';
import { UserAdmin, UsersFileError } from './userAdmin.ts';

const hasher = new PasswordHasher(CHEAP_SCRYPT, 2);
const dir = mkdtempSync(join(tmpdir(), 'parley-admin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEachEngine('UserAdmin', (h) => {
  const admin = (onChange?: () => void): UserAdmin => new UserAdmin(h.stores().users, h.stores().tokens, hasher, () => 1000, onChange);

  it('adds, lists, counts and refuses a taken, invalid or retired name or an empty password', async () => {
    const a = admin();
    expect(await a.add('alice', 'pw')).toBe(true);
    expect(await a.add('alice', 'other')).toBe(false);
    await expect(a.add('no spaces', 'pw')).rejects.toThrow('invalid username');
    await expect(a.add('bob', '')).rejects.toThrow('must not be empty');
    expect(await a.add('bob', 'pw')).toBe(true);
    expect(await a.list()).toEqual(['alice', 'bob']);
    expect(await a.count()).toBe(2);
    const stored = (await h.stores().users.get('alice'))!.password_hash;
    expect(stored).not.toContain('pw');
    expect((await hasher.verify('pw', stored)).ok).toBe(true);
    expect(await a.remove('bob')).toBe(true);
    await expect(a.add('bob', 'pw')).rejects.toThrow('removed account');
  });

  it('revokes the tokens and tells the server at a removal or a new password, and at nothing else', async () => {
    let changes = 0;
    const a = admin(() => changes++);
    const { users, tokens } = h.stores();
    await a.add('alice', 'old');
    await a.add('bob', 'pw');
    const alice = (await users.get('alice'))!;
    const bob = (await users.get('bob'))!;
    const aliceToken = await tokens.create(alice.id, 1000);
    const bobToken = await tokens.create(bob.id, 1000);
    expect(changes).toBe(0);
    expect(await a.setPassword('alice', 'new')).toBe(true);
    expect(changes).toBe(1);
    expect(await tokens.lookup(aliceToken, 1000)).toBeUndefined();
    expect((await hasher.verify('new', (await users.get('alice'))!.password_hash)).ok).toBe(true);
    expect(await a.remove('bob')).toBe(true);
    expect(changes).toBe(2);
    expect(await tokens.lookup(bobToken, 1000)).toBeUndefined();
    expect(await a.remove('bob')).toBe(false);
    expect(await a.setPassword('carol', 'x')).toBe(false);
    expect(changes).toBe(2);
  });

  it('imports a users file once, plain and SHA-1 passwords, and refuses a malformed one whole', async () => {
    const a = admin();
    await a.add('alice', 'pw');
    const sha1 = createHash('sha1').update('secret').digest('hex');
    const file = join(dir, `users-${h.engine}.txt`);
    writeFileSync(file, `alice x\nbob plain\ncarol ${sha1}\nbob again\n`);
    expect(await a.importFile(file)).toEqual({ added: 2, skipped: 2 });
    const { users } = h.stores();
    expect((await hasher.verify('plain', (await users.get('bob'))!.password_hash)).ok).toBe(true);
    expect((await hasher.verify('secret', (await users.get('carol'))!.password_hash)).ok).toBe(true);
    writeFileSync(file, 'dave\n');
    await expect(a.importFile(file)).rejects.toThrow(UsersFileError);
    await expect(a.importFile(join(dir, 'missing.txt'))).rejects.toThrow(UsersFileError);
    expect(await a.list()).toEqual(['alice', 'bob', 'carol']);
  });

  it('wraps legacy SHA-1 digests in scrypt, keeping the password', async () => {
    const sha1 = createHash('sha1').update('legacy').digest('hex');
    await h.stores().users.add('google', sha1Imported(sha1), 1);
    expect(await admin().upgradeLegacyHashes()).toBe(1);
    const stored = (await h.stores().users.get('google'))!.password_hash;
    expect(stored.startsWith('sha1$')).toBe(false);
    expect((await hasher.verify('legacy', stored)).ok).toBe(true);
    expect(await admin().upgradeLegacyHashes()).toBe(0);
  });
});
