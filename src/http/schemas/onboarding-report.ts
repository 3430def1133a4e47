// What GET /v1/reports/onboarding answers: counts by scenario, auth status and onboarding type, in total and per UTC day.
import { z } from 'zod';
import { AUTH_STATUSES, SCENARIOS } from '../../core/state.ts';
import { ONBOARDING_TYPES } from '../../core/widget.schema.ts';
import type { OnboardingReport as StoredReport } from '../../store/store.port.ts';

/** A count per value of an enum: every value is present, 0 when nothing had it. */
const countsOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.strictObject(Object.fromEntries(values.map((v) => [v, z.number().int()])) as { [K in T[number]]: z.ZodNumber });

const share = z.number().min(0).max(1).describe('trustedMessages / customerMessages; 0 when there are none.');

export const ReportDaySchema = z
  .strictObject({
    day: z.string().describe('YYYY-MM-DD, UTC.'),
    conversations: z.number().int(),
    customerMessages: z.number().int(),
    trustedMessages: z.number().int(),
    trustedShare: share,
  })
  .meta({ id: 'ReportDay' });

export const OnboardingReportSchema = z
  .strictObject({
    from: z.string(),
    to: z.string(),
    conversations: z.number().int(),
    byScenario: countsOf(SCENARIOS),
    byAuthStatus: countsOf(AUTH_STATUSES),
    byOnboardingType: countsOf(ONBOARDING_TYPES),
    customerMessages: z.number().int(),
    trustedMessages: z.number().int(),
    trustedShare: share,
    byDay: z.array(ReportDaySchema).describe('One entry per UTC day that [from, to) touches, in order, days without conversations included.'),
  })
  .meta({ id: 'OnboardingReport' });
export type OnboardingReport = z.infer<typeof OnboardingReportSchema>;

// Compile-time drift check against the store's type, both ways.
type Assert<T extends true> = T;
export type StoreFitsSchema = Assert<StoredReport extends OnboardingReport ? true : false>;
export type SchemaFitsStore = Assert<OnboardingReport extends StoredReport ? true : false>;
