/**
 * `parley-server users ...` with `--store postgres://...`: the real CLI, as a child process, on
 * a throwaway PostgreSQL cluster. What it changes is what any node opening that store reads,
 * with a new accounts version, and the SQLite data folder is never touched. Skipped, with the
 * reason printed, where PostgreSQL's server binaries are missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, PasswordHasher } from '../auth/passwords.ts';
import { openPostgresStores, type PgStores } from '../store/postgres/index.ts';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../testkit/postgres.ts';
import { runCli } from '../testkit/serverProcess.ts';

const unavailable = postgresUnavailable();
if (unavailable) console.log(`parley-server users --store tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)(`parley-server users --store postgres://${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let server: TestPostgres;
  let node: PgStores | undefined;
  let dir: string;
  beforeAll(async () => {
    server = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-pg-'));
  });
  afterAll(async () => {
    await node?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds, lists, changes and removes accounts in the shared store, as a node sees them', { timeout: 60_000 }, async () => {
    const url = await server.createDatabase();
    // A folder that does not exist: were the SQLite store opened, it would be made.
    const data = join(dir, 'never-made');
    const users = (args: string[], input = ''): ReturnType<typeof runCli> => runCli(['users', ...args, '--store', url, '--data', data], input);
    node = await openPostgresStores(url);
    const hasher = new PasswordHasher(DEFAULT_SCRYPT, 1);
    const version = await node.accountsVersion();

    expect(await users(['list'])).toMatchObject({ code: 0, stdout: 'No users yet.\n' });
    expect(await users(['add', 'alice'], 'first\n')).toMatchObject({ code: 0, stdout: 'Added alice.\n' });
    expect((await users(['add', 'bob'], 'pw\n')).code).toBe(0);
    const again = await users(['add', 'bob'], 'pw\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('parley-server: user bob already exists\n');
    expect(await node.accountsVersion()).not.toBe(version);
    expect((await hasher.verify('first', (await node.users.get('alice'))!.password_hash)).ok).toBe(true);

    const beforePasswd = await node.accountsVersion();
    expect(await users(['passwd', 'alice'], 'second\n')).toMatchObject({ code: 0, stdout: 'Password changed for alice.\n' });
    expect(await node.accountsVersion()).not.toBe(beforePasswd);
    const alice = (await node.users.get('alice'))!;
    expect((await hasher.verify('second', alice.password_hash)).ok).toBe(true);
    expect((await hasher.verify('first', alice.password_hash)).ok).toBe(false);
    expect(await users(['list'])).toMatchObject({ code: 0, stdout: 'alice\nbob\n' });

    const beforeRemove = await node.accountsVersion();
    expect(await users(['remove', 'bob'])).toMatchObject({ code: 0, stdout: 'Removed bob.\n' });
    expect(await node.accountsVersion()).not.toBe(beforeRemove);
    expect(await node.users.get('bob')).toBeUndefined();
    expect(await node.users.nameState('bob')).toBe('retired');
    expect(await users(['list'])).toMatchObject({ code: 0, stdout: 'alice\n' });
    expect((await users(['remove', 'bob'])).stderr).toBe('parley-server: no user named bob\n');
    expect((await users(['passwd', 'carol'], 'x\n')).stderr).toBe('parley-server: no user named carol\n');
    expect(existsSync(data)).toBe(false);
  });

  it('refuses a --store that is no PostgreSQL URL with one line and exit code 1', async () => {
    const bad = await runCli(['users', 'list', '--store', 'mysql://h/db', '--data', join(dir, 'unused')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('is not a PostgreSQL URL');
    expect(existsSync(join(dir, 'unused'))).toBe(false);
  });

  it('names the host, never the password, when the store cannot be reached', { timeout: 30_000 }, async () => {
    // The cluster's real user and password, on port 1, where nothing listens.
    const url = new URL(await server.createDatabase());
    url.port = '1';
    // The accounts commands and the server itself say the same.
    for (const args of [['users', 'list'], ['0', '--no-announce', '--no-tls']]) {
      const out = await runCli([...args, '--store', url.toString(), '--data', join(dir, 'unused')]);
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/^parley-server: cannot open the store at 127\.0\.0\.1:1\/test_\d+: /);
      expect(out.stderr).not.toContain(url.password);
    }
  });
});
