// The answers of routes that have no zod response schema yet, typed from what their handlers return (store and core types).
import type { PublicEcJwk } from '../auth/key-ring.ts';
import type { Capabilities } from '../core/capabilities.ts';
import type { ProfileRecord } from '../core/events.ts';
import type { TurnResult } from '../core/outputs.ts';
import type { Finding } from '../lint/types.ts';
import type { CoverageAnswer } from '../replay/coverage-answer.ts';
import type { ConversationSummary, OnboardingReport, RulesSource } from '../store/store.port.ts';

export type { CoverageAnswer, ProfileRecord, OnboardingReport, ConversationSummary };

export interface HealthAnswer {
  status: 'ok';
}

export interface Jwks {
  keys: PublicEcJwk[];
}

export interface ConversationListAnswer {
  conversations: ConversationSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ProfileConversationsAnswer extends ConversationListAnswer {
  profileId: string;
}

export type StoredSource = Pick<RulesSource, 'id' | 'updatedAt'>;
export type SourceAnswer = RulesSource;

/** Which source a check ran on: the body sent, or the stored draft. */
export type Checked = 'body' | 'draft';

export interface ValidateAnswer {
  valid: true;
  id: string;
  checked: Checked;
  steps: number;
}

export interface LintAnswer {
  id: string;
  checked: Checked;
  findings: Finding[];
}

export interface VersionSummary {
  id: string;
  version: number;
  publishedAt: string;
  active: boolean;
}

export interface ThreadListAnswer {
  threads: { id: string; activeVersion: number | null; draftUpdatedAt: string | null }[];
}

export interface ThreadVersionsAnswer {
  id: string;
  versions: VersionSummary[];
}

export type ThreadVersionAnswer = VersionSummary & { source: string };

export interface TranscriptSaved {
  name: string;
  file: string;
  replaced: boolean;
}

export interface WidgetListAnswer {
  widgets: { id: string; updatedAt: string; name: string | null; onboarding: string | null; thread: string | null }[];
}

export interface ProfileListAnswer {
  profiles: ProfileRecord[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export type EvaluateAnswer = TurnResult & { capabilities: Capabilities };

export interface IdentityTokenAnswer {
  token: string;
  expiresAt: string;
  kid: string;
}
