// compile(threadDoc): validates a thread, resolves its references and builds its rule engines once.
import { attachEngines, compileHandlers } from './compile-branches.ts';
import { compileNamedConditions } from './compile-conditions.ts';
import { compileIntents } from './compile-intents.ts';
import { compileLookups } from './compile-lookups.ts';
import { Problems } from './compile-problems.ts';
import { CompileScope } from './compile-scope.ts';
import { compileSteps } from './compile-steps.ts';
import type { CompiledThread } from './compiled-thread.ts';
import { ThreadgateError } from './errors.ts';
import { ThreadSchema, type ThreadDoc } from './thread.schema.ts';
import { zodIssues, type IssueContext } from './zod-issues.ts';

export type { BranchSet, CompiledAction, CompiledAsk, CompiledBranch, CompiledChoice, CompiledStep, CompiledThread } from './compiled-thread.ts';

export interface CompileOptions extends IssueContext {}

export const DEFAULT_MAX_AUTO_STEPS = 50;

/** Validates a thread document (parsed YAML or JSON) and compiles it; throws ThreadgateError with every problem. */
export function compile(input: unknown, opts: CompileOptions = {}): CompiledThread {
  const { doc, ctx } = parseThread(input, opts);
  const p = new Problems(ctx);
  const s = new CompileScope(doc, p);
  // The stages run in this order so problems are reported in file order: conditions, start, intents, lookups, steps, on.
  const named = compileNamedConditions(doc, p, s.conditions);
  if (!s.stepIds.has(doc.start)) p.add('start_step_unknown', ['start'], `start step "${doc.start}" is not among the steps (${[...s.stepIds].join(', ')})`);
  const intents = compileIntents(doc, p);
  const lookups = compileLookups(s);
  const steps = compileSteps(s);
  const on = compileHandlers(s);
  if (p.list.length) throw ThreadgateError.fromIssues(p.list);

  // Engines are built only once the whole thread is known to be valid.
  attachEngines(steps, on, named);
  return {
    id: doc.id,
    title: doc.title ?? null,
    start: doc.start,
    steps,
    on,
    maxAutoSteps: doc.limits?.maxAutoSteps ?? DEFAULT_MAX_AUTO_STEPS,
    slots: s.slots,
    intents,
    lookups,
    doc,
    file: opts.file ?? null,
  };
}

/** Checks the document against the thread schema; schema problems are thrown at once, as nothing else can be checked. */
function parseThread(input: unknown, opts: CompileOptions): { doc: ThreadDoc; ctx: IssueContext } {
  const idGuess = typeof input === 'object' && input !== null && typeof (input as { id?: unknown }).id === 'string' ? (input as { id: string }).id : undefined;
  const ctx: IssueContext = { ...opts, ...(idGuess ? { id: idGuess } : {}) };
  const parsed = ThreadSchema.safeParse(input);
  if (!parsed.success) throw ThreadgateError.fromIssues(zodIssues(parsed.error, ctx));
  return { doc: parsed.data, ctx };
}
