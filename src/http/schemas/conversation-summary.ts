// A conversation as the lists show it (the store's ConversationSummary), and the two pages that hold them.
import { z } from 'zod';
import { AUTH_STATUSES, CONVERSATION_STATUSES, SCENARIOS } from '../../core/state.ts';
import { ONBOARDING_TYPES } from '../../core/widget.schema.ts';
import type { ConversationSummary as StoredSummary } from '../../store/store.port.ts';

export const ConversationSummarySchema = z
  .strictObject({
    id: z.string(),
    widgetId: z.string(),
    threadId: z.string(),
    threadVersion: z.number().int(),
    status: z.enum(CONVERSATION_STATUSES),
    scenario: z.enum(SCENARIOS).describe('The onboarding scenario, most_ideal … most_undesired, or visitor.'),
    authStatus: z.enum(AUTH_STATUSES),
    onboardingType: z.enum(ONBOARDING_TYPES),
    profileId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    customerMessages: z.number().int().describe('Customer messages of every party.'),
    trustedMessages: z.number().int(),
    trusted: z.boolean().describe('A trusted conversation: at least one customer message was trusted.'),
  })
  .meta({ id: 'ConversationSummary' });
export type ConversationSummary = z.infer<typeof ConversationSummarySchema>;

const nextCursor = z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.');

export const ConversationListSchema = z.strictObject({ conversations: z.array(ConversationSummarySchema), nextCursor }).meta({ id: 'ConversationList' });
export type ConversationList = z.infer<typeof ConversationListSchema>;

export const ProfileConversationListSchema = z
  .strictObject({ profileId: z.string(), conversations: z.array(ConversationSummarySchema), nextCursor })
  .meta({ id: 'ProfileConversationList' });
export type ProfileConversationList = z.infer<typeof ProfileConversationListSchema>;

// Compile-time drift check against the store's type, both ways.
type Assert<T extends true> = T;
export type StoreFitsSchema = Assert<StoredSummary extends ConversationSummary ? true : false>;
export type SchemaFitsStore = Assert<ConversationSummary extends StoredSummary ? true : false>;
