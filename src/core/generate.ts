// Builds the `generate` output: the facts handed to the runtime's model, scoped by who the customer is right now.
import { readPath, type Facts } from './facts.ts';
import type { Output, TrustLevel } from './outputs.ts';
import { isTrustedAt, type IdentityState } from './state.ts';
import { refsOf, renderTemplate, type Template } from './template.ts';

export interface CompiledGenerate {
  instructions: Template;
  facts: string[];
  avoid: string[];
}

/** Paths a visitor's reply may use: nothing that identifies or was told by the customer, except this message. */
const VISITOR_PATHS = [
  'widget',
  'conversation.turn',
  'conversation.step',
  'conversation.routed',
  'conversation.queue',
  'conversation.status',
  'conversation.tags',
  'message.text',
  'message.intent',
  'scenario',
  'onboarding.type',
];
/** An unverified identity only adds the name: anyone can type someone else's email into setUser. */
const IDENTIFIED_PATHS = [...VISITOR_PATHS, 'auth.name', 'auth.firstName', 'profile.name', 'profile.firstName'];

/** Authenticated counts only while the token is valid: an expired one is no better than setUser. */
export function trustLevel(identity: IdentityState, nowSeconds: number): TrustLevel {
  if (isTrustedAt(identity, nowSeconds)) return 'authenticated';
  return identity.status === 'anonymous' ? 'visitor' : 'identified';
}

/** Whether a path lies inside the scope; a path above an allowed one (`auth`, `conversation`) is not. */
export function pathAllowed(trust: TrustLevel, path: string): boolean {
  if (trust === 'authenticated') return true;
  const allowed = trust === 'visitor' ? VISITOR_PATHS : IDENTIFIED_PATHS;
  return allowed.some((a) => path === a || path.startsWith(`${a}.`));
}

/** A copy of the facts holding only what the trust level allows, so nothing else can be rendered from it. */
function scopedFacts(facts: Facts, trust: TrustLevel): Facts {
  if (trust === 'authenticated') return facts;
  const out: Facts = {};
  for (const path of trust === 'visitor' ? VISITOR_PATHS : IDENTIFIED_PATHS) {
    const [head, ...rest] = path.split('.');
    const value = readPath(facts[head!], rest);
    if (value === undefined) continue;
    if (!rest.length) out[head!] = value;
    else ((out[head!] ??= {}) as Record<string, unknown>)[rest.join('.')] = value;
  }
  return out;
}

/**
 * The generate output: requested paths outside the scope are omitted and listed in `withheld`, and the
 * instructions are rendered from the scoped facts, so an author cannot leak a field through a placeholder.
 */
export function generateOutput(g: CompiledGenerate, facts: Facts, trust: TrustLevel, step: string): Output {
  const scoped = scopedFacts(facts, trust);
  const handed: Record<string, unknown> = {};
  const withheld: string[] = [];
  for (const path of g.facts) {
    if (!pathAllowed(trust, path)) {
      withheld.push(path);
      continue;
    }
    const [head, ...rest] = path.split('.');
    handed[path] = readPath(facts[head!], rest) ?? null;
  }
  for (const part of g.instructions.parts) {
    if (typeof part === 'string') continue;
    for (const ref of refsOf(part)) {
      const path = [ref.fact, ...ref.path].join('.');
      if (!pathAllowed(trust, path) && !withheld.includes(path)) withheld.push(path);
    }
  }
  // Instructions go to the model, not to a web page: rendered without HTML escaping.
  const instructions = renderTemplate(g.instructions, scoped, { escape: false });
  return { type: 'generate', step, instructions, facts: handed, avoid: [...g.avoid], trust, withheld };
}
