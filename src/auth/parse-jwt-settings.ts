// Parsing of authored `jwt:` settings into `JwtSettings`, with zod issues turned into ThreadgateError issues.
import { ThreadgateError, type ErrorIssue } from '../core/errors.ts';
import { JwtSettingsSchema, type JwtSettings } from '../core/jwt-settings.schema.ts';

/** Throws `jwt_config_invalid` listing every problem with its dotted field path, so an author fixes them in one pass. */
export function parseJwtSettings(input: unknown): JwtSettings {
  const parsed = JwtSettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues: ErrorIssue[] = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return { code: 'jwt_config_invalid', message: issue.message, ...(field ? { field } : {}) };
  });
  throw ThreadgateError.fromIssues(issues);
}
