// The one type map of the API: per operationId its path parameters, query, body and answer. Swap an answer type here when its schema lands.
import type { z } from 'zod';
import type { AUTH_STATUSES, CONVERSATION_STATUSES, SCENARIOS } from '../core/state.ts';
import type { RulesSourceBodyValue } from '../http/rules-source-body.ts';
import type { CoverageBody } from '../http/routes/thread-coverage.ts';
import type { EvaluateBody } from '../http/routes/evaluate.ts';
import type { IdentityTokenBody } from '../http/routes/identity-tokens.ts';
import type { ProfileBody } from '../http/routes/profiles.ts';
import type { SaveBody } from '../http/routes/transcripts.ts';
import type { ConversationReadSchema, TimelineReadSchema } from '../http/schemas/conversation-read.ts';
import type { TurnAnswer } from '../http/schemas/turn-answer.ts';
import type { CallerTurnEventSchema, StartRequestSchema } from '../runtime/caller-events.ts';
import type * as A from './answers.ts';

export type { TurnAnswer };
/** The body of a start: the widget and the `start` event's fields (user, token, page…). */
export type StartRequest = z.input<typeof StartRequestSchema>;
/** One event of a turn, a union discriminated by `type` (message, authenticate, close…). */
export type TurnEvent = z.input<typeof CallerTurnEventSchema>;
export type Conversation = z.infer<typeof ConversationReadSchema>;
export type TimelinePage = z.infer<typeof TimelineReadSchema>;

type Id = { id: string };
/** `explain: true` adds the trace of every condition evaluated. */
type ExplainQuery = { explain?: boolean };
type Party = 'current' | 'all' | number;
/** An instant in a query: ISO 8601, or a date (UTC midnight). */
type Instant = string;

/** One operation: what the URL, query and body take, and what a success answers (`undefined` where the route takes none). */
interface Op<P, Q, B, Answer> {
  params: P;
  query: Q;
  body: B;
  answer: Answer;
}

export interface Operations {
  getHealth: Op<{}, undefined, undefined, A.HealthAnswer>;
  getReadiness: Op<{}, undefined, undefined, A.HealthAnswer>;
  /** Prometheus text. */
  getMetrics: Op<{}, undefined, undefined, string>;
  getJwks: Op<{}, undefined, undefined, A.Jwks>;
  startConversation: Op<{}, ExplainQuery, StartRequest, TurnAnswer>;
  listConversations: Op<
    {},
    {
      widgetId?: string;
      scenario?: (typeof SCENARIOS)[number];
      status?: (typeof CONVERSATION_STATUSES)[number];
      authStatus?: (typeof AUTH_STATUSES)[number];
      from?: Instant;
      to?: Instant;
      limit?: number;
      cursor?: string;
    },
    undefined,
    A.ConversationListAnswer
  >;
  postTurn: Op<Id, ExplainQuery, TurnEvent, TurnAnswer>;
  getConversation: Op<Id, { party?: Party; limit?: number }, undefined, Conversation>;
  getConversationTimeline: Op<Id, { party?: Party; limit?: number; before?: number; after?: number }, undefined, TimelinePage>;
  putThreadDraft: Op<Id, undefined, RulesSourceBodyValue, A.StoredSource>;
  getThreadDraft: Op<Id, undefined, undefined, A.SourceAnswer>;
  validateThread: Op<Id, undefined, RulesSourceBodyValue | undefined, A.ValidateAnswer>;
  lintThread: Op<Id, undefined, RulesSourceBodyValue | undefined, A.LintAnswer>;
  publishThread: Op<Id, undefined, undefined, A.VersionSummary>;
  listThreads: Op<{}, undefined, undefined, A.ThreadListAnswer>;
  listThreadVersions: Op<Id, undefined, undefined, A.ThreadVersionsAnswer>;
  getThreadVersion: Op<Id & { version: number }, undefined, undefined, A.ThreadVersionAnswer>;
  rollbackThread: Op<Id, undefined, { version: number }, A.VersionSummary>;
  getThreadCoverage: Op<Id, undefined, z.input<typeof CoverageBody> | undefined, A.CoverageAnswer>;
  putTranscript: Op<{ name: string }, { replace?: boolean }, z.input<typeof SaveBody>, A.TranscriptSaved>;
  listWidgets: Op<{}, undefined, undefined, A.WidgetListAnswer>;
  getWidget: Op<Id, undefined, undefined, A.WidgetSourceAnswer>;
  putWidget: Op<Id, undefined, RulesSourceBodyValue, A.WidgetSavedAnswer>;
  /** 204: nothing in the answer. */
  deleteWidget: Op<Id, undefined, undefined, undefined>;
  listProfiles: Op<{}, { limit?: number; after?: string }, undefined, A.ProfileListAnswer>;
  getProfile: Op<Id, undefined, undefined, A.ProfileRecord>;
  putProfile: Op<Id, undefined, z.input<typeof ProfileBody>, A.ProfileRecord>;
  listProfileConversations: Op<Id, { limit?: number; cursor?: string }, undefined, A.ProfileConversationsAnswer>;
  getOnboardingReport: Op<{}, { from?: Instant; to?: Instant; widgetId?: string }, undefined, A.OnboardingReport>;
  evaluateTurn: Op<{}, undefined, z.input<typeof EvaluateBody>, A.EvaluateAnswer>;
  issueIdentityToken: Op<{}, undefined, z.input<typeof IdentityTokenBody>, A.IdentityTokenAnswer>;
}

export type OperationId = keyof Operations;
export type Answer<O extends OperationId> = Operations[O]['answer'];
