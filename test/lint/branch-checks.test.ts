// Shadowed branches, conditions that never hold and missing defaults fire on crafted threads.
import { describe, expect, it } from 'vitest';
import { codes, lintYaml } from './helpers.ts';

const thread = (next: string) => `kind: thread\nid: t\nstart: a\nsteps:\n  a:\n    ask: { slot: topic, type: choice, choices: [x, y] }\n    next:\n${next}\n  b: { action: { type: end } }\n  c: { action: { type: end } }\n`;

describe('branch lint checks', () => {
  it('a branch after an always-true one is shadowed (error), at the later branch', () => {
    const fs = lintYaml(thread(`      - { when: { fact: auth.status, operator: in, value: [anonymous, identified, authenticated] }, goto: b }\n      - { when: { fact: auth.trusted, operator: equal, value: true }, goto: c }\n      - goto: c`));
    const shadowed = fs.filter((f) => f.code === 'branch_shadowed');
    expect(shadowed.map((f) => [f.severity, f.line, f.field])).toEqual([
      ['error', 9, 'steps.a.next.1'],
      ['error', 10, 'steps.a.next.2'],
    ]);
    expect(shadowed[0]!.message).toContain('auth.status in [anonymous, identified, authenticated]');
  });

  it('finds tautologies over several leaves, e.g. trusted = true or trusted = false', () => {
    const fs = lintYaml(thread(`      - when: { any: [ { fact: auth.trusted, operator: equal, value: true }, { fact: auth.trusted, operator: equal, value: false } ] }\n        goto: b\n      - goto: c`));
    expect(codes(fs)).toContain('branch_shadowed');
  });

  it('a duplicate of an earlier condition (through a named condition) is shadowed', () => {
    const text = thread(`      - { when: { condition: trusted }, goto: b }\n      - { when: { fact: auth.trusted, operator: equal, value: true }, goto: c }\n      - goto: c`).replace('start: a\n', 'start: a\nconditions:\n  trusted: { fact: auth.trusted, operator: equal, value: true }\n');
    expect(lintYaml(text).filter((f) => f.code === 'branch_shadowed')).toEqual([expect.objectContaining({ line: 11, field: 'steps.a.next.1' })]);
  });

  it('a value outside the fact or the choices never holds', () => {
    const fs = lintYaml(thread(`      - { when: { fact: auth.status, operator: equal, value: authenticaed }, goto: b }\n      - { when: { fact: slots.topic, operator: equal, value: z }, goto: b }\n      - goto: c`));
    expect(fs.filter((f) => f.code === 'condition_never_holds').map((f) => f.line)).toEqual([8, 9]);
  });

  it('no default branch: warned unless the branches cover every case', () => {
    expect(codes(lintYaml(thread(`      - { when: { fact: profile.attributes.tier, operator: equal, value: gold }, goto: b }`)))).toContain('no_default_branch');
    expect(codes(lintYaml(thread(`      - { when: { fact: slots.topic, operator: equal, value: x }, goto: b }\n      - { when: { fact: slots.topic, operator: equal, value: y }, goto: c }`)))).toEqual([]);
  });
});
