// What the profile routes answer: one profile as the directory holds it, and a page of profiles.
import { z } from 'zod';
import { ProfileRecordSchema } from '../../core/events.ts';

/** The directory's record, the same schema a turn event's profile lookup result is checked with. */
export const ProfileSchema = ProfileRecordSchema.meta({ id: 'Profile' });
export type Profile = z.infer<typeof ProfileSchema>;

export const ProfileListSchema = z
  .strictObject({ profiles: z.array(ProfileSchema), next: z.string().nullable().describe('Pass as `after` for the next page; null on the last page.') })
  .meta({ id: 'ProfileList' });
export type ProfileList = z.infer<typeof ProfileListSchema>;
