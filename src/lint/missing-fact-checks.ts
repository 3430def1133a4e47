// Lint check: negations over facts that may be missing, where "missing makes every operator false" surprises.
import type { CompiledThread } from '../core/compile.ts';
import type { NormalCondition, NormalLeaf } from '../core/rules-engine.ts';
import type { PathKey } from '../core/zod-issues.ts';
import { conditionText, isFactRef, leafFact, type Named } from './conditions.ts';
import type { Edge } from './thread-graph.ts';
import { finding, type Finding, type Place } from './types.ts';

const NEGATIVE = new Set(['notEqual', 'notIn', 'doesNotContain']);

/** Why a fact may be absent at this point, or null when it is always present. */
function missingReason(f: { fact: string; path: string[] }, setSlots: ReadonlySet<string>): string | null {
  const [first] = f.path;
  if (f.fact === 'slots' && first !== undefined && !setSlots.has(first)) return `slot "${first}" is not set on every path here`;
  if (f.fact === 'profile' && first === 'attributes' && f.path.length > 1) return 'a profile attribute is missing when the profile lacks it';
  if (f.fact === 'message' && first === 'entities' && f.path.length > 1) return 'a message entity is missing when the message has none';
  if (f.fact === 'conversation' && first === 'context' && f.path.length > 1) return 'a context key is missing when the website did not pass it';
  return null;
}

interface Site {
  setSlots: ReadonlySet<string>;
  named: Named;
  place: Place;
  out: Finding[];
  reported: Set<string>;
}

function visitLeaf(leaf: NormalLeaf, at: PathKey[], negated: boolean, site: Site): void {
  const sides = [leaf, ...(isFactRef(leaf.value) ? [leaf.value] : [])];
  const reason = sides.map((s) => missingReason(s, site.setSlots)).find((r) => r !== null);
  if (!reason || site.reported.has(at.join('.'))) return;
  const text = conditionText(leaf);
  // The documented idiom for "not set (or null)": not { notEqual null }.
  if (negated && leaf.operator === 'notEqual' && leaf.value === null) return;
  if (NEGATIVE.has(leaf.operator)) {
    site.reported.add(at.join('.'));
    const holdsWhenMissing = negated ? ' (under `not`, it then holds)' : '';
    site.out.push(finding('negative_operator_on_missing', `\`${text}\` is false when ${leafFact(leaf)} is missing, not true${holdsWhenMissing}: ${reason}. Test presence separately, or use \`not\` with a positive operator`, site.place, at));
  } else if (negated) {
    site.reported.add(at.join('.'));
    site.out.push(finding('not_on_missing', `\`not ${text}\` holds when ${leafFact(leaf)} is missing (every operator is false on a missing value): ${reason}`, site.place, at));
  }
}

function visit(c: NormalCondition, at: PathKey[], negated: boolean, site: Site, depth = 0): void {
  if (depth > 50) return;
  if ('all' in c) c.all.forEach((x, i) => visit(x, [...at, 'all', i], negated, site, depth + 1));
  else if ('any' in c) c.any.forEach((x, i) => visit(x, [...at, 'any', i], negated, site, depth + 1));
  else if ('not' in c) visit(c.not, [...at, 'not'], !negated, site, depth + 1);
  else if ('condition' in c) {
    const target = site.named.get(c.condition);
    if (target) visit(target, ['conditions', c.condition], negated, site, depth + 1);
  } else visitLeaf(c, at, negated, site);
}

/** `setSlotsAt(from)` gives the slots certainly set where a branch list is evaluated. */
export function missingFactFindings(thread: CompiledThread, edges: Edge[], place: Place, named: Named, setSlotsAt: (from: string) => ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const reported = new Set<string>();
  for (const e of edges) {
    if (!e.branch?.when) continue;
    visit(e.branch.when, e.shorthand ? e.at : [...e.at, 'when'], false, { setSlots: setSlotsAt(e.from), named, place, out, reported });
  }
  return out;
}
