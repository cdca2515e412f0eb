import { describe, expect, it } from 'vitest';
import { directPair, isoTimeOnce } from './messageRows.ts';

describe('directPair', () => {
  it('is one integer for two accounts, the same in either order, and distinct for other pairs', () => {
    expect(directPair([3, 7])).toBe(directPair([7, 3]));
    expect(directPair([3, 7])).not.toBe(directPair([3, 8]));
    expect(directPair([1, 32_767])).not.toBe(directPair([2, 1]));
    expect(Number.isSafeInteger(directPair([32_767, 32_766]))).toBe(true);
    expect(directPair([32_767, 32_766])).toBeLessThan(2 ** 30); // a small integer for V8
  });

  it('is -1 (the key string serves) for a guest, a big id or anything but two members', () => {
    expect(directPair([-4, 7])).toBe(-1);
    expect(directPair([3, 32_768])).toBe(-1);
    expect(directPair([3])).toBe(-1);
    expect(directPair([3, 4, 5])).toBe(-1);
  });
});

describe('isoTimeOnce', () => {
  it('gives each time its ISO form', () => {
    const iso = isoTimeOnce();
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso(1_700_000_000_000)).toBe(new Date(1_700_000_000_000).toISOString());
  });
});
