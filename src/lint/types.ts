// The shape of a lint finding and the catalogue of stable lint codes (documented in docs/cli.md).
import type { PathKey } from '../core/zod-issues.ts';

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  /** A lint code from LINT_CODES, or a compile error code (RULE_ERROR_CODES) surfaced as an error. */
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  step?: string;
  field?: string;
}

/** Codes the linter itself raises; compile errors keep their own codes. */
export const LINT_CODES = {
  step_unreachable: 'warning',
  dead_end: 'warning',
  loop_without_ask: 'error',
  loop_may_not_wait: 'warning',
  branch_shadowed: 'error',
  condition_never_holds: 'warning',
  no_default_branch: 'warning',
  negative_operator_on_missing: 'warning',
  not_on_missing: 'warning',
  form_not_offered: 'warning',
  login_url_missing: 'warning',
} as const satisfies Record<string, Severity>;

export type LintCode = keyof typeof LINT_CODES;

/** Finds the 1-based line and column of a field; undefined when the field cannot be located. */
export type Locator = (path: readonly PathKey[]) => { line: number; column: number } | undefined;

/** Where a finding sits in its file: `at` is a document path such as ['steps', 'greet', 'next', 0]. */
export interface Place {
  file: string;
  locate: Locator | null;
}

export function finding(code: LintCode, message: string, place: Place, at: readonly PathKey[]): Finding {
  const pos = place.locate?.(at) ?? { line: 1, column: 1 };
  const step = at[0] === 'steps' && typeof at[1] === 'string' ? at[1] : undefined;
  return {
    severity: LINT_CODES[code],
    code,
    message,
    file: place.file,
    line: pos.line,
    column: pos.column,
    ...(step ? { step } : {}),
    ...(at.length ? { field: at.join('.') } : {}),
  };
}

/** `file:line:col severity code: message`, the one-line form validate prints. */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column} ${f.severity} ${f.code}: ${f.message}`;
}
