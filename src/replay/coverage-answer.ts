// The shapes of branch coverage (CLI --json and POST /v1/threads/:id/coverage): types only, so the studio can mirror them.
import type { ErrorIssue } from '../core/errors.ts';

/** As the studio's graph model names its edges: `next` (a condition or a plain `next: id`), `default`, `on_fail`, `handler`. */
export type BranchKind = 'next' | 'default' | 'on_fail' | 'handler';

/** One edge of the thread's graph and how often the replayed turns took it. */
export interface CoverageBranch {
  /** The studio graph's edge id: `${step}>${index}` (the branch's index in its list), `${step}>fail` for onFail. */
  id: string;
  /** The step the edge leaves, or the handler node `on.<event>`. */
  step: string;
  /** The branch's index in its list (0 for a plain `next: id`); null for onFail. */
  index: number | null;
  /** The branch's `name`, or null. */
  name: string | null;
  to: string;
  kind: BranchKind;
  hits: number;
}

export interface ThreadCoverage {
  threadId: string;
  total: number;
  covered: number;
  branches: CoverageBranch[];
}

/** One transcript of a coverage run: `failures` counts failed expectations; `issues` say why it could not run. */
export interface CoverageTranscript {
  name: string;
  ok: boolean;
  failures: number;
  issues: ErrorIssue[];
}

/** The answer of POST /v1/threads/:id/coverage. `checked` says which thread source ran. */
export interface CoverageAnswer extends ThreadCoverage {
  checked: 'body' | 'draft' | 'active';
  transcripts: CoverageTranscript[];
}
