import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseStoreUrl } from './storeOption.ts';

describe('parseStoreUrl (--store)', () => {
  it('takes postgres:// and postgresql:// URLs as given, for node-postgres to read', () => {
    for (const url of ['postgres://parley:pw@db:5432/parley', 'postgresql://localhost/parley', 'postgres:///parley?host=/run/postgresql']) {
      expect(parseStoreUrl(url)).toBe(url);
    }
  });

  it('refuses anything else with a sentence saying what it takes', () => {
    for (const bad of ['mysql://h/db', 'sqlite:///tmp/x', '/var/lib/parley', 'nats://h:4222', '']) {
      expect(() => parseStoreUrl(bad)).toThrow(InvalidArgumentError);
      expect(() => parseStoreUrl(bad)).toThrow(/postgres:\/\/user:password@host:port\/database/);
    }
  });
});
