// Canonical ISO timestamps, so stored times compare correctly as text (SQLite) and match what timestamptz gives back (PostgreSQL).
import { StoreError } from './store-error.ts';

/** Years 0001 to 9999: outside them toISOString() leaves the 24-character shape, and PostgreSQL has no year 0. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** Whether `ms` is an instant every store can hold and compare: in the years 0001 to 9999. */
export const storableInstant = (ms: number): boolean => ms >= EARLIEST && ms <= LATEST;

/**
 * Parses any ISO 8601 timestamp and returns it as `toISOString()` would (`2026-11-23T10:00:00.000Z`).
 * Text comparison of two timestamps is only chronological when both have this exact shape:
 * `…T10:00:00Z` sorts after `…T10:00:00.500Z` because `Z` > `.`.
 */
export function isoTimestamp(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new StoreError('value_invalid', `${field}: "${value}" is not an ISO 8601 timestamp.`);
  if (!storableInstant(ms)) throw new StoreError('value_invalid', `${field}: "${value}" is outside the years 0001 to 9999.`);
  return new Date(ms).toISOString();
}
