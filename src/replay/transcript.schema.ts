// The YAML transcript format: a scripted conversation (setup, customer events, expectations) replayed as a test.
import { z } from 'zod';
import { ProfileRecordSchema, UserInfoSchema } from '../core/events.ts';
import { NOTICE_CODES } from '../core/outputs.ts';
import { AUTH_STATUSES, CONVERSATION_STATUSES, IDENTITY_METHODS, PROFILE_MATCHES, SCENARIOS } from '../core/state.ts';
import { ONBOARDING_TYPES } from '../core/widget.schema.ts';

const Claims = z
  .object({
    email: z.string().optional(),
    phone: z.string().optional(),
    name: z.string().optional(),
    sub: z.string().optional(),
  })
  .strict();

/** Claims signed for real at the transcript clock, or a raw token string passed as is. */
export const TokenSpecSchema = z.union([
  z.object({ raw: z.string().min(1).describe('A compact JWT passed exactly as written (e.g. a truncated or hand-edited token).') }).strict(),
  z
    .object({
      claims: Claims.describe('The identity claims; email or phone is required by the signer.'),
      ttl: z.number().int().min(1).max(86_400).optional().describe('Seconds until exp (default 300).'),
      iatOffset: z.number().int().optional().describe('Seconds added to the transcript clock for iat (negative: signed earlier).'),
      kid: z.string().optional().describe("Key id in the header (default: the widget's first key)."),
      alg: z.string().optional().describe("Signing algorithm (default: the widget's first key's)."),
      secret: z.string().optional().describe('A name from setup.secrets, or a literal secret (at least 32 bytes) to forge a bad signature.'),
      issuer: z.string().optional().describe("iss (default: the widget's first accepted issuer)."),
      audience: z.string().optional().describe("aud (default: the widget's first accepted audience)."),
    })
    .strict(),
]);
export type TokenSpec = z.infer<typeof TokenSpecSchema>;

const Intent = z.union([z.string().min(1), z.object({ name: z.string().min(1), confidence: z.number().min(0).max(1).optional() }).strict()]);

/** The event keys of `customer:`; exactly one of them per turn. */
export const CUSTOMER_EVENTS = ['message', 'identify', 'authenticate', 'clear_user', 'submit_form', 'skip_form', 'close', 'routed', 'request_transcript', 'rate'] as const;
/** Keys that only go with one event. */
const COMPANIONS: Record<string, (typeof CUSTOMER_EVENTS)[number]> = { intent: 'message', token: 'message', comment: 'rate' };

export const CustomerEventSchema = z
  .object({
    message: z.string().max(10000).optional().describe('The customer says this text.'),
    intent: Intent.optional().describe('With message: the intent the bot runtime detected.'),
    token: TokenSpecSchema.optional().describe('With message: a token sent along with the message.'),
    identify: UserInfoSchema.optional().describe('setUser: identity given by the website, not verified.'),
    authenticate: TokenSpecSchema.optional().describe('A User Identity JWT arrives.'),
    clear_user: z.literal(true).optional().describe('clearUser: the customer logs out.'),
    submit_form: UserInfoSchema.optional().describe('The pre-chat form, filled in.'),
    skip_form: z.literal(true).optional(),
    close: z.literal(true).optional(),
    routed: z.union([z.literal(true), z.string().min(1).max(100)]).optional().describe('The bot runtime routed the chat (to this queue).'),
    request_transcript: z.literal(true).optional(),
    rate: z.number().int().min(1).max(5).optional(),
    comment: z.string().max(2000).optional().describe('With rate: the comment.'),
  })
  .strict()
  .superRefine((e, ctx) => {
    const given = CUSTOMER_EVENTS.filter((k) => e[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', path: [], message: `a customer event needs exactly one of ${CUSTOMER_EVENTS.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}` });
      return;
    }
    for (const [key, event] of Object.entries(COMPANIONS)) {
      if (e[key as keyof typeof e] !== undefined && given[0] !== event) ctx.addIssue({ code: 'custom', path: [key], message: `${key} goes only with ${event}` });
    }
  });
export type CustomerEvent = z.infer<typeof CustomerEventSchema>;

/** The event keys of `agent:`; exactly one of them per turn. */
export const AGENT_EVENTS = ['message', 'request_login'] as const;

export const AgentEventSchema = z
  .object({
    message: z.string().min(1).max(10000).optional().describe('The agent writes this to the customer (agent_message).'),
    request_login: z
      .union([z.literal(true), z.object({ text: z.string().min(1).max(500) }).strict()])
      .optional()
      .describe('The agent asks the customer to log in (agent_request_login), with what they say alongside.'),
  })
  .strict()
  .superRefine((e, ctx) => {
    const given = AGENT_EVENTS.filter((k) => e[k] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: 'custom', path: [], message: `an agent event needs exactly one of ${AGENT_EVENTS.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}` });
  });
export type AgentEvent = z.infer<typeof AgentEventSchema>;

const BotText = z.union([z.string(), z.object({ regex: z.string().min(1) }).strict()]);

const TimelineLine = z
  .object({
    from: z.enum(['customer', 'agent', 'bot', 'system']).optional(),
    text: BotText.optional(),
    party: z.number().int().min(0).optional(),
    trusted: z.boolean().nullable().optional(),
    indicator: z.enum(['green', 'gray']).nullable().optional(),
  })
  .strict();

/** What a turn must produce; every key is optional and checks only what it names. */
export const ExpectSchema = z
  .object({
    bot: z.array(BotText).optional().describe('Exactly these bot message texts, in order (strings match exactly, { regex } by pattern).'),
    botIncludes: z.array(BotText).optional().describe('Each of these appears among the bot message texts.'),
    actions: z.array(z.object({ type: z.string() }).passthrough()).optional().describe('Exactly these actions, in order; each lists only the fields it checks.'),
    notices: z.array(z.enum(NOTICE_CODES)).optional().describe('Exactly these notice codes, in order.'),
    lookups: z.array(z.object({ name: z.string() }).passthrough()).optional().describe('Exactly these lookup requests, in order; each lists only the fields it checks (name, step, url, method, body).'),
    generate: z.array(z.object({}).passthrough()).optional().describe('Exactly these generate outputs, in order; each lists only the fields it checks (instructions, facts, withheld, avoid, trust).'),
    intent: z.string().nullable().optional().describe('The intent of this turn\'s message: its name, or "name (matcher)" such as "order_status (phrase:where is my parcel)"; null: none.'),
    identity: z.object({ status: z.enum(AUTH_STATUSES).optional(), method: z.enum(IDENTITY_METHODS).optional(), trusted: z.boolean().optional() }).strict().optional(),
    trusted: z.boolean().nullable().optional().describe("Trust of this turn's customer message (null: the event is not a message)."),
    profile: z
      .object({
        match: z.enum(PROFILE_MATCHES).optional(),
        id: z.string().nullable().optional(),
        pastConversations: z.number().int().min(0).nullable().optional().describe("The matched profile's conversations before this one; null: no profile."),
      })
      .strict()
      .optional(),
    indicator: z.enum(['green', 'gray']).nullable().optional().describe("The Trusted Message indicator of this turn's customer message (null: none)."),
    capabilities: z
      .object({
        transcript: z.boolean().optional(),
        rating: z.boolean().optional(),
        form: z.enum(['required', 'offered', 'none']).optional(),
        loginUrl: z.string().nullable().optional(),
      })
      .strict()
      .optional()
      .describe('What the customer may do after the turn; each key checks only itself.'),
    timeline: z
      .array(TimelineLine)
      .optional()
      .describe('Exactly the timeline lines this turn wrote, in order; each lists only the fields it checks (from, text, party, trusted, indicator).'),
    scenario: z.enum(SCENARIOS).optional(),
    step: z.string().nullable().optional().describe('The step the conversation is at after the turn.'),
    status: z.enum(CONVERSATION_STATUSES).optional(),
    branch: z.string().optional().describe('The winning branch of the last step that chose one: its name, or "step.name" (unnamed branches are "#index").'),
    handler: z.string().optional().describe('The identity handler that ran: "event" or "event.branch name".'),
    rejection: z.string().nullable().optional().describe('Why the token of this turn was refused (expired, signature_invalid, audience_invalid, ...); null: none was.'),
    error: z.string().optional().describe('The turn was refused with this error code (e.g. identity_required), or the core reported it.'),
  })
  .strict();
export type Expect = z.infer<typeof ExpectSchema>;

const Duration = z.union([z.number().int().min(0), z.string().regex(/^\d+(s|m|h)$/, 'a duration like 90s, 5m or 1h, or a number of seconds')]);

export const TurnSchema = z
  .object({
    customer: CustomerEventSchema.optional().describe('One event from the customer (or the website on their behalf).'),
    agent: AgentEventSchema.optional().describe('One event from an agent: a message, or a login request.'),
    advance: Duration.optional().describe('Moves the clock forward; nothing is sent.'),
    expect: ExpectSchema.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const kinds = [t.customer, t.agent, t.advance].filter((k) => k !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'a turn needs exactly one of customer, agent or advance' });
    if (t.advance !== undefined && t.expect !== undefined) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'advance sends nothing, so it has nothing to expect' });
  });
export type Turn = z.infer<typeof TurnSchema>;

/** Profiles seeded into the directory have the shape the directory returns. */
const Profile = ProfileRecordSchema;

/** What a stubbed lookup answers; `ok` data is still checked against the lookup's `response` schema. */
export const LookupStubSchema = z
  .object({
    status: z.enum(['ok', 'error']),
    data: z.unknown().optional().describe('With ok: the response body.'),
    error: z.string().min(1).max(64).optional().describe('With error: the code (timeout, http_status, too_large, invalid_response, host_not_allowed, network).'),
  })
  .strict()
  .superRefine((l, ctx) => {
    if (l.status === 'error' && l.error === undefined) ctx.addIssue({ code: 'custom', path: ['error'], message: 'an error stub needs `error` (a code such as timeout)' });
    if (l.status === 'error' && l.data !== undefined) ctx.addIssue({ code: 'custom', path: ['data'], message: '`data` goes only with status ok' });
    if (l.status === 'ok' && l.error !== undefined) ctx.addIssue({ code: 'custom', path: ['error'], message: '`error` goes only with status error' });
  });
const LookupStub = LookupStubSchema;
export type LookupStub = z.infer<typeof LookupStubSchema>;

export const TranscriptSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    setup: z
      .object({
        rules: z.string().optional().describe("The rules folder, relative to this file (default: the runner's rules folder, `rules`)."),
        widget: z.string().min(1),
        onboarding: z.enum(ONBOARDING_TYPES).optional().describe("Replaces the widget's onboarding type for this transcript."),
        profiles: z.array(Profile).optional().describe('Customers already in the profile directory.'),
        secrets: z.record(z.string(), z.string()).optional().describe('Environment variables the widgets read keys from (SHOP_JWT_SECRET has a test default).'),
        clock: z.iso.datetime({ offset: true }).optional().describe('When the conversation starts (default 2026-11-23T10:00:00Z).'),
        lookups: z.record(z.string().min(1), LookupStub).optional().describe('Fixed answers for `lookup` steps by lookup name, instead of HTTP; a lookup not listed fails with host_not_allowed.'),
        pastConversations: z
          .record(z.string().min(1), z.number().int().min(1).max(50))
          .optional()
          .describe('Earlier conversations already stored for a profile of setup.profiles: profile id → how many (closed, created before the clock).'),
      })
      .strict(),
    start: z
      .object({
        at: z.string().min(1).max(64).optional().describe("Start anywhere: the step the thread starts at instead of its `start:` (the widget's first message and onboarding still come first)."),
        slots: z.record(z.string().min(1).max(64), z.union([z.string(), z.number(), z.boolean()])).optional().describe('Slots filled in before the first step runs, as if asked earlier.'),
        user: UserInfoSchema.optional(),
        token: TokenSpecSchema.optional(),
        context: z.record(z.string(), z.unknown()).optional(),
        expect: ExpectSchema.optional(),
      })
      .strict()
      .optional()
      .describe('How the conversation starts (default: a visitor with nothing) and what the start must produce.'),
    turns: z.array(TurnSchema).default([]),
  })
  .strict();
export type Transcript = z.infer<typeof TranscriptSchema>;
