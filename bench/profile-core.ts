// Runs only the core turn mix in a loop, for `node --cpu-prof --import tsx bench/profile-core.ts`.
import { evaluateTurn } from '../src/core/evaluate-turn.ts';
import { recordTurns } from './core.ts';

const turns = await recordTurns();
const seconds = Number(process.env.BENCH_PROFILE_SECONDS ?? 5);
const end = Date.now() + seconds * 1000;
let n = 0;
while (Date.now() < end) {
  for (const t of turns) await evaluateTurn(t.thread, t.state, t.event, t.ctx);
  n += turns.length;
}
process.stdout.write(`${n} turns in ${seconds} s: ${Math.round(n / seconds)} turns/s\n`);
