// The core benchmark module works: it records the turn mix, its raw json-rules-engine baseline computes the
// same branch results as the core, and a few timed iterations produce figures. No timing assertions.
import { describe, expect, it } from 'vitest';
import { compareBranchResults, recordTurns, runCore } from '../../bench/core.ts';

describe('core benchmark', () => {
  it('records a mix of turns that runs branch engines', async () => {
    const turns = await recordTurns();
    expect(turns.length).toBeGreaterThan(10);
    expect(turns.some((t) => t.event.type === 'start')).toBe(true);
    expect(turns.filter((t) => t.runs.length > 0).length).toBeGreaterThan(5);
  });

  it('its baseline computes the same branch results as the core for every recorded run', async () => {
    const { runs, mismatches } = await compareBranchResults(await recordTurns());
    expect(runs).toBeGreaterThan(5);
    expect(mismatches).toEqual([]);
  });

  it('runs a handful of iterations and reports figures', async () => {
    const r = await runCore({ rounds: 1, mixesPerRound: 3, perTurnIterations: 2, warmup: 2 });
    expect(r.coreTurnsPerSecond).toBeGreaterThan(0);
    expect(r.rawTurnsPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(r.ratio)).toBe(true);
    expect(r.perTurn).toHaveLength(r.turnsPerMix);
  });
});
