import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { addressKey } from './addressKey.ts';
import { LoginThrottle } from './loginThrottle.ts';
import { PasswordHasher, sha1Imported } from './passwords.ts';

describe('LoginThrottle', () => {
  it('blocks a username from an IP after the third consecutive failure, for blockTimeSec', () => {
    let now = 0;
    const t = new LoginThrottle(3, 60, 20, () => now);
    const attempt = (user: string, ip: string): number => {
      expect(t.begin(user, ip)).toEqual({ ok: true });
      return t.fail(user, ip);
    };
    expect(attempt('alice', '1.1.1.1')).toBe(2);
    expect(attempt('alice', '1.1.1.1')).toBe(1);
    expect(t.blockedFor('alice', '1.1.1.1')).toBe(0);
    expect(attempt('alice', '1.1.1.1')).toBe(0);
    expect(t.blockedFor('alice', '1.1.1.1')).toBe(60);
    expect(t.blockedFor('alice', '2.2.2.2')).toBe(0);
    expect(t.blockedFor('bob', '1.1.1.1')).toBe(0);
    now = 59_500;
    expect(t.blockedFor('alice', '1.1.1.1')).toBe(1);
    now = 60_000;
    expect(t.blockedFor('alice', '1.1.1.1')).toBe(0);
    expect(attempt('alice', '1.1.1.1')).toBe(2);
  });

  it('forgets failures after a success', () => {
    const t = new LoginThrottle(3, 60, 20);
    for (let i = 0; i < 2; i++) {
      t.begin('a', 'ip');
      t.fail('a', 'ip');
    }
    t.begin('a', 'ip');
    t.succeed('a', 'ip');
    t.begin('a', 'ip');
    expect(t.fail('a', 'ip')).toBe(2);
  });
});

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher({ N: 1024, r: 8, p: 1 });

  it('verifies scrypt hashes with their stored parameters and salts each hash', async () => {
    const a = await hasher.hash('correct horse');
    const b = await hasher.hash('correct horse');
    expect(a).not.toBe(b);
    expect(a.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await hasher.verify('correct horse', a)).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify('wrong', a)).toEqual({ ok: false, needsRehash: false });
  });

  it('asks for a rehash of weaker scrypt parameters and of imported SHA-1 digests', async () => {
    const weak = await new PasswordHasher({ N: 512, r: 8, p: 1 }).hash('pw');
    expect(await hasher.verify('pw', weak)).toEqual({ ok: true, needsRehash: true });
    const sha = sha1Imported(createHash('sha1').update('pw').digest('hex'));
    expect(await hasher.verify('pw', sha)).toEqual({ ok: true, needsRehash: true });
    expect((await hasher.verify('nope', sha)).ok).toBe(false);
  });
});

describe('addressKey', () => {
  it('keeps IPv4 addresses apart and maps IPv4-mapped IPv6 to IPv4', () => {
    expect(addressKey('10.0.0.1')).toBe('10.0.0.1');
    expect(addressKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(addressKey('10.0.0.2')).not.toBe(addressKey('10.0.0.1'));
  });

  it('groups IPv6 addresses by /64, however they are written', () => {
    const a = addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(addressKey('2001:0db8:0001:0002::1')).toBe(a);
    expect(addressKey('2001:db8:1:2::ffff%eth0')).toBe(a);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(a);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('LoginThrottle under parallel attempts', () => {
  it('admits at most maxAttempts checks at once for a username from an address, and forgives on success', () => {
    const t = new LoginThrottle(3, 60, 20);
    const admitted = Array.from({ length: 10 }, () => t.begin('alice', 'ip').ok).filter(Boolean);
    expect(admitted).toHaveLength(3);
    t.succeed('alice', 'ip');
    expect(t.begin('alice', 'ip').ok).toBe(true);
  });
});
