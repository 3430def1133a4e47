// Compiling steps: say, actions, ask, generate and lookup, with the checks on how they combine.
import { compileBranchSet } from './compile-branches.ts';
import { asArray, type CompileScope } from './compile-scope.ts';
import type { CompiledAction, CompiledAsk, CompiledStep } from './compiled-thread.ts';
import { checkFactPath, splitFactPath } from './facts.ts';
import type { CompiledGenerate } from './generate.ts';
import type { Action, Ask, Generate, Step } from './thread.schema.ts';
import type { PathKey } from './zod-issues.ts';

export function compileSteps(s: CompileScope): Map<string, CompiledStep> {
  const steps = new Map<string, CompiledStep>();
  for (const [id, step] of Object.entries(s.doc.steps)) steps.set(id, compileStep(s, id, step));
  return steps;
}

/** Compiles one step; the order of the checks is the order its problems are reported in. */
function compileStep(s: CompileScope, id: string, step: Step): CompiledStep {
  const at: PathKey[] = ['steps', id];
  const actions = asArray(step.action).map((a, i) => compileAction(s, a, Array.isArray(step.action) ? [...at, 'action', i] : [...at, 'action']));
  const terminal = actions.some((a) => a.type === 'handoff' || a.type === 'reroute' || a.type === 'end');
  checkCombination(s, step, terminal, at);
  const generate = step.generate ? compileGenerate(s, step.generate, [...at, 'generate']) : null;
  const ask = step.ask ? compileAsk(s, step.ask, [...at, 'ask']) : null;
  return {
    id,
    say: asArray(step.say).map((line, i) => s.template(line, Array.isArray(step.say) ? [...at, 'say', i] : [...at, 'say'])),
    actions,
    ask,
    generate,
    lookup: step.lookup ?? null,
    next: step.next ? compileBranchSet(s, step.next, `steps.${id}.next`, [...at, 'next']) : null,
    terminal,
  };
}

/** A step that stops the thread (handoff, reroute, end) cannot wait for anything, and a lookup must be declared. */
function checkCombination(s: CompileScope, step: Step, terminal: boolean, at: PathKey[]): void {
  if (terminal && (step.ask || step.next)) {
    s.p.add('schema_invalid', [...at, step.ask ? 'ask' : 'next'], 'a step that hands off, re-routes or ends stops the thread, so it cannot also ask or have `next`');
  }
  if (step.lookup !== undefined) {
    if (!s.lookupNames.has(step.lookup)) s.p.add('lookup_unknown', [...at, 'lookup'], `lookup "${step.lookup}" is not declared in this thread's \`lookups\` (declared: ${[...s.lookupNames].join(', ') || 'none'})`);
    if (step.ask || terminal) s.p.add('schema_invalid', [...at, 'lookup'], 'a step that waits for a lookup cannot also ask, hand off, re-route or end');
  }
}

function compileGenerate(s: CompileScope, g: Generate, at: PathKey[]): CompiledGenerate {
  for (const [i, path] of (g.facts ?? []).entries()) {
    const split = splitFactPath(path);
    const check = checkFactPath(split.fact, split.path, s.slots, s.lookupNames);
    if (!check.ok) s.p.add(check.code, [...at, 'facts', i], check.message);
  }
  return { instructions: s.template(g.instructions, [...at, 'instructions']), facts: g.facts ?? [], avoid: g.avoid ?? [] };
}

function compileAsk(s: CompileScope, a: Ask, at: PathKey[]): CompiledAsk {
  if (a.onFail) s.checkGoto(a.onFail, [...at, 'onFail']);
  return {
    slot: a.slot,
    type: a.type,
    prompt: a.prompt ? s.template(a.prompt, [...at, 'prompt']) : null,
    error: a.error ? s.template(a.error, [...at, 'error']) : null,
    choices: (a.choices ?? []).map((c) => (typeof c === 'string' ? { id: c, label: c, synonyms: [] } : { id: c.id, label: c.label, synonyms: c.synonyms ?? [] })),
    maxAttempts: a.maxAttempts ?? 3,
    onFail: a.onFail ?? null,
    maxLength: a.maxLength ?? 1000,
    defaultCountry: a.defaultCountry ?? null,
  };
}

function compileAction(s: CompileScope, a: Action, at: PathKey[]): CompiledAction {
  switch (a.type) {
    case 'handoff':
    case 'reroute':
      return { type: a.type, queue: a.queue, note: a.note ? s.template(a.note, [...at, 'note']) : null };
    case 'request_login':
      return { type: 'request_login', text: a.text ? s.template(a.text, [...at, 'text']) : null, url: a.url ?? null };
    case 'request_form':
      return { type: 'request_form', text: a.text ? s.template(a.text, [...at, 'text']) : null };
    case 'end':
      return { type: 'end', reason: a.reason ?? null };
    case 'tag':
      return { type: 'tag', tags: a.tags };
    case 'set':
      return {
        type: 'set',
        slots: Object.fromEntries(Object.entries(a.slots).map(([k, v]) => [k, typeof v === 'string' ? s.template(v, [...at, 'slots', k]) : v])),
      };
  }
}
