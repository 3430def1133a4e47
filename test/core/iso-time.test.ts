// isoTime gives exactly Date#toISOString, including the years it hands back to toISOString.
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/core/iso-time.ts';

describe('isoTime', () => {
  it('matches toISOString across the range and at the edges', () => {
    const edges = [0, -1, 1, 0.5, -0.5, 1e3 + 0.25, -30_610_224_000_000, -30_610_224_000_001, 253_402_300_799_999, 253_402_300_800_000, Date.UTC(999, 11, 31, 23, 59, 59, 999), Date.UTC(1000, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -62198755200001, 8.64e15, -8.64e15, Date.UTC(2026, 1, 28, 23, 59, 59, 9), Date.UTC(2024, 1, 29, 0, 0, 0, 90)];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const random = Array.from({ length: 20_000 }, () => Math.floor((rnd() - 0.4) * 6e14));
    for (const ms of [...edges, ...random]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('throws the same RangeError as toISOString for an invalid time', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});
