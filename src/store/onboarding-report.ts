// Turns the aggregate rows of a report query (per UTC day) into an OnboardingReport, the same way for every store.
import { AUTH_STATUSES, SCENARIOS } from '../core/state.ts';
import { ONBOARDING_TYPES } from '../core/widget.schema.ts';
import { StoreError } from './store-error.ts';
import type { OnboardingReport, ReportDay } from './store.port.ts';

/** The most days the HTTP API lets a report cover (a year, leap day included), so an answer stays small. */
export const REPORT_MAX_DAYS = 366;
/**
 * The most days a store lists, whoever calls it: internal callers count over wide ranges (decades), but a range of
 * millennia would build millions of day entries. About 273 years; past it the store refuses rather than exhaust memory.
 */
export const STORE_REPORT_MAX_DAYS = 100_000;
const DAY_MS = 86_400_000;

/** One group of conversations created on one UTC day sharing a scenario, auth status and onboarding type. */
export interface ReportGroup {
  day: string;
  scenario: string;
  authStatus: string;
  onboardingType: string;
  count: number;
}

/** The customer messages of the conversations created on one UTC day. */
export interface ReportMessages {
  day: string;
  customer: number;
  trusted: number;
}

/** How many UTC days [from, to) touches: from the day of `from` to the day of the last millisecond before `to`. */
export function reportDayCount(fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  return Math.floor((toMs - 1) / DAY_MS) - Math.floor(fromMs / DAY_MS) + 1;
}

/** The `YYYY-MM-DD` of every UTC day [from, to) touches; more than STORE_REPORT_MAX_DAYS is StoreError `value_invalid`. */
export function reportDays(from: string, to: string): string[] {
  const fromMs = Date.parse(from);
  const n = reportDayCount(fromMs, Date.parse(to));
  if (n > STORE_REPORT_MAX_DAYS) throw new StoreError('value_invalid', `[${from}, ${to}) covers ${n} UTC days; a store report covers at most ${STORE_REPORT_MAX_DAYS}.`);
  const first = Math.floor(fromMs / DAY_MS) * DAY_MS;
  return Array.from({ length: n }, (_, i) => new Date(first + i * DAY_MS).toISOString().slice(0, 10));
}

/** Every known value as a key, 0 included, so a chart never has to guess at a missing one. */
function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function bump<K extends string>(counts: Record<K, number>, key: string, n: number): void {
  if (Object.hasOwn(counts, key)) counts[key as K] += n;
}

const share = (trusted: number, customer: number): number => (customer === 0 ? 0 : trusted / customer);

/** `days` from reportDays(); rows of a day outside it (none, when the query used the same range) are not counted. */
export function buildOnboardingReport(range: { from: string; to: string }, days: string[], groups: ReportGroup[], messages: ReportMessages[]): OnboardingReport {
  const byDay = new Map<string, ReportDay>(days.map((day) => [day, { day, conversations: 0, customerMessages: 0, trustedMessages: 0, trustedShare: 0 }]));
  const report: OnboardingReport = {
    from: range.from,
    to: range.to,
    conversations: 0,
    byScenario: zeroes(SCENARIOS),
    byAuthStatus: zeroes(AUTH_STATUSES),
    byOnboardingType: zeroes(ONBOARDING_TYPES),
    customerMessages: 0,
    trustedMessages: 0,
    trustedShare: 0,
    byDay: [],
  };
  for (const g of groups) {
    const day = byDay.get(g.day);
    if (!day) continue;
    day.conversations += g.count;
    report.conversations += g.count;
    bump(report.byScenario, g.scenario, g.count);
    bump(report.byAuthStatus, g.authStatus, g.count);
    bump(report.byOnboardingType, g.onboardingType, g.count);
  }
  for (const m of messages) {
    const day = byDay.get(m.day);
    if (!day) continue;
    day.customerMessages += m.customer;
    day.trustedMessages += m.trusted;
    report.customerMessages += m.customer;
    report.trustedMessages += m.trusted;
  }
  report.trustedShare = share(report.trustedMessages, report.customerMessages);
  report.byDay = [...byDay.values()].map((d) => ({ ...d, trustedShare: share(d.trustedMessages, d.customerMessages) }));
  return report;
}
