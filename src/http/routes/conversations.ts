// Conversation routes for the bot runtime: start, post a turn, read state and timeline.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IntentSchema, UserInfoSchema } from '../../core/events.ts';
import { requestHash, type ServiceResult } from '../../runtime/conversation-service.ts';
import { HttpError } from '../error-catalogue.ts';

const TokenString = z.string().min(1).max(8192).describe('A compact User Identity JWT, exactly as signed.');
const IdempotencyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'Idempotency-Key must be 1-200 printable ASCII characters')
  .optional()
  .describe('Replaying the same request with the same key returns the first answer and applies nothing twice.');
const Explain = z.object({ explain: z.enum(['0', '1', 'true', 'false']).optional().describe('1 adds the trace of every condition evaluated.') }).strict();
const explained = (q: { explain?: string }) => q.explain === '1' || q.explain === 'true';

export const StartBodySchema = z
  .object({
    widgetId: z.string().min(1).max(64),
    user: UserInfoSchema.optional().describe('setUser: identity given by the website, not verified.'),
    token: TokenString.optional(),
    context: z.record(z.string(), z.unknown()).optional().describe('What the website knows about the page (readable as conversation.context).'),
  })
  .strict();

/** A turn as the runtime sends it: tokens are raw JWT strings, verified here; profiles are looked up here. */
export const TurnBodySchema = z.discriminatedUnion('type', [
  // NUL cannot be stored by PostgreSQL text columns; refusing it here keeps both stores alike.
  z.object({ type: z.literal('message'), text: z.string().max(10000).regex(/^[^\u0000]*$/, 'must not contain NUL characters'), intent: IntentSchema.optional(), entities: z.record(z.string(), z.unknown()).optional(), token: TokenString.optional() }).strict(),
  z.object({ type: z.literal('identify'), user: UserInfoSchema }).strict(),
  z.object({ type: z.literal('authenticate'), token: TokenString }).strict(),
  z.object({ type: z.literal('clear_user') }).strict(),
  z.object({ type: z.literal('submit_form'), fields: UserInfoSchema }).strict(),
  z.object({ type: z.literal('skip_form') }).strict(),
  z.object({ type: z.literal('routed'), queue: z.string().min(1).max(100).optional() }).strict(),
  z.object({ type: z.literal('close') }).strict(),
  z.object({ type: z.literal('request_transcript') }).strict(),
  z.object({ type: z.literal('rate'), score: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() }).strict(),
]);

const IdParams = z.object({ id: z.string().min(1).max(100) }).strict();

function send(reply: FastifyReply, result: ServiceResult): FastifyReply {
  if (!result.ok) throw new HttpError(result.code, result.message);
  if (result.replayed) reply.header('idempotent-replay', 'true');
  return reply.status(result.status).send(result.body);
}

export const conversationRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { conversations } = app.services;
  const records = app.services.store.conversations;

  app.post(
    '/v1/conversations',
    {
      config: { roles: ['runtime', 'admin'] },
      schema: {
        summary: 'Start a conversation on a widget',
        tags: ['conversations'],
        body: StartBodySchema,
        querystring: Explain,
        headers: z.object({ 'idempotency-key': IdempotencyHeader }).passthrough(),
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const idempotency = key
        ? { scope: `start:${request.principal!.id}`, key, requestHash: requestHash({ body: request.body, query: request.query }) }
        : undefined;
      return send(reply, await conversations.start(request.body, { ...(idempotency ? { idempotency } : {}), explain: explained(request.query) }));
    },
  );

  app.post(
    '/v1/conversations/:id/turns',
    {
      config: { roles: ['runtime', 'admin'] },
      schema: {
        summary: 'Post one event of a conversation and get what the bot says and does',
        tags: ['conversations'],
        params: IdParams,
        body: TurnBodySchema,
        querystring: Explain,
        headers: z.object({ 'idempotency-key': IdempotencyHeader }).passthrough(),
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const idempotency = key ? { key, requestHash: requestHash({ body: request.body, query: request.query }) } : undefined;
      return send(reply, await conversations.turn(request.params.id, request.body, { ...(idempotency ? { idempotency } : {}), explain: explained(request.query) }));
    },
  );

  app.get(
    '/v1/conversations/:id',
    {
      config: { roles: ['runtime', 'admin'] },
      schema: {
        summary: 'Read a conversation: state and timeline with trusted flags',
        tags: ['conversations'],
        params: IdParams,
        querystring: z
          .object({ party: z.union([z.literal('current'), z.literal('all'), z.coerce.number().int().min(0)]).optional().describe('current (default), all (admin only), or a party number.') })
          .strict(),
      },
    },
    async (request) => {
      const conv = await records.get(request.params.id);
      if (!conv) throw new HttpError('conversation_not_found');
      const current = conv.state.identity.party;
      const asked = request.query.party ?? 'current';
      const party = asked === 'current' ? current : asked;
      // After a logout the new party must not read what the earlier customer said; admins may.
      if (request.principal!.role !== 'admin' && party !== current) throw new HttpError('conversation_party_cleared');
      const timeline = await records.timeline(conv.id, party === 'all' ? {} : { party });
      const s = conv.state;
      return {
        id: conv.id,
        widgetId: conv.widgetId,
        threadId: conv.threadId,
        threadVersion: conv.threadVersion,
        version: conv.version,
        status: conv.status,
        scenario: conv.scenario,
        onboardingType: conv.onboardingType,
        step: s.step,
        identity: { status: s.identity.status, method: s.identity.method, party: current, tokenExpiresAt: s.identity.tokenExpiresAt },
        profile: { match: s.profile.match, id: s.profile.id },
        routed: s.routed,
        queue: s.queue,
        tags: s.tags,
        createdAt: conv.createdAt,
        updatedAt: conv.updatedAt,
        timeline: timeline.map((e) => ({ seq: e.seq, turn: e.turn, party: e.party, from: e.from, text: e.text, trusted: e.trusted, at: e.at })),
      };
    },
  );
};
