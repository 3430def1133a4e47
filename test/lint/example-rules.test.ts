// The example rules are clean, and a widget-level rule sees what a widget's onboarding can reach.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { keyLocator } from '../../src/lint/locate.ts';
import { lintThread, lintWidget } from '../../src/lint/index.ts';
import { loadRulesDir } from '../../src/rules/load-rules-dir.ts';
import { codes, lintWidgetYaml } from './helpers.ts';

describe('lint on the example rules', () => {
  it('finds nothing in rules/', async () => {
    const rules = await loadRulesDir('rules');
    const locate = (file: string | null) => keyLocator(readFileSync(file!, 'utf8'));
    for (const t of rules.threads.values()) expect(lintThread(t, locate(t.file))).toEqual([]);
    for (const w of rules.widgets.values()) expect(lintWidget(w, rules.threads.get(w.thread)!, locate(w.file), locate(rules.threads.get(w.thread)!.file))).toEqual([]);
  });
});

describe('widget lint checks', () => {
  const thread = `kind: thread\nid: t\nstart: a\nsteps:\n  a:\n    next:\n      - when: { fact: onboarding.type, operator: equal, value: optional_form }\n        goto: form\n      - goto: login\n  form:\n    action: { type: request_form }\n  login:\n    action: { type: request_login }\n`;
  it('warns when a none widget can reach a form request, with the thread file:line', () => {
    const fs = lintWidgetYaml(thread.replace('value: optional_form', 'value: none'), 'kind: widget\nid: w\nonboarding: none\nthread: t\nloginUrl: https://x.example/login\n');
    expect(fs).toEqual([expect.objectContaining({ code: 'form_not_offered', file: 'w.yaml', line: 3 })]);
    expect(fs[0]!.message).toContain('t.yaml:10');
  });
  it('prunes branches that cannot hold for the widget, and warns on a login without any url', () => {
    const fs = lintWidgetYaml(thread, 'kind: widget\nid: w\nonboarding: none\nthread: t\n');
    expect(codes(fs)).toEqual(['login_url_missing']);
  });
});
