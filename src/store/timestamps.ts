// Canonical ISO timestamps, so stored times compare correctly as text (SQLite) and match what timestamptz gives back (PostgreSQL).
import { StoreError } from './store-error.ts';

/**
 * Parses any ISO 8601 timestamp and returns it as `toISOString()` would (`2026-11-23T10:00:00.000Z`).
 * Text comparison of two timestamps is only chronological when both have this exact shape:
 * `…T10:00:00Z` sorts after `…T10:00:00.500Z` because `Z` > `.`.
 */
export function isoTimestamp(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new StoreError('value_invalid', `${field}: "${value}" is not an ISO 8601 timestamp.`);
  return new Date(ms).toISOString();
}
