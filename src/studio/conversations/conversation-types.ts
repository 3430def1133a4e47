// The shapes the admin API answers for conversations and the onboarding report, as the studio reads them (types only: also read by node tests).

export type Scenario = 'most_ideal' | 'ideal' | 'standard' | 'undesired' | 'most_undesired' | 'visitor';
export type Indicator = 'green' | 'gray' | null;

export interface ConversationSummary {
  id: string;
  widgetId: string;
  threadId: string;
  threadVersion: number;
  status: string;
  scenario: Scenario;
  authStatus: string;
  onboardingType: string;
  createdAt: string;
  updatedAt: string;
  customerMessages: number;
  trustedMessages: number;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
}

export interface TimelineLine {
  seq: number;
  turn: number;
  party: number;
  from: 'customer' | 'bot' | 'system';
  text: string;
  trusted: boolean | null;
  indicator: Indicator;
  at: string;
}

export interface ConversationDetail {
  id: string;
  widgetId: string;
  threadId: string;
  threadVersion: number;
  version: number;
  status: string;
  scenario: Scenario;
  onboardingType: string;
  step: string | null;
  identity: { status: string; method: string; party: number; tokenExpiresAt: number | null };
  profile: { match: string; id: string | null };
  routed: boolean;
  queue: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  timeline: TimelineLine[];
}

export interface ReportDay {
  day: string;
  conversations: number;
  customerMessages: number;
  trustedMessages: number;
  trustedShare: number;
}

export interface OnboardingReport {
  from: string;
  to: string;
  conversations: number;
  byScenario: Record<Scenario, number>;
  byAuthStatus: Record<string, number>;
  byOnboardingType: Record<string, number>;
  customerMessages: number;
  trustedMessages: number;
  trustedShare: number;
  byDay: ReportDay[];
}
