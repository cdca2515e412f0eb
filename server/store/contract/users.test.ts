import { expect, it } from 'vitest';
import { describeEachEngine } from '../../testkit/storeEngines.ts';

describeEachEngine('the user store', (h) => {
  it('adds an account once and finds it by name and by id', async () => {
    const { users } = h.stores();
    expect(await users.add('alice', 'h1', 1000)).toBe(true);
    expect(await users.add('alice', 'h2', 1001)).toBe(false);
    const alice = (await users.get('alice'))!;
    expect(alice).toMatchObject({ name: 'alice', password_hash: 'h1', last_login: null, last_logout: null });
    expect(typeof alice.id).toBe('number');
    expect(await users.byId(alice.id)).toEqual(alice);
    expect(await users.get('nobody')).toBeUndefined();
    expect(await users.lookup('alice')).toEqual({ id: alice.id, name: 'alice' });
  });

  it('keeps a removed name retired: never free again, and its account gone from every look-up', async () => {
    const { users } = h.stores();
    await users.add('bob', 'h', 1);
    const id = (await users.get('bob'))!.id;
    expect(await users.nameState('bob')).toBe('taken');
    expect(await users.remove('bob', 2)).toBe(true);
    expect(await users.remove('bob', 3)).toBe(false);
    expect(await users.nameState('bob')).toBe('retired');
    expect(await users.nameState('carol')).toBe('free');
    expect(await users.add('bob', 'h', 4)).toBe(false);
    expect(await users.get('bob')).toBeUndefined();
    expect(await users.byId(id)).toBeUndefined();
    expect(await users.lookup('bob')).toBeUndefined();
    expect(await users.setHash('bob', 'x')).toBe(false);
  });

  it('lists accounts by name (byte order, capitals first), counts them and lists legacy SHA-1 hashes', async () => {
    const { users } = h.stores();
    for (const name of ['zoe', 'Zed', 'adam', 'eve']) await users.add(name, name === 'eve' ? 'sha1$abc' : 'scrypt$x', 1);
    await users.remove('adam', 2);
    expect((await users.list()).map((u) => u.name)).toEqual(['Zed', 'eve', 'zoe']);
    expect(await users.count()).toBe(3);
    expect(await users.legacyHashes()).toEqual([{ name: 'eve', password_hash: 'sha1$abc' }]);
    expect(await users.setHash('eve', 'scrypt$y')).toBe(true);
    expect(await users.legacyHashes()).toEqual([]);
  });

  it('replaces a hash only while it is still the one the caller read', async () => {
    const { users } = h.stores();
    await users.add('ann', 'sha1$old', 1);
    await users.setHash('ann', 'scrypt$admin');
    expect(await users.replaceHash('ann', 'sha1$old', 'scrypt$upgrade')).toBe(false);
    expect((await users.get('ann'))!.password_hash).toBe('scrypt$admin');
    expect(await users.replaceHash('ann', 'scrypt$admin', 'scrypt$new')).toBe(true);
    expect((await users.get('ann'))!.password_hash).toBe('scrypt$new');
    await users.remove('ann', 2);
    expect(await users.replaceHash('ann', '!', 'x')).toBe(false);
  });

  it('records logins and logouts and names who was active since a time', async () => {
    const { users } = h.stores();
    await users.add('a', 'h', 1);
    await users.add('b', 'h', 1);
    await users.add('c', 'h', 1);
    const [a, b] = [(await users.get('a'))!, (await users.get('b'))!];
    await users.recordLogin(a.id, 5000);
    await users.recordLogin(b.id, 1000);
    await users.recordLogout(b.id, 6000);
    expect(await users.get('a')).toMatchObject({ last_login: 5000, last_logout: null });
    expect(await users.activeSince(5000)).toEqual(['a', 'b']);
    expect(await users.activeSince(5500)).toEqual(['b']);
    expect(await users.activeSince(7000)).toEqual([]);
  });

  it('gives a name to one account when two handles add it at once', async () => {
    const other = await h.openAnother();
    const results = await Promise.all([h.stores().users.add('eve', 'one', 1), other.users.add('eve', 'two', 1)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await h.stores().users.count()).toBe(1);
  });

  it('knows an account from memory only once a lookup found it, and forgets it when removed or told to', async () => {
    const { users } = h.stores();
    await users.add('erin', 'h', 1);
    expect(users.known('erin')).toBeUndefined();
    const erin = await users.lookup('erin');
    expect(users.known('erin')).toEqual(erin);
    await users.forget();
    expect(users.known('erin')).toBeUndefined();
    await users.lookup('erin');
    await users.remove('erin', 2);
    expect(users.known('erin')).toBeUndefined();
  });

  it('sees an account added through another handle once it forgets its cache', async () => {
    const { users } = h.stores();
    const other = await h.openAnother();
    await other.users.add('dan', 'h', 1);
    expect((await users.lookup('dan'))?.name).toBe('dan');
    await other.users.remove('dan', 2);
    await users.forget();
    expect(await users.lookup('dan')).toBeUndefined();
  });
});
