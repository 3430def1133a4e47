// The zod schema of the conversation state, for every edge that receives one (the evaluate route, the stores).
import { z } from 'zod';
import { AUTH_STATUSES, CONVERSATION_STATUSES, IDENTITY_METHODS, PROFILE_MATCHES, SCENARIOS, type ConversationState } from './state.ts';
import { ONBOARDING_TYPES } from './widget.schema.ts';

const text = z.string().nullable();

/** The core's ConversationState, checked field by field: the core trusts its state, so a malformed one must stop at the edge. */
export const ConversationStateSchema = z
  .object({
    v: z.literal(1),
    threadId: z.string(),
    widgetId: z.string(),
    status: z.enum(CONVERSATION_STATUSES),
    step: text,
    waiting: z.union([
      z.object({ kind: z.literal('ask'), step: z.string(), attempts: z.number().int().min(0) }).strict(),
      z.object({ kind: z.literal('form') }).strict(),
      z.object({ kind: z.literal('lookup'), step: z.string(), name: z.string() }).strict(),
      z.null(),
    ]),
    slots: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    tags: z.array(z.string()),
    turn: z.number().int().min(0),
    routed: z.boolean(),
    queue: text,
    onboarding: z.object({ type: z.enum(ONBOARDING_TYPES), completed: z.boolean(), skipped: z.boolean(), formRequested: z.boolean() }).strict(),
    identity: z
      .object({
        status: z.enum(AUTH_STATUSES),
        method: z.enum(IDENTITY_METHODS),
        name: text,
        email: text,
        phone: text,
        externalId: text,
        tokenExpiresAt: z.number().nullable(),
        tokenIssuer: text,
        party: z.number().int().min(0),
      })
      .strict(),
    profile: z
      .object({ match: z.enum(PROFILE_MATCHES), id: text, name: text, email: text, phone: text, externalId: text, attributes: z.record(z.string(), z.unknown()) })
      .strict(),
    history: z
      .object({
        authenticatedAtStart: z.boolean(),
        identifiedBeforeAuth: z.boolean(),
        authenticatedBeforeRouting: z.boolean(),
        authenticatedAfterRouting: z.boolean(),
        conflict: z.boolean(),
        everIdentified: z.boolean(),
      })
      .strict(),
    scenario: z.enum(SCENARIOS),
    greeted: z.boolean(),
    context: z.record(z.string(), z.unknown()),
    lookups: z.record(z.string(), z.object({ status: z.enum(['ok', 'error']), data: z.unknown(), error: text }).strict()),
    startedAt: text,
    updatedAt: z.string(),
  })
  .strict();

// Fails to compile when the core's state type and this schema drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const stateSchemaMatchesCore: Same<z.infer<typeof ConversationStateSchema>, ConversationState> = true;
void stateSchemaMatchesCore;
