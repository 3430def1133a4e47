// Turns zod validation issues into threadgate issues that name the file, line, step and field.
import type { z } from 'zod';
import type { ErrorCode, ErrorIssue } from './errors.ts';

export type PathKey = string | number;
/** Finds the line and column of a field in the source document, when the source is known. */
export type Locate = (path: readonly PathKey[]) => { line: number; column: number } | undefined;

export interface IssueContext {
  file?: string;
  id?: string;
  locate?: Locate;
}

/** Builds an issue at a field path, filling the step (for `steps.<id>...`) and the source position. */
export function issueAt(code: ErrorCode, path: readonly PathKey[], message: string, ctx: IssueContext): ErrorIssue {
  const pos = ctx.locate?.(path);
  const step = path[0] === 'steps' && typeof path[1] === 'string' ? path[1] : undefined;
  return {
    code,
    message,
    ...(ctx.file ? { file: ctx.file } : {}),
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    ...(ctx.id ? { id: ctx.id } : {}),
    ...(step ? { step } : {}),
    ...(path.length ? { field: path.join('.') } : {}),
  };
}

type ZIssue = z.core.$ZodIssue;

/** In a failed union, the branch whose first issue went deepest is the one the author meant. */
function bestUnionBranch(issue: ZIssue & { errors: ZIssue[][] }): ZIssue[] {
  let best: ZIssue[] = [];
  let depth = -1;
  for (const branch of issue.errors) {
    const unrecognised = branch.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0);
    const d = Math.max(...branch.map((i) => i.path.length)) - (unrecognised ? 0.5 : 0);
    if (d > depth) {
      depth = d;
      best = branch;
    }
  }
  return best;
}

function flatten(issues: readonly ZIssue[], prefix: PathKey[]): { path: PathKey[]; message: string }[] {
  const out: { path: PathKey[]; message: string }[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathKey[])];
    if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors) && issue.errors.length > 0) {
      const branch = bestUnionBranch(issue as ZIssue & { errors: ZIssue[][] });
      if (branch.length > 0 && branch.every((i) => !(i.code === 'invalid_type' && i.path.length === 0))) {
        out.push(...flatten(branch, path));
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      // One issue per unknown key, at the key itself, so its own line is reported.
      for (const key of issue.keys) out.push({ path: [...path, key], message: `unknown field: ${key}` });
      continue;
    }
    out.push({ path, message: issue.message });
  }
  return out;
}

/** Maps a zod error to `schema_invalid` issues with positions. */
export function zodIssues(error: z.ZodError, ctx: IssueContext): ErrorIssue[] {
  return flatten(error.issues, []).map(({ path, message }) => issueAt('schema_invalid', path, message, ctx));
}
