// The shapes the admin API answers for conversations and the onboarding report, as the studio reads them (types only: also read by node tests).
import type { ConversationSummary, OnboardingReport, ReportDay } from '../../store/store.port.ts';

// The store's own shapes, as the routes answer them verbatim.
export type { ConversationSummary, OnboardingReport, ReportDay };

export type Scenario = 'most_ideal' | 'ideal' | 'standard' | 'undesired' | 'most_undesired' | 'visitor';
export type Indicator = 'green' | 'gray' | null;

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
  /** The latest page of the timeline (oldest first); `timelinePage.hasMore` says earlier entries exist. */
  timeline: TimelineLine[];
  timelinePage?: { limit: number; hasMore: boolean; nextBefore: number | null; nextAfter: number | null };
}
