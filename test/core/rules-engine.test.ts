// The json-rules-engine wrapper: overlapping runs stay correct, missing values and throwing operators are false.
import { Engine, Fact } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { buildBranchEngine, runBranchEngine, type NormalCondition } from '../../src/core/rules-engine.ts';

const leaf = (fact: string, path: string[], operator: string, value: unknown): NormalCondition =>
  ({ fact, path, operator, value }) as NormalCondition;

/** A fact whose value arrives after a random delay, so runs interleave. */
const later = <T>(value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), Math.random() * 5));

describe('runBranchEngine', () => {
  it('100 overlapping runs with async facts: every branch of every run has its own, right result', async () => {
    const branches = Array.from({ length: 6 }, (_, i) => ({ index: i, when: leaf('conversation', ['turn'], 'greaterThanInclusive', i * 10) }));
    const be = buildBranchEngine(branches, new Map());
    const runs = Array.from({ length: 100 }, (_, k) => runBranchEngine(be, { conversation: later({ turn: k }) }));
    const results = await Promise.all(runs);
    results.forEach((r, k) => {
      expect(r.error).toBeUndefined();
      expect(r.results).toEqual(branches.map((_, i) => k >= i * 10));
      expect(r.traces.every((t) => t !== null && t.result === r.results[r.traces.indexOf(t)])).toBe(true);
    });
  });

  it('the trap it avoids is real: a shared engine skips rules under overlap', async () => {
    // Two priority levels and async facts on one plain engine, as PITFALLS.md describes.
    const engine = new Engine([], { allowUndefinedFacts: true });
    engine.addRule({ conditions: { all: [{ fact: 'x', operator: 'greaterThanInclusive', value: 0 }] }, event: { type: 'a' }, priority: 2 });
    engine.addRule({ conditions: { all: [{ fact: 'x', operator: 'greaterThanInclusive', value: 0 }] }, event: { type: 'b' }, priority: 1 });
    const outs = await Promise.all(Array.from({ length: 100 }, (_, k) => engine.run({ x: later(k) })));
    const incomplete = outs.filter((o) => o.results.length + o.failureResults.length < 2).length;
    expect(incomplete).toBeGreaterThan(0);
  });

  it('runs hash no fact for the fact cache (json-rules-engine hashes every plain constant fact of every run)', async () => {
    const be = buildBranchEngine([{ index: 0, when: leaf('conversation', ['turn'], 'equal', 3) }], new Map());
    const hasher = Fact as unknown as { hashFromObject(o: unknown): string };
    const original = hasher.hashFromObject;
    let hashed = 0;
    hasher.hashFromObject = (o: unknown) => {
      hashed += 1;
      return original.call(Fact, o);
    };
    try {
      const ours = await runBranchEngine(be, { conversation: { turn: 3 }, slots: {} });
      expect(ours.results).toEqual([true]);
      expect(hashed).toBe(0);
      // The same run with plain facts, as json-rules-engine takes them by default, hashes each one: the spy is live.
      const plain = await (Object.create(be.engine) as Engine).run({ conversation: { turn: 3 }, slots: {} });
      expect(plain.results).toHaveLength(1);
      expect(hashed).toBe(2);
    } finally {
      hasher.hashFromObject = original;
    }
  });

  it('a missing value is false for negative operators too', async () => {
    const be = buildBranchEngine(
      [
        { index: 0, when: leaf('profile', ['attributes', 'tier'], 'notEqual', 'gold') },
        { index: 1, when: leaf('profile', ['attributes', 'tier'], 'notIn', ['gold']) },
        { index: 2, when: { not: leaf('profile', ['attributes', 'tier'], 'equal', 'gold') } as NormalCondition },
      ],
      new Map(),
    );
    const r = await runBranchEngine(be, { profile: { attributes: {} } });
    expect(r.results.slice(0, 2)).toEqual([false, false]);
    expect(r.traces[0]).toMatchObject({ kind: 'fact', result: false, note: expect.stringContaining('missing value') });
    // `not` of a false leaf is true: authors who want "tier is not gold, and set" write it explicitly.
    expect(r.results[2]).toBe(true);
  });

  it('numeric operators compare numbers only, never parsed strings', async () => {
    const be = buildBranchEngine([{ index: 0, when: leaf('slots', ['n'], 'greaterThan', 5) }], new Map());
    expect((await runBranchEngine(be, { slots: { n: '10' } })).results).toEqual([false]);
    expect((await runBranchEngine(be, { slots: { n: 10 } })).results).toEqual([true]);
  });

  it('a run that rejects makes every branch false and carries the error', async () => {
    const be = buildBranchEngine([{ index: 0, when: leaf('auth', ['status'], 'equal', 'x') }], new Map());
    // A fact that throws when read rejects the whole run in json-rules-engine.
    const r = await runBranchEngine(be, { auth: Promise.reject(new Error('directory down')) });
    expect(r.results).toEqual([false]);
    expect(r.error).toContain('directory down');
  });

  it('an operator that throws is false, and the trace says so', async () => {
    const be = buildBranchEngine([{ index: 0, when: leaf('slots', ['list'], 'contains', 1) }], new Map());
    const hostile = [1];
    Object.defineProperty(hostile, 'includes', { value: () => { throw new Error('boom'); } });
    const r = await runBranchEngine(be, { slots: { list: hostile } });
    expect(r.results).toEqual([false]);
    expect(r.traces[0]).toMatchObject({ result: false, note: expect.stringContaining('operator failed: boom') });
  });
});
