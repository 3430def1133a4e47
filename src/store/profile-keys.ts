// Normalisation of a profile's contact keys, shared by the store adapters so every store agrees on what a key is.
import type { ProfileRecord } from '../core/events.ts';
import { normalizeEmail, normalizePhone } from '../core/normalize.ts';
import type { ContactKeys } from '../profiles/profile-directory.ts';
import { StoreError } from './store-error.ts';

export interface ProfileKeys {
  externalId: string | null;
  emails: string[];
  phones: string[];
}

/** A profile as a store returns it: every optional field of ProfileRecord filled. */
export interface StoredProfile extends ProfileRecord {
  name: string | null;
  emails: string[];
  phones: string[];
  externalId: string | null;
  attributes: Record<string, unknown>;
}

/** The keys of a profile being written: normalised, deduplicated, in order; an invalid one is refused. */
export function profileKeysOf(p: { id: string; emails?: string[]; phones?: string[]; externalId?: string | null }): ProfileKeys {
  const emails = (p.emails ?? []).map((e) => {
    const n = normalizeEmail(e);
    if (!n) throw new StoreError('value_invalid', `profile ${p.id}: "${e}" is not an email address.`);
    return n;
  });
  const phones = (p.phones ?? []).map((ph) => {
    const n = normalizePhone(ph);
    if (!n) throw new StoreError('value_invalid', `profile ${p.id}: "${ph}" is not an E.164 phone number.`);
    return n;
  });
  return { externalId: p.externalId ? p.externalId : null, emails: [...new Set(emails)], phones: [...new Set(phones)] };
}

export type KeyLookup = { kind: 'externalId' | 'email' | 'phone'; value: string };

/**
 * The lookups `find` makes, in the directory's order: external id, then email, then phone. Keys that
 * do not normalise are dropped: an invalid email can match nobody.
 */
export function lookupsFor(keys: ContactKeys): KeyLookup[] {
  const email = keys.email ? normalizeEmail(keys.email) : null;
  const phone = keys.phone ? normalizePhone(keys.phone) : null;
  return [
    ...(keys.externalId ? [{ kind: 'externalId' as const, value: keys.externalId }] : []),
    ...(email ? [{ kind: 'email' as const, value: email }] : []),
    ...(phone ? [{ kind: 'phone' as const, value: phone }] : []),
  ];
}

/** Every key of a profile being written, as lookups in the same priority order. */
export function lookupsOf(k: ProfileKeys): KeyLookup[] {
  return [
    ...(k.externalId ? [{ kind: 'externalId' as const, value: k.externalId }] : []),
    ...k.emails.map((value) => ({ kind: 'email' as const, value })),
    ...k.phones.map((value) => ({ kind: 'phone' as const, value })),
  ];
}

/** How `putProfile` names a taken key: `email:julie@example.com`, `phone:+14155550123`, `externalId:u-42`. */
export const keyLabel = (k: KeyLookup): string => `${k.kind}:${k.value}`;
