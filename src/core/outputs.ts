// What a turn returns: outputs (data for the runtime to act on), the trace, and the result shape.
import type { ConditionTrace } from './rules-engine.ts';
import type { ConversationState, AuthStatus, IdentityMethod } from './state.ts';
import type { SlotType, Scalar } from './thread.schema.ts';
import type { TurnEventType } from './events.ts';
import type { IdentityChange } from './facts.ts';
import type { ResponseSchema } from './lookup-schema.ts';

/** How much the generate output may reveal: decided by the core from identity and trust at that moment. */
export type TrustLevel = 'visitor' | 'identified' | 'authenticated';

export interface LookupRequest {
  url: string;
  method: 'GET' | 'POST';
  body: Record<string, unknown> | null;
  timeoutMs: number;
  retries: number;
  maxBytes: number;
}

export type OutAction =
  | { type: 'handoff'; queue: string; note: string | null }
  /** To another queue as a different customer: `party` is the new party, `previousQueue` where it was routed before. */
  | { type: 'reroute'; queue: string; previousQueue: string | null; party: number; note: string | null }
  | { type: 'request_login'; url: string | null; text: string | null }
  | { type: 'request_form'; fields: string[]; required: boolean; text: string | null }
  | { type: 'end'; reason: string | null }
  | { type: 'tag'; tags: string[] }
  | { type: 'set'; slots: Record<string, Scalar> }
  | { type: 'send_transcript'; email: string | null; phone: string | null }
  | { type: 'rating'; score: number; comment: string | null };

/** Expected outcomes, reported as data: none of these is a fault. */
export const NOTICE_CODES = [
  'identity_required',
  'form_required',
  'form_invalid',
  'form_not_offered',
  'token_rejected',
  'identity_ignored',
  'identity_invalid',
  'profile_conflict',
  'no_branch_matched',
  'answer_invalid',
  'already_started',
  'not_started',
  'conversation_closed',
  'visitor_not_allowed',
  'feature_disabled',
  'already_trusted',
] as const;
export type NoticeCode = (typeof NOTICE_CODES)[number];

/** Faults in the thread or the call: the turn still returns, with the state left consistent. */
export const TURN_ERROR_CODES = ['loop_limit', 'step_missing', 'event_invalid', 'state_invalid'] as const;
export type TurnErrorCode = (typeof TURN_ERROR_CODES)[number];

export interface ProfileDraft {
  id: string;
  name: string | null;
  emails: string[];
  phones: string[];
  externalId: string | null;
}

export type Output =
  | { type: 'message'; text: string; step: string | null; loginUrl?: string }
  | { type: 'ask'; step: string; slot: string; input: SlotType; choices?: { id: string; label: string }[]; attempt: number }
  | { type: 'action'; step: string | null; action: OutAction }
  | { type: 'notice'; code: NoticeCode; message: string; detail?: Record<string, unknown> }
  | { type: 'effect'; effect: 'create_profile'; profile: ProfileDraft }
  | { type: 'lookup'; step: string; name: string; request: LookupRequest; response: ResponseSchema | null }
  | { type: 'generate'; step: string; instructions: string; facts: Record<string, unknown>; avoid: string[]; trust: TrustLevel; withheld: string[] }
  | { type: 'error'; code: TurnErrorCode; message: string; step?: string };

export interface BranchTrace {
  index: number;
  name?: string;
  goto: string;
  default: boolean;
  /** true when the condition held; the default branch counts as true when reached. */
  result: boolean;
  condition?: ConditionTrace | null;
  error?: string;
}

export interface StepTrace {
  step: string;
  /** How the step was reached: the start, a branch, an identity handler, an answer, a failed ask. */
  via: 'start' | 'goto' | 'handler' | 'answer' | 'on_fail' | 'lookup';
  from?: string;
  answer?: { slot: string; valid: boolean; value?: Scalar; reason?: string; attempts: number };
  /** For `via: lookup`: the result that resumed the step. */
  lookup?: { name: string; status: 'ok' | 'error'; error: string | null };
  branches?: BranchTrace[];
  /** Index of the winning branch, or null when none held. */
  chosen?: number | null;
}

export interface TurnTrace {
  event: TurnEventType | 'invalid';
  turn: number;
  identity: {
    before: { status: AuthStatus; method: IdentityMethod };
    after: { status: AuthStatus; method: IdentityMethod };
    change: IdentityChange;
    rejection: string | null;
  };
  /** Whether this turn's customer message is trusted; null when the event carries no message. */
  trusted: boolean | null;
  /** Where `message.intent` came from: the runtime's model, or the thread's matcher (and which one fired). */
  intent: { source: 'runtime' | 'matcher'; name: string; matcher?: string } | null;
  steps: StepTrace[];
  handlers: { event: string; set: string; branches: BranchTrace[]; chosen: number | null }[];
  notes: string[];
}

export interface TurnResult {
  state: ConversationState;
  outputs: Output[];
  trace: TurnTrace;
  /** Trust of the customer's message in this turn (null when the event is not a message). */
  trusted: boolean | null;
}
