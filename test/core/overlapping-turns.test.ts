// Turns evaluated at the same time on one compiled thread give exactly what they give one after another.
import { describe, expect, it } from 'vitest';
import { recordTurns } from '../../bench/core.ts';
import { evaluateTurn } from '../../src/core/evaluate-turn.ts';

describe('overlapping evaluateTurn runs on shared compiled threads', () => {
  it('the bench mix, 5 copies all in flight at once, equals the sequential results', async () => {
    const turns = await recordTurns();
    const sequential: string[] = [];
    for (const t of turns) sequential.push(JSON.stringify(await evaluateTurn(t.thread, t.state, t.event, t.ctx)));
    // Every turn of every copy starts before any finishes: their branch-engine runs interleave on the same engines.
    const copies = 5;
    const overlapped = await Promise.all(Array.from({ length: copies }, () => turns.map((t) => evaluateTurn(t.thread, t.state, t.event, t.ctx))).flat());
    overlapped.forEach((r, i) => expect(JSON.stringify(r)).toBe(sequential[i % turns.length]));
    // The recorded inputs are not changed by evaluating them (the draft is a copy).
    const again: string[] = [];
    for (const t of turns) again.push(JSON.stringify(await evaluateTurn(t.thread, t.state, t.event, t.ctx)));
    expect(again).toEqual(sequential);
  });
});
