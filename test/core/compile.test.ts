// compile and loadSource: schema errors and compile errors name the file, line, step, field and a stable code.
import { describe, expect, it } from 'vitest';
import { ThreadgateError, type ErrorIssue } from '../../src/core/errors.ts';
import { compile } from '../../src/core/compile.ts';
import { loadSource } from '../../src/core/load.ts';
import { loadRulesDir } from '../../src/rules/load-rules-dir.ts';

function issuesOf(fn: () => unknown): ErrorIssue[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ThreadgateError);
    return (err as ThreadgateError).issues;
  }
  throw new Error('expected a ThreadgateError');
}

const load = (text: string) => issuesOf(() => loadSource(text, 'rules/t.yaml'));

const minimal = `kind: thread
id: t
start: a
steps:
  a:
    say: hello
`;

describe('loadSource', () => {
  it('compiles a minimal thread', () => {
    const loaded = loadSource(minimal, 't.yaml');
    expect(loaded.kind).toBe('thread');
  });

  it('reports YAML syntax errors with their line', () => {
    const [issue] = load('kind: thread\nid: [unclosed\n');
    expect(issue).toMatchObject({ code: 'yaml_invalid', file: 'rules/t.yaml' });
    expect(issue!.line).toBeGreaterThan(0);
  });

  it('refuses duplicate keys', () => {
    const [issue] = load('kind: thread\nid: a\nid: b\nstart: a\nsteps: { a: { say: x } }\n');
    expect(issue!.code).toBe('yaml_invalid');
  });

  it('needs a kind', () => {
    expect(load('id: x\n')[0]).toMatchObject({ code: 'kind_unknown', field: 'kind' });
    expect(load('kind: flow\nid: x\n')[0]!.message).toContain('"flow"');
  });

  it('names file, line, step and field of a schema error', () => {
    const text = minimal + '  b:\n    say: hi\n    sya: typo\n';
    const [issue] = load(text);
    expect(issue).toMatchObject({ code: 'schema_invalid', file: 'rules/t.yaml', step: 'b', field: 'steps.b.sya', line: 9 });
    expect(issue!.message).toContain('sya');
  });

  it('points into a condition inside a union', () => {
    const text = `kind: thread
id: t
start: a
steps:
  a:
    next:
      - when:
          all:
            - { fact: auth.status, operator: equal, valeu: x }
        goto: a
`;
    const [issue] = load(text);
    expect(issue!.code).toBe('schema_invalid');
    expect(issue!.field).toBe('steps.a.next.0.when.all.0.valeu');
    expect(issue!.line).toBe(9);
    expect(issue!.message).toContain('valeu');
  });

  it('reports an unknown action type at its line', () => {
    const text = minimal.replace('say: hello', 'action: { type: teleport }');
    const [issue] = load(text);
    expect(issue).toMatchObject({ code: 'schema_invalid', step: 'a', line: 6 });
  });

  it('an ask of type choice needs choices', () => {
    const text = minimal.replace('say: hello', 'ask: { slot: s, type: choice }');
    expect(load(text)[0]).toMatchObject({ code: 'schema_invalid', field: 'steps.a.ask.choices' });
  });
});

describe('compile errors', () => {
  const base = (steps: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ kind: 'thread', id: 't', start: 'a', steps, ...extra });
  const codes = (doc: unknown) => issuesOf(() => compile(doc, { file: 'x.yaml' })).map((i) => i.code);

  it('unknown start and goto steps', () => {
    expect(codes(base({ b: { say: 'x' } }))).toEqual(['start_step_unknown']);
    const issues = issuesOf(() => compile(base({ a: { next: 'nowhere' } })));
    expect(issues[0]).toMatchObject({ code: 'goto_step_unknown', step: 'a', field: 'steps.a.next' });
    expect(codes(base({ a: { ask: { slot: 's', type: 'text', onFail: 'gone' } } }))).toEqual(['goto_step_unknown']);
  });

  it('collects every problem in one pass', () => {
    const issues = issuesOf(() => compile(base({ a: { next: [{ goto: 'x' }, { when: { fact: 'nope', operator: 'equal', value: 1 }, goto: 'y' }] } })));
    expect(issues.map((i) => i.code)).toEqual(['goto_step_unknown', 'default_branch_not_last', 'goto_step_unknown', 'fact_unknown']);
  });

  it('checks facts and paths against the catalogue', () => {
    const when = (leaf: Record<string, unknown>) => base({ a: { next: [{ when: { all: [leaf] }, goto: 'a' }] } });
    expect(codes(when({ fact: 'weather', operator: 'equal', value: 1 }))).toEqual(['fact_unknown']);
    expect(codes(when({ fact: 'auth', path: 'colour', operator: 'equal', value: 1 }))).toEqual(['fact_path_unknown']);
    expect(codes(when({ fact: 'scenario.kind', operator: 'equal', value: 1 }))).toEqual(['fact_path_on_scalar']);
    expect(codes(when({ fact: 'slots.order', operator: 'equal', value: 1 }))).toEqual(['slot_unknown']);
    expect(codes(when({ fact: 'auth.status', operator: 'like', value: 1 }))).toEqual(['operator_unknown']);
    // Free-form subtrees are open: profile attributes and message entities.
    expect(() => compile(when({ fact: 'profile.attributes.tier', operator: 'equal', value: 'gold' }))).not.toThrow();
    expect(() => compile(when({ fact: 'profile', path: '$.attributes.tier', operator: 'equal', value: 'gold' }))).not.toThrow();
  });

  it('refuses operator values json-rules-engine would misread', () => {
    const when = (leaf: Record<string, unknown>) => base({ a: { next: [{ when: { all: [leaf] }, goto: 'a' }] } });
    expect(codes(when({ fact: 'auth.status', operator: 'in', value: 'authenticated' }))).toEqual(['operator_value_invalid']);
    expect(codes(when({ fact: 'conversation.turn', operator: 'greaterThan', value: '10' }))).toEqual(['operator_value_invalid']);
    expect(codes(when({ fact: 'conversation.turn', operator: 'greaterThan' }))).toEqual(['operator_value_invalid']);
    expect(codes(when({ fact: 'auth.email', operator: 'equal', value: { fact: 'profile.nope' } }))).toEqual(['fact_path_unknown']);
  });

  it('checks named conditions: unknown references and cycles', () => {
    const doc = base({ a: { next: [{ when: { condition: 'missing' }, goto: 'a' }] } });
    expect(codes(doc)).toEqual(['condition_unknown']);
    const cyc = base({ a: { next: [{ when: { condition: 'x' }, goto: 'a' }] } }, { conditions: { x: { all: [{ condition: 'y' }] }, y: { any: [{ condition: 'x' }] } } });
    expect(codes(cyc)).toEqual(['condition_unknown', 'condition_unknown']);
  });

  it('checks templates', () => {
    expect(codes(base({ a: { say: 'Hi {{weather.today}}' } }))).toEqual(['template_fact_unknown']);
    expect(codes(base({ a: { say: 'Hi {{auth.nickname}}' } }))).toEqual(['fact_path_unknown']);
    expect(codes(base({ a: { say: 'Hi {{ auth.name' } }))).toEqual(['template_invalid']);
    expect(codes(base({ a: { say: 'Hi {{ 1 + 2 }}' } }))).toEqual(['template_invalid']);
    // Every fact of an `or` chain is checked, not only the first.
    expect(codes(base({ a: { say: 'Hi {{auth.firstName or profile.nickname | there}}' } }))).toEqual(['fact_path_unknown']);
    expect(() => compile(base({ a: { say: 'Hi {{auth.firstName or profile.firstName | there}}' } }))).not.toThrow();
  });

  it('a handoff or end step cannot continue', () => {
    expect(codes(base({ a: { action: { type: 'end' }, next: 'a' } }))).toEqual(['schema_invalid']);
  });

  it('a schema error carries the step and field', () => {
    const issues = issuesOf(() => compile(base({ a: { ask: { slot: 's', type: 'number' } } })));
    expect(issues[0]).toMatchObject({ code: 'schema_invalid', step: 'a', field: 'steps.a.ask.type' });
  });

  it('formats the error message with file and step', () => {
    try {
      compile(base({ a: { next: 'zz' } }), { file: 'rules/x.yaml' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe('rules/x.yaml step "a" field steps.a.next: step "zz" does not exist; steps are: a [goto_step_unknown]');
    }
  });
});

describe('widget files', () => {
  it('refuses a form that could never be valid', () => {
    const [issue] = issuesOf(() => loadSource('kind: widget\nid: w\nonboarding: form\nthread: t\nform:\n  fields: [name, phone]\n  require: email\n', 'w.yaml'));
    expect(issue).toMatchObject({ code: 'schema_invalid', field: 'form.require', line: 7 });
  });

  it('refuses unknown or lower-case countries', () => {
    for (const c of ['us', 'XX', 'USA']) {
      const [issue] = issuesOf(() => loadSource(`kind: widget\nid: w\nonboarding: none\nthread: t\ndefaultCountry: ${c}\n`, 'w.yaml'));
      expect(issue).toMatchObject({ code: 'schema_invalid', field: 'defaultCountry', line: 5 });
    }
  });
});

describe('the example rules', () => {
  it('compile, with one widget per onboarding type', async () => {
    const rules = await loadRulesDir('rules');
    expect([...rules.threads.keys()]).toContain('returns');
    expect(new Set([...rules.widgets.values()].map((w) => w.onboarding))).toEqual(new Set(['none', 'code', 'form', 'optional_form']));
  });

  it('a rules folder reports duplicate ids and unknown threads of widgets', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'tg-rules-'));
    await writeFile(join(dir, 'a.yaml'), minimal);
    await writeFile(join(dir, 'b.yaml'), minimal);
    await writeFile(join(dir, 'w.yaml'), 'kind: widget\nid: w\nonboarding: none\nthread: ghost\n');
    const err = await loadRulesDir(dir).catch((e: unknown) => e);
    expect((err as ThreadgateError).issues.map((i) => i.code)).toEqual(['duplicate_id', 'widget_thread_unknown']);
    expect((await loadRulesDir(join(dir, 'missing')).catch((e: unknown) => e)) as ThreadgateError).toMatchObject({ code: 'io_error' });
  });
});
