// A profile's past conversations (seed 000's "existing Customer Profile with past Conversations"): newest first, a keyset page at a time.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONVERSATION_PAGE_MAX } from '../../store/store.port.ts';
import { HttpError } from '../error-catalogue.ts';
import { ProfileConversationListSchema } from '../schemas/conversation-summary.ts';
import { Cursor, encodeCursor } from './conversation-list.ts';
import { ProfileId } from './profiles.ts';

const Query = z
  .object({
    limit: z.coerce.number().int().min(1).max(CONVERSATION_PAGE_MAX).default(50),
    cursor: Cursor.optional(),
  })
  .strict();

export const profileConversationRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { store } = app.services;

  app.get(
    '/v1/profiles/:id/conversations',
    {
      config: { roles: ['admin'], errors: ['profile_not_found'] },
      schema: {
        summary: "A profile's past conversations, newest first, with their scenario and whether each was trusted; a cursor for the next page",
        description:
          'The conversations last matched to this profile (kept through a logout; after a conflict the conversation is the new person\'s). `trusted`: at least one customer message was trusted.',
        tags: ['profiles'],
        params: z.object({ id: ProfileId }).strict(),
        querystring: Query,
        response: { 200: ProfileConversationListSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await store.profiles.get(id))) throw new HttpError('profile_not_found');
      const { limit, cursor } = request.query;
      const page = await store.conversations.list({ profileId: id, limit, ...(cursor ? { after: cursor } : {}) });
      return { profileId: id, conversations: page.conversations, nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );
};
