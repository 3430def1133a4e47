// `threadgate validate` passes on the example rules and fails, with file:line messages, on broken copies.
import { afterEach, describe, expect, it } from 'vitest';
import { rulesCopy, threadgate } from './helpers.ts';

const copies: ReturnType<typeof rulesCopy>[] = [];
const broken = () => {
  const c = rulesCopy();
  copies.push(c);
  return c;
};
afterEach(() => copies.splice(0).forEach((c) => c.remove()));

describe('threadgate validate', () => {
  it('passes on rules/ with exit 0', async () => {
    const r = await threadgate(['validate', 'rules']);
    expect(r.stdout).toBe('ok: 5 files (1 thread, 4 widgets): 0 errors, 0 warnings\n');
    expect(r.code).toBe(0);
  });

  it('reports a goto to a missing step and an unknown template fact with file:line:col, exit 1', async () => {
    const c = broken();
    c.edit('threads/returns.yaml', (t) => t.replace('    next: order_details', '    next: order_detail').replace('{{slots.order}} on the account', '{{customer.order}} on the account'));
    const r = await threadgate(['validate', c.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/threads\/returns\.yaml:\d+:\d+ error goto_step_unknown: step "order_detail" does not exist/);
    expect(r.stdout).toMatch(/threads\/returns\.yaml:\d+:\d+ error template_fact_unknown: \{\{customer\.order\}\}/);
    expect(r.stdout).toMatch(/^failed: .* 2 errors, 0 warnings$/m);
  });

  it('reports a YAML syntax error and still checks the other files', async () => {
    const c = broken();
    c.edit('widgets/shop-form.yaml', (t) => t.replace('onboarding: form', 'onboarding: [form'));
    c.edit('widgets/shop-portal.yaml', (t) => t.replace('thread: returns', 'thread: refunds'));
    const r = await threadgate(['validate', c.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/widgets\/shop-form\.yaml:\d+:\d+ error yaml_invalid/);
    expect(r.stdout).toMatch(/widgets\/shop-portal\.yaml:7:1 error widget_thread_unknown: widget "shop-portal" runs thread "refunds"/);
  });

  it('lint errors fail (a loop without an ask); warnings pass unless --strict', async () => {
    const c = broken();
    c.edit('threads/returns.yaml', (t) => `${t}\n  orphan:\n    say: never said\n    next: orphan\n`);
    const r = await threadgate(['validate', c.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/returns\.yaml:\d+:\d+ error loop_without_ask: steps orphan -> orphan/);
    expect(r.stdout).toMatch(/returns\.yaml:\d+:3 warning step_unreachable: step "orphan"/);

    const w = broken();
    w.edit('threads/returns.yaml', (t) => `${t}\n  orphan:\n    say: never said\n    action: { type: end }\n`);
    expect((await threadgate(['validate', w.dir])).code).toBe(0);
    const strict = await threadgate(['validate', w.dir, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^failed: .* 0 errors, 1 warning$/m);
  });

  it('--json prints the findings with file, line, step and field', async () => {
    const c = broken();
    c.edit('threads/returns.yaml', (t) => t.replace('goto: need_login\n', 'goto: need_login\n      - goto: agent\n'));
    const r = await threadgate(['validate', c.dir, '--json']);
    const out = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(out).toMatchObject({ ok: false, errors: 1, findings: [{ severity: 'error', code: 'default_branch_not_last', step: 'menu', field: 'steps.menu.next.4' }] });
    expect(out.findings[0].line).toBeGreaterThan(1);
  });

  it('bad paths and bad options exit 2 with a clear message', async () => {
    const r = await threadgate(['validate', 'no/such/dir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read "no/such/dir": no such file or folder');
    expect((await threadgate(['validate', 'package.json'])).stdout).toContain('package.json:1:1 error kind_unknown');
    expect((await threadgate(['validate', 'README.md'])).stderr).toContain('is not a rules file');
    expect((await threadgate(['validate', '--nope'])).code).toBe(2);
  });
});
