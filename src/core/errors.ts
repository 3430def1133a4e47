// ThreadgateError (bad rules files, JWT settings, events) and its stable codes; HTTP (HttpError) and the store (StoreError) have their own.

/** Problems in thread and widget files, found when they are parsed or compiled. */
export const RULE_ERROR_CODES = [
  'yaml_invalid',
  'schema_invalid',
  'kind_unknown',
  'duplicate_id',
  'start_step_unknown',
  'goto_step_unknown',
  'default_branch_not_last',
  'fact_unknown',
  'fact_path_unknown',
  'fact_path_on_scalar',
  'condition_unknown',
  'operator_unknown',
  'operator_value_invalid',
  'template_fact_unknown',
  'template_invalid',
  'slot_unknown',
  'widget_thread_unknown',
  'intent_pattern_unsafe',
  'lookup_unknown',
] as const;

/** Problems in JWT settings, found when a widget's keys are loaded. */
export const AUTH_CONFIG_ERROR_CODES = [
  'jwt_config_invalid',
  'jwt_secret_missing',
  'jwt_secret_too_short',
  'jwt_secret_weak',
  'jwt_key_invalid',
  'identity_value_invalid',
] as const;

/** Problems in calling the core itself (a programming error of the caller, not of the customer). */
export const CALL_ERROR_CODES = ['event_invalid', 'state_invalid', 'io_error', 'config_invalid'] as const;

export const ERROR_CODES = [...RULE_ERROR_CODES, ...AUTH_CONFIG_ERROR_CODES, ...CALL_ERROR_CODES] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Where in a rules file a problem sits: file, line and column are filled when the source is known. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  /** The thread or widget id. */
  id?: string;
  /** The step the problem belongs to, when it belongs to one. */
  step?: string;
  /** Dotted path of the offending field inside the document, e.g. `steps.greet.next.0.goto`. */
  field?: string;
}

export interface ErrorIssue extends ErrorLocation {
  code: ErrorCode;
  message: string;
}

/** Formats an issue as `file:line:col step "x" field y: message [code]` for terminals and logs. */
export function formatIssue(issue: ErrorIssue): string {
  const where = [
    issue.file ? `${issue.file}${issue.line ? `:${issue.line}${issue.column ? `:${issue.column}` : ''}` : ''}` : undefined,
    issue.step ? `step "${issue.step}"` : undefined,
    issue.field ? `field ${issue.field}` : undefined,
  ].filter(Boolean);
  return `${where.length ? `${where.join(' ')}: ` : ''}${issue.message} [${issue.code}]`;
}

/**
 * Thrown for bad input: a broken rules file, a bad JWT configuration, a malformed event.
 * `issues` lists every problem found, so an author fixes them all in one pass.
 */
export class ThreadgateError extends Error {
  readonly code: ErrorCode;
  readonly issues: ErrorIssue[];

  constructor(code: ErrorCode, message: string, issues?: ErrorIssue[]) {
    super(message);
    this.name = 'ThreadgateError';
    this.code = code;
    this.issues = issues && issues.length > 0 ? issues : [{ code, message }];
  }

  /** Builds one error from many issues; its code is the first issue's. */
  static fromIssues(issues: ErrorIssue[]): ThreadgateError {
    const first = issues[0];
    if (!first) throw new Error('fromIssues needs at least one issue');
    const summary = issues.length === 1 ? formatIssue(first) : `${issues.length} problems, first: ${formatIssue(first)}`;
    return new ThreadgateError(first.code, summary, issues);
  }
}

export function isThreadgateError(err: unknown): err is ThreadgateError {
  return err instanceof ThreadgateError;
}
