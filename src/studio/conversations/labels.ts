// Words and colours for the onboarding scenarios (the seed's: most ideal … most undesired, plus visitor), statuses and days, shared by the conversation screens and the report.
import type { Scenario } from './conversation-types.ts';

export const SCENARIOS: readonly Scenario[] = ['most_ideal', 'ideal', 'standard', 'undesired', 'most_undesired', 'visitor'];

/** The seed orders its scenarios "from the most ideal to the least desired"; visitors never identified at all. */
export const SCENARIO_LABELS: Record<Scenario, string> = {
  most_ideal: 'most ideal',
  ideal: 'ideal',
  standard: 'standard',
  undesired: 'undesired',
  most_undesired: 'most undesired',
  visitor: 'visitor',
};

/** Green for trusted before routing, blue for identified, amber to red for late or conflicting logins, grey for visitors. */
export const SCENARIO_COLORS: Record<Scenario, string> = {
  most_ideal: '#146c3a',
  ideal: '#3f9a5c',
  standard: '#3b6fd1',
  undesired: '#c77800',
  most_undesired: '#b42318',
  visitor: '#8a93a3',
};

export const STATUSES = ['pending', 'active', 'handed_off', 'ended', 'closed'] as const;
export const AUTH_STATUSES = ['anonymous', 'identified', 'authenticated'] as const;
export const ONBOARDING_TYPES = ['none', 'code', 'form', 'optional_form'] as const;

export const scenarioLabel = (s: string): string => SCENARIO_LABELS[s as Scenario] ?? s;
export const words = (s: string): string => s.replace(/_/g, ' ');

/** A date input's value (YYYY-MM-DD) `days` after `day`, in UTC, as the API reads dates. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export const today = (): string => new Date().toISOString().slice(0, 10);

/** A date input value the API accepts, or nothing. */
export const isDay = (s: string | null | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
