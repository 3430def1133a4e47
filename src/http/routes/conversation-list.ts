// The admin list of conversations: newest first, filtered by widget, scenario, status, auth status and creation time, a keyset page at a time.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTH_STATUSES, CONVERSATION_STATUSES, SCENARIOS } from '../../core/state.ts';
import { IdSchema } from '../../core/thread.schema.ts';
import { CONVERSATION_PAGE_MAX, type ConversationCursor } from '../../store/store.port.ts';
import { storableInstant } from '../../store/timestamps.ts';
import { assertRangeOrder, QueryInstant } from '../query-time.ts';
import { ConversationListSchema } from '../schemas/conversation-summary.ts';

/**
 * A cursor is base64url of `[createdAt, id]`, the sort key of a page's last row. It is opaque to callers; decoding
 * checks every part, so a cursor that was not given out by this API is a 400, never a query on garbage.
 */
export const encodeCursor = (c: ConversationCursor): string => Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');

export function decodeCursor(raw: string): ConversationCursor | null {
  if (!/^[A-Za-z0-9_-]{1,600}$/.test(raw)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [createdAt, id] = value as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string' || id.length < 1 || id.length > 100) return null;
  const ms = Date.parse(createdAt);
  // Only the canonical shape the store writes: anything else was not made by encodeCursor.
  if (Number.isNaN(ms) || !storableInstant(ms) || new Date(ms).toISOString() !== createdAt) return null;
  return { createdAt, id };
}

/** The `cursor` query parameter of every conversation page: decoded, or a 400 naming it. */
export const Cursor = z
  .string()
  .transform((raw, ctx) => {
    const cursor = decodeCursor(raw);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this API gave out; pass the nextCursor of the previous page as it was' });
      return z.NEVER;
    }
    return cursor;
  })
  .describe('The `nextCursor` of the previous page.');

const ListQuery = z
  .object({
    widgetId: IdSchema.optional().describe('Only conversations on this widget.'),
    scenario: z.enum(SCENARIOS).optional().describe('Only conversations whose onboarding scenario is now this one.'),
    status: z.enum(CONVERSATION_STATUSES).optional(),
    authStatus: z.enum(AUTH_STATUSES).optional(),
    from: QueryInstant.optional().describe('Created at or after (ISO 8601, or a date: UTC midnight).'),
    to: QueryInstant.optional().describe('Created before (ISO 8601, or a date: UTC midnight).'),
    limit: z.coerce.number().int().min(1).max(CONVERSATION_PAGE_MAX).default(50),
    cursor: Cursor.optional(),
  })
  .strict();

export const conversationListRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const records = app.services.store.conversations;

  app.get(
    '/v1/conversations',
    {
      config: { roles: ['admin'] },
      schema: { summary: 'List conversations, newest first, with filters and a cursor for the next page', tags: ['conversations'], querystring: ListQuery, response: { 200: ConversationListSchema } },
    },
    async (request) => {
      const { cursor, ...q } = request.query;
      if (q.from && q.to) assertRangeOrder(q.from, q.to);
      const page = await records.list({ ...q, ...(cursor ? { after: cursor } : {}) });
      return { conversations: page.conversations, nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );
};
