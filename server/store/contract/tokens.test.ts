import { expect, it } from 'vitest';
import { describeEachEngine } from '../../testkit/storeEngines.ts';

const DAY = 24 * 60 * 60 * 1000;

describeEachEngine('the token store', (h) => {
  async function user(name: string): Promise<number> {
    const { users } = h.stores();
    await users.add(name, `hash-${name}`, 1);
    return (await users.get(name))!.id;
  }

  it('answers the owner of a token with the password hash it has now, until revoked', async () => {
    const { tokens, users } = h.stores();
    const id = await user('alice');
    const token = await tokens.create(id, 1000);
    expect(await tokens.lookup(token, 2000)).toEqual({ userId: id, name: 'alice', passwordHash: 'hash-alice' });
    await users.setHash('alice', 'new');
    expect((await tokens.lookup(token, 3000))?.passwordHash).toBe('new');
    await tokens.revoke(token);
    expect(await tokens.lookup(token, 4000)).toBeUndefined();
    expect(await tokens.lookup('not a token', 4000)).toBeUndefined();
  });

  it('stops a token unused for 30 days, and each use keeps it alive', async () => {
    const { tokens } = h.stores();
    const id = await user('bob');
    const token = await tokens.create(id, 0);
    expect(await tokens.lookup(token, 29 * DAY)).toBeDefined();
    expect(await tokens.lookup(token, 58 * DAY)).toBeDefined();
    expect(await tokens.lookup(token, 89 * DAY)).toBeUndefined();
    expect(await tokens.lookup(token, 58 * DAY)).toBeUndefined();
  });

  it('keeps the newest 10 tokens of a user, even made within one millisecond', async () => {
    const { tokens } = h.stores();
    const id = await user('carol');
    const made: string[] = [];
    for (let i = 0; i < 12; i++) made.push(await tokens.create(id, 1000));
    const alive = [];
    for (const t of made) alive.push((await tokens.lookup(t, 1000)) !== undefined);
    expect(alive).toEqual([false, false, ...Array<boolean>(10).fill(true)]);
  });

  it("revokes all of a user's tokens, and a removed account's tokens resume nothing", async () => {
    const { tokens, users } = h.stores();
    const a = await user('dan');
    const b = await user('erin');
    const [a1, a2, b1] = [await tokens.create(a, 1), await tokens.create(a, 1), await tokens.create(b, 1)];
    await tokens.revokeUser(a);
    expect(await tokens.lookup(a1, 2)).toBeUndefined();
    expect(await tokens.lookup(a2, 2)).toBeUndefined();
    expect(await tokens.lookup(b1, 2)).toBeDefined();
    await users.remove('erin', 3);
    expect(await tokens.lookup(b1, 4)).toBeUndefined();
  });

  it('resumes on another handle with a token made on the first', async () => {
    const id = await user('fay');
    const token = await h.stores().tokens.create(id, 1);
    const other = await h.openAnother();
    expect((await other.tokens.lookup(token, 2))?.name).toBe('fay');
  });
});
