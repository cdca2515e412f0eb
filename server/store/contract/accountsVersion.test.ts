/**
 * The accounts version a node's account watch polls: every change of a user or a token made
 * through another handle (another pool: another node, or `parley-server users ...`) gives a new
 * version, and reading alone keeps it, so watches neither miss an administrator's change nor
 * recheck every session at every poll.
 */
import { expect, it } from 'vitest';
import { describeEachEngine, type ContractStores } from '../../testkit/storeEngines.ts';

/** Runs `change` through `other` and answers whether `watcher` then reads a new version. */
async function moves(watcher: ContractStores, change: () => Promise<unknown>): Promise<boolean> {
  const before = await watcher.accountsVersion();
  await change();
  return (await watcher.accountsVersion()) !== before;
}

describeEachEngine('the accounts version', (h) => {
  it('keeps its number while users and tokens are only read', async () => {
    const other = await h.openAnother();
    await other.users.add('alice', 'h', 1);
    const alice = (await other.users.get('alice'))!;
    const before = await h.stores().accountsVersion();
    expect(await h.stores().accountsVersion()).toBe(before);
    await other.users.get('alice');
    await other.users.byId(alice.id);
    await other.users.list();
    await other.users.count();
    await other.users.nameState('bob');
    await h.stores().users.list();
    expect(await h.stores().accountsVersion()).toBe(before);
  });

  it('changes when another handle adds, changes or removes a user', async () => {
    const watcher = h.stores();
    const other = await h.openAnother();
    expect(await moves(watcher, () => other.users.add('alice', 'h1', 1))).toBe(true);
    expect(await moves(watcher, () => other.users.setHash('alice', 'h2'))).toBe(true);
    expect(await moves(watcher, () => other.users.replaceHash('alice', 'h2', 'h3'))).toBe(true);
    expect(await moves(watcher, () => other.users.remove('alice', 2))).toBe(true);
  });

  it('changes when another handle creates or revokes tokens', async () => {
    const watcher = h.stores();
    const other = await h.openAnother();
    await other.users.add('bob', 'h', 1);
    const bob = (await other.users.get('bob'))!;
    let token = '';
    expect(await moves(watcher, async () => (token = await other.tokens.create(bob.id, 10)))).toBe(true);
    expect(await moves(watcher, () => other.tokens.revoke(token))).toBe(true);
    await other.tokens.create(bob.id, 20);
    expect(await moves(watcher, () => other.tokens.revokeUser(bob.id))).toBe(true);
  });
});
