// The turn answer (start and turn routes) as a zod schema: the OpenAPI document, the serializer and the client read it.
import { z } from 'zod';
import { RESPONSE_TYPES, type ResponseSchema } from '../../core/lookup-schema.ts';
import { NOTICE_CODES, TURN_ERROR_CODES } from '../../core/outputs.ts';
import { AUTH_STATUSES, CONVERSATION_STATUSES, IDENTITY_METHODS, PROFILE_MATCHES, SCENARIOS } from '../../core/state.ts';
import { SLOT_TYPES } from '../../core/thread.schema.ts';
import type { TurnResponse } from '../../runtime/conversation-service.ts';
import { TRUSTED_INDICATORS } from '../../runtime/trusted-indicator.ts';

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const step = z.string().describe('The thread step this output comes from.');

const OutAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('handoff'), queue: z.string(), note: z.string().nullable() }),
  z.strictObject({ type: z.literal('reroute'), queue: z.string(), previousQueue: z.string().nullable(), party: z.number().int(), note: z.string().nullable() }),
  z.strictObject({ type: z.literal('request_login'), url: z.string().nullable(), text: z.string().nullable() }),
  z.strictObject({ type: z.literal('request_form'), fields: z.array(z.string()), required: z.boolean(), text: z.string().nullable() }),
  z.strictObject({ type: z.literal('end'), reason: z.string().nullable() }),
  z.strictObject({ type: z.literal('tag'), tags: z.array(z.string()) }),
  z.strictObject({ type: z.literal('set'), slots: z.record(z.string(), Scalar) }),
  z.strictObject({ type: z.literal('send_transcript'), email: z.string().nullable(), phone: z.string().nullable() }),
  z.strictObject({ type: z.literal('rating'), score: z.number(), comment: z.string().nullable() }),
]);

const LookupRequest = z.strictObject({
  url: z.string(),
  method: z.enum(['GET', 'POST']),
  body: z.record(z.string(), z.unknown()).nullable(),
  timeoutMs: z.number(),
  retries: z.number(),
  maxBytes: z.number(),
});

// One level deep in the document (the subset is recursive); typed as the core's interface it is read as.
const LookupResponse = z.looseObject({
  type: z.enum(RESPONSE_TYPES).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  required: z.array(z.string()).optional(),
  items: z.unknown().optional(),
  enum: z.array(z.unknown()).optional(),
}) as unknown as z.ZodType<ResponseSchema>;

/** What the customer may do now (core/capabilities.ts), so a widget shows only the buttons that work. */
export const CapabilitiesSchema = z
  .strictObject({ transcript: z.boolean(), rating: z.boolean(), form: z.enum(['required', 'offered', 'none']), loginUrl: z.string().nullable() })
  .describe('What the customer may do now: request a transcript, rate, the form, the login link to show (null once trusted).')
  .meta({ id: 'Capabilities' });

/** One thing for the runtime to do, as data: say, ask, act, notice, apply an effect, call a lookup, generate, or a fault. */
export const OutputSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('message'), text: z.string(), step: step.nullable(), loginUrl: z.string().optional() }),
    z.strictObject({
      type: z.literal('ask'),
      step,
      slot: z.string(),
      input: z.enum(SLOT_TYPES),
      choices: z.array(z.strictObject({ id: z.string(), label: z.string() })).optional(),
      attempt: z.number().int(),
    }),
    z.strictObject({ type: z.literal('action'), step: step.nullable(), action: OutAction }),
    z.strictObject({ type: z.literal('notice'), code: z.enum(NOTICE_CODES), message: z.string(), detail: z.record(z.string(), z.unknown()).optional() }),
    z.strictObject({
      type: z.literal('effect'),
      effect: z.literal('create_profile'),
      profile: z.strictObject({ id: z.string(), name: z.string().nullable(), emails: z.array(z.string()), phones: z.array(z.string()), externalId: z.string().nullable() }),
    }),
    z.strictObject({
      type: z.literal('lookup'),
      step,
      name: z.string(),
      request: LookupRequest,
      response: LookupResponse.nullable().describe("The lookup's declared response schema (a JSON Schema subset: type, properties, required, items, enum), or null."),
    }),
    z.strictObject({
      type: z.literal('generate'),
      step,
      instructions: z.string(),
      facts: z.record(z.string(), z.unknown()),
      avoid: z.array(z.string()),
      trust: z.enum(['visitor', 'identified', 'authenticated']),
      withheld: z.array(z.string()),
    }),
    z.strictObject({ type: z.literal('error'), code: z.enum(TURN_ERROR_CODES), message: z.string(), step: z.string().optional() }),
  ])
  .meta({ id: 'Output' });

export const TurnAnswerSchema = z
  .strictObject({
    conversationId: z.string(),
    version: z.number().int().describe("The conversation's version after this turn."),
    status: z.enum(CONVERSATION_STATUSES),
    step: z.string().nullable(),
    scenario: z.enum(SCENARIOS),
    identity: z.strictObject({ status: z.enum(AUTH_STATUSES), method: z.enum(IDENTITY_METHODS), trusted: z.boolean(), party: z.number().int() }),
    profile: z.strictObject({
      match: z.enum(PROFILE_MATCHES),
      id: z.string().nullable(),
      pastConversations: z.number().int().nullable().describe("The matched profile's conversations created before this one; null without a profile."),
    }),
    trusted: z.boolean().nullable().describe("Trust of this turn's customer message; null when the event is not a message."),
    indicator: z.enum(TRUSTED_INDICATORS).nullable().describe("The Trusted Message indicator of this turn's customer message: green, or null."),
    capabilities: CapabilitiesSchema,
    outputs: z.array(OutputSchema),
    trace: z
      .looseObject({ event: z.string(), turn: z.number().int() })
      .optional()
      .describe('With ?explain=1: every step passed and every condition evaluated (docs/api.md, "The trace").'),
  })
  .meta({ id: 'TurnAnswer' });

export type TurnAnswer = z.infer<typeof TurnAnswerSchema>;
export type Output = z.infer<typeof OutputSchema>;
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

// Compile-time drift check: what the service builds fits the schema, and the schema promises nothing the service lacks.
type Assert<T extends true> = T;
type WithoutTrace<T> = Omit<T, 'trace'>;
export type ServiceFitsSchema = Assert<WithoutTrace<TurnResponse> extends WithoutTrace<z.input<typeof TurnAnswerSchema>> ? true : false>;
export type SchemaFitsService = Assert<WithoutTrace<TurnAnswer> extends WithoutTrace<TurnResponse> ? true : false>;
