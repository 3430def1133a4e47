// The events a conversation turn can carry, validated with zod before the core acts on them.
import { z } from 'zod';

/** What a setUser call, a start payload or a form gives: none of it is verified. */
export const UserInfoSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.string().trim().max(254).optional(),
    phone: z.string().trim().max(32).optional(),
    externalId: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type UserInfo = z.infer<typeof UserInfoSchema>;

/**
 * Who the website vouches for in a verified token: the one definition, which auth's verifier produces and the
 * core trusts. The verifier trims and lowercases the email and writes the phone in E.164.
 */
export const VerifiedIdentitySchema = z
  .object({
    email: z.string().nullable(),
    phone: z.string().nullable(),
    name: z.string().nullable(),
    /** The `sub` claim; the runtime also looks profiles up by it as the external id. */
    subject: z.string().nullable(),
    issuer: z.string().nullable(),
    /** Epoch seconds. */
    issuedAt: z.number(),
    /** Epoch seconds: trust ends here. */
    expiresAt: z.number(),
    kid: z.string().nullable(),
    alg: z.string(),
    jti: z.string().nullable(),
  })
  .strict();
export type VerifiedIdentity = z.infer<typeof VerifiedIdentitySchema>;

/**
 * The outcome of verifying a token at the edge: an identity, or why it was refused. Auth's verifier answers
 * with it; `reason` is a plain string here because the runtime adds its own (`jwt_not_configured`) and
 * /v1/evaluate callers may simulate any.
 */
export const TokenResultSchema = z.union([
  z.object({ ok: z.literal(true), identity: VerifiedIdentitySchema }).strict(),
  z.object({ ok: z.literal(false), reason: z.string().min(1).max(64), message: z.string().max(500).optional() }).strict(),
]);
export type TokenResult = z.infer<typeof TokenResultSchema>;

/** A profile found in the directory for the identity in this event; the runtime looks it up, the core decides. */
export const ProfileRecordSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().nullable().optional(),
    emails: z.array(z.string()).optional(),
    phones: z.array(z.string()).optional(),
    externalId: z.string().nullable().optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type ProfileRecord = z.infer<typeof ProfileRecordSchema>;

/**
 * The profile directory's match for the identity the event brings (the wire field stays `profile`).
 * `profile: null` means "looked up, nobody found"; an absent `profile` means "not looked up". Not to be
 * confused with a thread's `lookup` steps, which call HTTP endpoints and answer with `lookup_result`.
 */
const directoryMatch = { profile: ProfileRecordSchema.nullable().optional() };

export const IntentSchema = z
  .object({ name: z.string().min(1).max(100), confidence: z.number().min(0).max(1).optional() })
  .strict();

export const TurnEventSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('start'),
      user: UserInfoSchema.optional().describe('setUser: identity given by the website, not verified.'),
      token: TokenResultSchema.optional(),
      context: z.record(z.string(), z.unknown()).optional().describe('What the website knows about the page (readable as conversation.context).'),
      ...directoryMatch,
    })
    .strict(),
  z
    .object({
      type: z.literal('message'),
      text: z.string().max(10000),
      intent: IntentSchema.optional(),
      entities: z.record(z.string(), z.unknown()).optional(),
      token: TokenResultSchema.optional(),
      ...directoryMatch,
    })
    .strict(),
  z.object({ type: z.literal('identify'), user: UserInfoSchema, ...directoryMatch }).strict(),
  z.object({ type: z.literal('authenticate'), token: TokenResultSchema, ...directoryMatch }).strict(),
  z.object({ type: z.literal('clear_user') }).strict(),
  z.object({ type: z.literal('submit_form'), fields: UserInfoSchema, ...directoryMatch }).strict(),
  z.object({ type: z.literal('skip_form') }).strict(),
  z.object({ type: z.literal('routed'), queue: z.string().min(1).max(100).optional() }).strict(),
  z.object({ type: z.literal('close') }).strict(),
  z.object({ type: z.literal('request_transcript') }).strict(),
  z.object({ type: z.literal('rate'), score: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() }).strict(),
  z
    .object({ type: z.literal('agent_message'), text: z.string().min(1).max(10000).describe("What the agent wrote to the customer (the runtime delivers it; the timeline keeps it as from: agent).") })
    .strict(),
  z
    .object({
      type: z.literal('agent_request_login'),
      text: z.string().min(1).max(500).optional().describe('What the agent says with the login link, e.g. "Please log in so I can look at your account."'),
    })
    .strict(),
  z
    .object({
      type: z.literal('lookup_result'),
      name: z.string().min(1).max(64),
      status: z.enum(['ok', 'error']),
      data: z.unknown().optional(),
      error: z.string().min(1).max(64).optional(),
    })
    .strict(),
]);
export type TurnEvent = z.infer<typeof TurnEventSchema>;
export type TurnEventType = TurnEvent['type'];
export const EVENT_TYPES = TurnEventSchema.options.map((o) => o.shape.type.value) as TurnEventType[];
