import { describe, expect, it } from 'vitest';
import { counted, NO_COUNTS, NO_NAMES, toggled } from './sharedEmpty.ts';

describe('shared empty collections', () => {
  it('a set gets its own instance at its first name and gives it back when emptied', () => {
    expect(toggled(NO_NAMES, 'lab', false)).toBe(NO_NAMES);
    const own = toggled(NO_NAMES, 'lab', true);
    expect(own).not.toBe(NO_NAMES);
    expect([...own]).toEqual(['lab']);
    expect(toggled(own, 'ops', true)).toBe(own);
    expect(toggled(toggled(own, 'lab', false), 'ops', false)).toBe(NO_NAMES);
    expect(NO_NAMES.size).toBe(0);
  });

  it('counts go up and down, an entry at 0 is gone, and the shared map is never written', () => {
    expect(counted(NO_COUNTS, 'bob', -1)).toBe(NO_COUNTS);
    let m = counted(NO_COUNTS, 'bob', 1);
    m = counted(m, 'bob', 1);
    m = counted(m, 'carol', 1);
    expect([...m]).toEqual([['bob', 2], ['carol', 1]]);
    m = counted(m, 'bob', -1);
    expect(m.get('bob')).toBe(1);
    m = counted(m, 'bob', -Infinity);
    expect(m.has('bob')).toBe(false);
    expect(counted(m, 'carol', -1)).toBe(NO_COUNTS);
    expect(NO_COUNTS.size).toBe(0);
  });
});
