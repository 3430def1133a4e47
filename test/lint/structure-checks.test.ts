// Unreachable steps, dead ends and loops without an ask fire on crafted threads, at the right line.
import { describe, expect, it } from 'vitest';
import { codes, lintYaml } from './helpers.ts';

const head = 'kind: thread\nid: t\nstart: a\nsteps:\n';

describe('structure lint checks', () => {
  it('reports an unreachable step at its line', () => {
    const fs = lintYaml(`${head}  a:\n    ask: { slot: x, type: text }\n    next: a\n  orphan:\n    say: nobody comes here\n    action: { type: end }\n`);
    expect(fs).toEqual([expect.objectContaining({ code: 'step_unreachable', severity: 'warning', file: 'crafted.yaml', line: 8, step: 'orphan' })]);
  });

  it('counts handler targets and onFail as reachable', () => {
    const fs = lintYaml(`kind: thread\nid: t\nstart: a\non: { cleared: c }\nsteps:\n  a:\n    ask: { slot: x, type: text, onFail: b }\n    next: a\n  b: { action: { type: end } }\n  c: { action: { type: end } }\n`);
    expect(codes(fs)).not.toContain('step_unreachable');
  });

  it('reports a dead end, but not a step that asks the customer to sign in', () => {
    const fs = lintYaml(`${head}  a:\n    say: hi\n    next: [ { when: { fact: auth.trusted, operator: equal, value: true }, goto: b }, { goto: c } ]\n  b:\n    say: stuck\n  c:\n    action: { type: request_login }\n`);
    expect(fs.filter((f) => f.code === 'dead_end')).toEqual([expect.objectContaining({ step: 'b', line: 8, column: 3 })]);
  });

  it('reports a certain loop without an ask as an error', () => {
    const fs = lintYaml(`${head}  a:\n    say: one\n    next: b\n  b:\n    say: two\n    next: a\n`);
    expect(fs).toEqual([expect.objectContaining({ code: 'loop_without_ask', severity: 'error', line: 7 })]);
    expect(fs[0]!.message).toContain('a -> b -> a');
  });

  it('reports a loop with a conditional way out as a warning, and none when a step of the cycle asks', () => {
    const maybe = lintYaml(`${head}  a:\n    next: [ { when: { fact: auth.trusted, operator: equal, value: true }, goto: done }, { goto: a } ]\n  done: { action: { type: end } }\n`);
    expect(codes(maybe)).toEqual(['loop_may_not_wait']);
    const asks = lintYaml(`${head}  a:\n    next: b\n  b:\n    ask: { slot: x, type: text }\n    next: a\n`);
    expect(codes(asks)).toEqual([]);
  });
});
