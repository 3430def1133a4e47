// The problem list compile() fills: every stage adds to it so an author sees all problems at once.
import type { ErrorCode, ErrorIssue } from './errors.ts';
import { issueAt, type IssueContext, type PathKey } from './zod-issues.ts';

/** Collects problems instead of stopping at the first, so an author sees them all at once. */
export class Problems {
  readonly list: ErrorIssue[] = [];
  constructor(private readonly ctx: IssueContext) {}
  add(code: ErrorCode, path: readonly PathKey[], message: string): void {
    this.list.push(issueAt(code, path, message, this.ctx));
  }
}
