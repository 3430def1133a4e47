// Conversation routes for the bot runtime: start, post a turn, read state and timeline.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CallerTurnEventSchema, StartRequestSchema } from '../../runtime/caller-events.ts';
import { requestHash, type ServiceErrorCode, type ServiceResult } from '../../runtime/conversation-service.ts';
import { trustedIndicator } from '../../runtime/trusted-indicator.ts';
import { TIMELINE_PAGE_MAX, type ConversationRecord, type TimelineEntry, type TimelinePage } from '../../store/store.port.ts';
import { HttpError } from '../error-catalogue.ts';
import { ConversationReadSchema, TimelineReadSchema } from '../schemas/conversation-read.ts';
import { TurnAnswerSchema } from '../schemas/turn-answer.ts';
import type { HttpErrorCode } from '../error-catalogue.ts';
import { queryInvalid } from '../query-time.ts';

const IdempotencyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'Idempotency-Key must be 1-200 printable ASCII characters')
  .optional()
  .describe('Replaying the same request with the same key returns the first answer and applies nothing twice.');
const Explain = z.object({ explain: z.enum(['0', '1', 'true', 'false']).optional().describe('1 adds the trace of every condition evaluated.') }).strict();
const explained = (q: { explain?: string }) => q.explain === '1' || q.explain === 'true';

/** What a start answers besides the shared codes: the service's refusals of a start and the key checks of this layer. */
const START_ERRORS = ['idempotency_key_invalid', 'idempotency_key_reused', 'widget_not_found', 'widget_thread_unknown', 'identity_required'] as const satisfies readonly HttpErrorCode[];
/** What a turn answers besides the shared codes; a stored state threadgate cannot read is state_invalid. */
const TURN_ERRORS = [
  'idempotency_key_invalid',
  'idempotency_key_reused',
  'conversation_not_found',
  'widget_not_found',
  'thread_version_not_found',
  'version_conflict',
  'conversation_busy',
  'state_invalid',
] as const satisfies readonly HttpErrorCode[];
// Fails to compile when the service gains a refusal neither route documents.
const everyServiceCode: readonly ((typeof START_ERRORS)[number] | (typeof TURN_ERRORS)[number])[] = [] as ServiceErrorCode[];
void everyServiceCode;
const READ_ERRORS = ['conversation_not_found', 'conversation_party_cleared', 'state_invalid'] as const satisfies readonly HttpErrorCode[];

const IdParams = z.object({ id: z.string().min(1).max(100) }).strict();

/** How many timeline entries a page holds when the query does not say. */
export const TIMELINE_PAGE_DEFAULT = 100;
const Party = z.union([z.literal('current'), z.literal('all'), z.coerce.number().int().min(0)]).optional().describe('current (default), all (admin only), or a party number.');
const TimelineLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(TIMELINE_PAGE_MAX)
  .optional()
  .describe(`Entries in the page, 1-${TIMELINE_PAGE_MAX} (default ${TIMELINE_PAGE_DEFAULT}).`);
const SeqCursor = (what: string) => z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe(what);

/**
 * The party a caller reads: `current` (the default) is the conversation's current party; `all` (every party) needs an
 * admin key; an earlier party is for admins only (after a logout the new party must not read what the earlier customer said).
 */
function readableParty(request: FastifyRequest, conv: ConversationRecord, asked: 'current' | 'all' | number | undefined): number | 'all' {
  const current = conv.state.identity.party;
  const party = (asked ?? 'current') === 'current' ? current : (asked as 'all' | number);
  if (typeof party === 'number' && party > current) throw queryInvalid('party', `this conversation has the parties 0 to ${current} (the current one); ${party} has not started.`);
  if (request.principal!.role !== 'admin' && party === 'all') {
    // Whether or not anyone logged out: every party's lines at once are for admins.
    throw new HttpError('forbidden', 'party=all (every party of the conversation) needs an admin key; a runtime key reads the current party (party=current, the default).');
  }
  if (request.principal!.role !== 'admin' && party !== current) throw new HttpError('conversation_party_cleared');
  return party;
}

/** A timeline entry as the API shows it. */
const entryView = (e: TimelineEntry, conv: ConversationRecord) => ({
  seq: e.seq,
  turn: e.turn,
  party: e.party,
  from: e.from,
  text: e.text,
  trusted: e.trusted,
  indicator: trustedIndicator(e, conv.status),
  at: e.at,
});

/** The cursors of a page: `nextBefore` for the older page (reading backward), `nextAfter` for the newer page (reading forward with `after`). */
function pageView(page: TimelinePage, limit: number, forward: boolean) {
  return {
    limit,
    hasMore: page.hasMore,
    nextBefore: !forward && page.hasMore ? page.entries[0]!.seq : null,
    nextAfter: forward && page.hasMore ? page.entries.at(-1)!.seq : null,
  };
}

/** The turn answer's shape in words: the OpenAPI document shows it on both turn routes (the outputs are data of many kinds). */
// The fields are described once, in the TurnAnswer schema (schemas/turn-answer.ts) the document shows.
const TURN_ANSWER = 'Answers a `TurnAnswer`: the outputs to render, and who the customer is, how far they are trusted and what they may do after this turn.';

function send(reply: FastifyReply, result: ServiceResult, withKey: boolean): FastifyReply {
  // Resending "with the same Idempotency-Key" only makes sense to a client that sent one.
  if (!result.ok && result.code === 'version_conflict' && !withKey && !result.message) throw new HttpError('version_conflict', 'Another turn changed this conversation at the same time; send the turn again (an Idempotency-Key makes resending safe).');
  // A turn that waited its whole turn wait for earlier ones: the queue drains at turn speed, so a second is plenty.
  if (!result.ok && result.code === 'conversation_busy') reply.header('retry-after', '1');
  if (!result.ok) throw new HttpError(result.code, result.message, result.details ?? {});
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
      config: { roles: ['runtime', 'admin'], errors: START_ERRORS },
      schema: {
        summary: 'Start a conversation on a widget',
        description: TURN_ANSWER,
        tags: ['conversations'],
        body: StartRequestSchema,
        querystring: Explain,
        response: { 201: TurnAnswerSchema },
        headers: z.object({ 'idempotency-key': IdempotencyHeader }).passthrough(),
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const idempotency = key
        ? { scope: `start:${request.principal!.id}`, key, requestHash: requestHash({ body: request.body, query: request.query }) }
        : undefined;
      return send(reply, await conversations.start(request.body, { ...(idempotency ? { idempotency } : {}), explain: explained(request.query) }), Boolean(key));
    },
  );

  app.post(
    '/v1/conversations/:id/turns',
    {
      config: { roles: ['runtime', 'admin'], errors: TURN_ERRORS },
      schema: {
        summary: 'Post one event of a conversation (a customer event, or an agent_message / agent_request_login) and get what the bot says and does',
        description: TURN_ANSWER,
        tags: ['conversations'],
        params: IdParams,
        body: CallerTurnEventSchema,
        querystring: Explain,
        response: { 200: TurnAnswerSchema },
        headers: z.object({ 'idempotency-key': IdempotencyHeader }).passthrough(),
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const idempotency = key ? { key, requestHash: requestHash({ body: request.body, query: request.query }) } : undefined;
      return send(reply, await conversations.turn(request.params.id, request.body, { ...(idempotency ? { idempotency } : {}), explain: explained(request.query) }), Boolean(key));
    },
  );

  /** The conversation, or 404. */
  async function conversationOr404(id: string): Promise<ConversationRecord> {
    const conv = await records.get(id);
    if (!conv) throw new HttpError('conversation_not_found');
    return conv;
  }

  /** One page of the timeline the caller may read: the latest without `after`, forward from `after` with it. */
  async function readPage(conv: ConversationRecord, party: number | 'all', q: { limit?: number; before?: number; after?: number }) {
    if (q.before !== undefined && q.after !== undefined && q.after >= q.before) {
      throw queryInvalid('after', `after (${q.after}) must be below before (${q.before}).`);
    }
    const limit = q.limit ?? TIMELINE_PAGE_DEFAULT;
    const page = await records.timelinePage(conv.id, {
      limit,
      ...(q.before !== undefined ? { before: q.before } : {}),
      ...(q.after !== undefined ? { after: q.after } : {}),
      ...(party === 'all' ? {} : { party }),
    });
    return { timeline: page.entries.map((e) => entryView(e, conv)), timelinePage: pageView(page, limit, q.after !== undefined) };
  }

  app.get(
    '/v1/conversations/:id',
    {
      config: { roles: ['runtime', 'admin'], errors: READ_ERRORS },
      schema: {
        summary: 'Read a conversation: state and the latest page of its timeline (from customer, agent, bot or system) with trusted flags and the Trusted Message indicator',
        tags: ['conversations'],
        params: IdParams,
        querystring: z.object({ party: Party, limit: TimelineLimit }).strict(),
        response: { 200: ConversationReadSchema },
      },
    },
    async (request) => {
      const conv = await conversationOr404(request.params.id);
      const party = readableParty(request, conv, request.query.party);
      const { timeline, timelinePage } = await readPage(conv, party, { ...(request.query.limit !== undefined ? { limit: request.query.limit } : {}) });
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
        identity: { status: s.identity.status, method: s.identity.method, party: s.identity.party, tokenExpiresAt: s.identity.tokenExpiresAt },
        profile: { match: s.profile.match, id: s.profile.id },
        routed: s.routed,
        queue: s.queue,
        tags: s.tags,
        createdAt: conv.createdAt,
        updatedAt: conv.updatedAt,
        timeline,
        timelinePage,
      };
    },
  );

  app.get(
    '/v1/conversations/:id/timeline',
    {
      config: { roles: ['runtime', 'admin'], errors: READ_ERRORS },
      schema: {
        summary: "Page through a conversation's timeline by seq: the latest page, older pages with before, newer ones with after",
        tags: ['conversations'],
        params: IdParams,
        querystring: z
          .object({
            party: Party,
            limit: TimelineLimit,
            before: SeqCursor('Only entries with a smaller seq (the nextBefore of the previous page); the page holds the latest of them.'),
            after: SeqCursor('Only entries with a greater seq (the nextAfter of the previous page, or the last seq you have); the page holds the oldest of them.'),
          })
          .strict(),
        response: { 200: TimelineReadSchema },
      },
    },
    async (request) => {
      const conv = await conversationOr404(request.params.id);
      const party = readableParty(request, conv, request.query.party);
      const { party: _asked, ...bounds } = request.query;
      const { timeline, timelinePage } = await readPage(conv, party, bounds);
      return { conversationId: conv.id, party, timeline, timelinePage };
    },
  );
};
