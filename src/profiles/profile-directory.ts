// The profile directory port: lookups by normalised email, phone or external id, and creation.
import type { ProfileRecord } from '../core/events.ts';
import type { ProfileDraft } from '../core/outputs.ts';

export interface ContactKeys {
  email?: string | null;
  phone?: string | null;
  externalId?: string | null;
}

export interface ProfileDirectory {
  /** Finds the profile for these contact keys: external id first, then email, then phone. */
  find(keys: ContactKeys): Promise<ProfileRecord | null>;
  /**
   * Creates a profile from a core `create_profile` effect. When another profile already owns one of
   * its keys (a concurrent first contact), that profile is returned instead of a duplicate.
   */
  create(draft: ProfileDraft): Promise<ProfileRecord>;
}
