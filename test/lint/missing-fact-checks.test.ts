// Negations over facts that may be missing are warned about; facts that are always there are not.
import { describe, expect, it } from 'vitest';
import { codes, lintYaml } from './helpers.ts';

const thread = (when: string, extra = '') =>
  `kind: thread\nid: t\nstart: a\nsteps:\n  a:\n${extra}    next:\n      - when: ${when}\n        goto: b\n      - goto: b\n  b:\n    ask: { slot: topic, type: text }\n    next: a\n`;

describe('negation over missing facts', () => {
  it('warns on notEqual over a slot not set on every path, at the leaf', () => {
    const fs = lintYaml(thread('{ fact: slots.topic, operator: notEqual, value: other }'));
    expect(fs).toEqual([expect.objectContaining({ code: 'negative_operator_on_missing', severity: 'warning', line: 7, field: 'steps.a.next.0.when' })]);
  });

  it('does not warn once the slot is set on every path to the branch', () => {
    expect(codes(lintYaml(thread('{ fact: slots.topic, operator: notEqual, value: other }', '    action: { type: set, slots: { topic: none } }\n')))).toEqual([]);
  });

  it('warns on notIn and doesNotContain over open facts, and on `not` over them', () => {
    expect(codes(lintYaml(thread('{ fact: profile.attributes.tier, operator: notIn, value: [gold] }')))).toEqual(['negative_operator_on_missing']);
    expect(codes(lintYaml(thread('{ fact: conversation.context.tags, operator: doesNotContain, value: vip }')))).toEqual(['negative_operator_on_missing']);
    expect(codes(lintYaml(thread('{ not: { fact: message.entities.order, operator: equal, value: x } }')))).toEqual(['not_on_missing']);
  });

  it('leaves always-present facts and the documented not-set idiom alone', () => {
    expect(codes(lintYaml(thread('{ fact: auth.email, operator: notEqual, value: null }')))).toEqual([]);
    expect(codes(lintYaml(thread('{ not: { fact: slots.topic, operator: notEqual, value: null } }')))).toEqual([]);
  });
});
