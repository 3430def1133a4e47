// The shapes compile() produces: a compiled thread, its steps, asks, actions and branch sets.
import type { CompiledGenerate } from './generate.ts';
import type { CompiledIntent } from './intents.ts';
import type { CompiledLookup } from './lookup.ts';
import type { BranchEngine, NormalCondition } from './rules-engine.ts';
import type { Template } from './template.ts';
import type { Ask, HandlerEvent, ThreadDoc } from './thread.schema.ts';

export interface CompiledBranch {
  index: number;
  name?: string;
  goto: string;
  when: NormalCondition | null;
}

/** An ordered branch list (a step's `next` or an `on` handler): the first branch that holds wins. */
export interface BranchSet {
  owner: string;
  branches: CompiledBranch[];
  engine: BranchEngine | null;
}

export type CompiledAction =
  | { type: 'handoff'; queue: string; note: Template | null }
  | { type: 'reroute'; queue: string; note: Template | null }
  | { type: 'request_login'; text: Template | null; url: string | null }
  | { type: 'request_form'; text: Template | null }
  | { type: 'end'; reason: string | null }
  | { type: 'tag'; tags: string[] }
  | { type: 'set'; slots: Record<string, string | number | boolean | null | Template> };

export interface CompiledChoice {
  id: string;
  label: string;
  synonyms: string[];
}

export interface CompiledAsk {
  slot: string;
  type: Ask['type'];
  prompt: Template | null;
  error: Template | null;
  choices: CompiledChoice[];
  maxAttempts: number;
  onFail: string | null;
  maxLength: number;
  defaultCountry: string | null;
}

export interface CompiledStep {
  id: string;
  say: Template[];
  actions: CompiledAction[];
  ask: CompiledAsk | null;
  /** A reply for the runtime's model to compose, said after `say`. */
  generate: CompiledGenerate | null;
  /** A declared lookup to wait for, after the actions. */
  lookup: string | null;
  next: BranchSet | null;
  /** A step with handoff, reroute or end stops the thread there. */
  terminal: boolean;
}

export interface CompiledThread {
  id: string;
  title: string | null;
  start: string;
  steps: ReadonlyMap<string, CompiledStep>;
  on: Partial<Record<HandlerEvent, BranchSet>>;
  maxAutoSteps: number;
  slots: ReadonlySet<string>;
  /** The built-in intent matchers, in file order. */
  intents: CompiledIntent[];
  lookups: ReadonlyMap<string, CompiledLookup>;
  doc: ThreadDoc;
  file: string | null;
}
