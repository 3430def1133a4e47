// Time bounds in query strings: an ISO 8601 timestamp with its offset, or a date alone read as UTC midnight; and the check that a range is not empty.
import { z } from 'zod';
import { storableInstant } from '../store/timestamps.ts';
import { HttpError } from './error-catalogue.ts';

const DateTime = z.iso.datetime({ offset: true });
const DateOnly = z.iso.date();
const SHAPES = 'an ISO 8601 timestamp with an offset (2026-01-01T00:00:00Z) or a date (2026-01-01, read as UTC midnight)';

/** A query parameter that becomes a canonical ISO timestamp (`2026-01-01T00:00:00.000Z`). */
export const QueryInstant = z
  .string()
  .max(40)
  .transform((raw, ctx) => {
    const text = DateOnly.safeParse(raw).success ? `${raw}T00:00:00Z` : DateTime.safeParse(raw).success ? raw : null;
    const ms = text === null ? Number.NaN : Date.parse(text);
    if (text === null || Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `must be ${SHAPES}` });
      return z.NEVER;
    }
    // Stores hold the years 0001-9999 only (PostgreSQL has no year 0); beyond them is a bad request, not a 500.
    if (!storableInstant(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must fall in the years 0001 to 9999 (UTC)' });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

/** The 400 of a query whose `field` is wrong in a way the schema cannot see (an empty range, too many days). */
export function queryInvalid(field: string, message: string): HttpError {
  return new HttpError('validation_failed', `Invalid request: querystring.${field}: ${message}`, { issues: [{ field: `querystring.${field}`, message }] });
}

/** Refuses a range whose `from` is not before its `to`. */
export function assertRangeOrder(from: string, to: string): void {
  if (Date.parse(from) >= Date.parse(to)) throw queryInvalid('from', `from (${from}) must be before to (${to}).`);
}
