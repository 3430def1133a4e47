// The bounded map the memories share: newest on set, oldest out past the bound, a bound of at least one.
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../src/bounded-map.ts';

describe('BoundedMap', () => {
  it('drops the oldest entry past its bound; setting a key again makes it the newest', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3);
    m.set('c', 4);
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([3, undefined, 4, 2]);
    m.delete('a');
    expect([m.get('a'), m.size]).toEqual([undefined, 1]);
  });

  it('refuses a bound below one', () => {
    for (const max of [0, -1, 1.5, Number.NaN]) expect(() => new BoundedMap(max)).toThrow(RangeError);
  });
});
