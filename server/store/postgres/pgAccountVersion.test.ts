/**
 * What the accounts version leaves out on PostgreSQL (pgAccountVersion.ts): a login's writes
 * (last_login, a resume's last_used, a trim or stale-token sweep deleting nothing) say nothing
 * about an account, and moving the version for them would have every node recheck every session
 * after each login anywhere. A version that fails to move is the contract test's concern
 * (store/contract/accountsVersion.test.ts); this one is about moving too often.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../../testkit/postgres.ts';
import { openPostgresStores, type PgStores } from './index.ts';

const unavailable = postgresUnavailable();
if (unavailable) console.log(`PostgreSQL accounts version tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)(`the PostgreSQL accounts version${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let server: TestPostgres;
  const open: PgStores[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const s of open) await s.close();
    await server?.stop();
  });

  it('stays as it is through logins, logouts and resumes made by another node', async () => {
    const url = await server.createDatabase();
    const [watcher, other] = [await openPostgresStores(url), await openPostgresStores(url)];
    open.push(watcher, other);
    await other.users.add('alice', 'h', 1);
    const alice = (await other.users.get('alice'))!;
    const token = await other.tokens.create(alice.id, 10);
    const version = await watcher.accountsVersion();
    await other.users.recordLogin(alice.id, 20);
    await other.users.recordLogout(alice.id, 30);
    expect((await other.tokens.lookup(token, 40))?.name).toBe('alice');
    expect(await other.tokens.lookup('no-such-token', 50)).toBeUndefined();
    expect(await watcher.accountsVersion()).toBe(version);
    // A new login's token is a change (a token added), as the account watch's contract says.
    await other.tokens.create(alice.id, 60);
    expect(await watcher.accountsVersion()).not.toBe(version);
  });
});
