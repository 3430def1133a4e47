// Turns the aggregate rows of a report query into an OnboardingReport, the same way for every store.
import { AUTH_STATUSES, SCENARIOS } from '../core/state.ts';
import { ONBOARDING_TYPES } from '../core/widget.schema.ts';
import type { OnboardingReport } from './store.port.ts';

/** One group of conversations sharing a scenario, auth status and onboarding type. */
export interface ReportGroup {
  scenario: string;
  authStatus: string;
  onboardingType: string;
  count: number;
}

/** Every known value as a key, 0 included, so a chart never has to guess at a missing one. */
function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function bump<K extends string>(counts: Record<K, number>, key: string, n: number): void {
  if (Object.hasOwn(counts, key)) counts[key as K] += n;
}

export function buildOnboardingReport(
  range: { from: string; to: string },
  groups: ReportGroup[],
  messages: { customer: number; trusted: number },
): OnboardingReport {
  const report: OnboardingReport = {
    from: range.from,
    to: range.to,
    conversations: 0,
    byScenario: zeroes(SCENARIOS),
    byAuthStatus: zeroes(AUTH_STATUSES),
    byOnboardingType: zeroes(ONBOARDING_TYPES),
    customerMessages: messages.customer,
    trustedMessages: messages.trusted,
    trustedShare: messages.customer === 0 ? 0 : messages.trusted / messages.customer,
  };
  for (const g of groups) {
    report.conversations += g.count;
    bump(report.byScenario, g.scenario, g.count);
    bump(report.byAuthStatus, g.authStatus, g.count);
    bump(report.byOnboardingType, g.onboardingType, g.count);
  }
  return report;
}
