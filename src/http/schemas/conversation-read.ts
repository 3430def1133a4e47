// What the conversation read routes answer (one conversation, a timeline page), as zod schemas for the document and the serializer.
import { z } from 'zod';
import { AUTH_STATUSES, CONVERSATION_STATUSES, IDENTITY_METHODS, PROFILE_MATCHES, SCENARIOS } from '../../core/state.ts';
import { ONBOARDING_TYPES } from '../../core/widget.schema.ts';
import { TIMELINE_SENDERS } from '../../store/store.port.ts';
import { TRUSTED_INDICATORS } from '../../runtime/trusted-indicator.ts';

export const TimelineEntrySchema = z
  .strictObject({
    seq: z.number().int().describe('Increasing within the conversation; the cursor of timeline pages.'),
    turn: z.number().int().describe('The turn (conversation version) that wrote it.'),
    party: z.number().int(),
    from: z.enum(TIMELINE_SENDERS),
    text: z.string(),
    trusted: z.boolean().nullable().describe('For customer messages: sent while authenticated by a token valid at that moment; null for other lines.'),
    indicator: z.enum(TRUSTED_INDICATORS).nullable().describe('The Trusted Message indicator an agent sees: green while open, gray once closed, null when not trusted.'),
    at: z.string(),
  })
  .meta({ id: 'TimelineEntry' });

export const TimelinePageSchema = z
  .strictObject({
    limit: z.number().int(),
    hasMore: z.boolean(),
    nextBefore: z.number().int().nullable().describe('Pass as `before` for the older page; null when none is left.'),
    nextAfter: z.number().int().nullable().describe('Pass as `after` for the newer page when reading forward; null otherwise.'),
  })
  .meta({ id: 'TimelinePage' });

export const ConversationReadSchema = z
  .strictObject({
    id: z.string(),
    widgetId: z.string(),
    threadId: z.string(),
    threadVersion: z.number().int(),
    version: z.number().int(),
    status: z.enum(CONVERSATION_STATUSES),
    scenario: z.enum(SCENARIOS),
    onboardingType: z.enum(ONBOARDING_TYPES),
    step: z.string().nullable(),
    identity: z.strictObject({ status: z.enum(AUTH_STATUSES), method: z.enum(IDENTITY_METHODS), party: z.number().int(), tokenExpiresAt: z.number().nullable() }),
    profile: z.strictObject({ match: z.enum(PROFILE_MATCHES), id: z.string().nullable() }),
    routed: z.boolean(),
    queue: z.string().nullable(),
    tags: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    timeline: z.array(TimelineEntrySchema).describe('The latest page of the timeline, oldest first.'),
    timelinePage: TimelinePageSchema,
  })
  .meta({ id: 'Conversation' });

export const TimelineReadSchema = z
  .strictObject({
    conversationId: z.string(),
    party: z.union([z.number().int(), z.literal('all')]),
    timeline: z.array(TimelineEntrySchema),
    timelinePage: TimelinePageSchema,
  })
  .meta({ id: 'TimelinePageAnswer' });

export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;
export type TimelinePage = z.infer<typeof TimelinePageSchema>;
export type Conversation = z.infer<typeof ConversationReadSchema>;
export type TimelinePageAnswer = z.infer<typeof TimelineReadSchema>;
