// Identity transitions (identify, authenticate, clear) and profile matching, applied to a turn's draft state.
import type { ProfileRecord, UserInfo, VerifiedIdentity } from './events.ts';
import type { IdentityChange } from './facts.ts';
import { normalizeEmail, normalizePhone } from './normalize.ts';
import type { Output, ProfileDraft } from './outputs.ts';
import { ANONYMOUS, NO_PROFILE, isTrustedAt, type ConversationState, type IdentityMethod, type ProfileMatch } from './state.ts';

export interface IdentityCtx {
  nowSeconds: number;
  newId: () => string;
  defaultCountry: string | null;
  /** true for the `start` event: authentication now counts as "authenticated when the chat started". */
  atStart: boolean;
}

export interface IdentityStep {
  change: IdentityChange;
  outputs: Output[];
  notes: string[];
}

const none = (notes: string[] = [], outputs: Output[] = []): IdentityStep => ({ change: null, outputs, notes });

/** Normalised contact data: email lowercased, phone E.164; invalid values are dropped with a note. */
export function normalizeUser(user: UserInfo, defaultCountry: string | null): { user: Required<Record<keyof UserInfo, string | null>>; invalid: Partial<Record<keyof UserInfo, string>> } {
  const invalid: Partial<Record<keyof UserInfo, string>> = {};
  const email = user.email ? normalizeEmail(user.email) : null;
  if (user.email && !email) invalid.email = 'not an email address';
  const phone = user.phone ? normalizePhone(user.phone, defaultCountry ?? undefined) : null;
  if (user.phone && !phone) invalid.phone = 'not a valid phone number (use +country code)';
  return { user: { name: user.name ?? null, email, phone, externalId: user.externalId ?? null }, invalid };
}

/** Two identities are the same person when they share an email, a phone or an external id. */
function samePerson(a: { email: string | null; phone: string | null; externalId: string | null }, b: { email: string | null; phone: string | null; externalId?: string | null }): boolean {
  return Boolean(
    (a.email && a.email === b.email) || (a.phone && a.phone === b.phone) || (a.externalId && b.externalId && a.externalId === b.externalId),
  );
}

/**
 * Sets the profile from the runtime's directory lookup: a found record is `matched`, `null` (looked up,
 * nobody) creates a `new` profile through an effect, absent (not looked up) leaves `none`.
 */
function matchProfile(
  state: ConversationState,
  lookup: ProfileRecord | null | undefined,
  who: { name: string | null; email: string | null; phone: string | null; externalId: string | null },
  match: ProfileMatch,
  ctx: IdentityCtx,
): Output[] {
  if (lookup === undefined || (!who.email && !who.phone && !who.externalId)) {
    state.profile = { ...NO_PROFILE, attributes: {}, match: match === 'conflict' ? 'conflict' : 'none' };
    return [];
  }
  if (lookup) {
    state.profile = {
      match,
      id: lookup.id,
      name: lookup.name ?? who.name,
      email: who.email ?? lookup.emails?.[0] ?? null,
      phone: who.phone ?? lookup.phones?.[0] ?? null,
      externalId: lookup.externalId ?? who.externalId,
      attributes: { ...(lookup.attributes ?? {}) },
    };
    return [];
  }
  const draft: ProfileDraft = {
    id: ctx.newId(),
    name: who.name,
    emails: who.email ? [who.email] : [],
    phones: who.phone ? [who.phone] : [],
    externalId: who.externalId,
  };
  state.profile = { match: match === 'conflict' ? 'conflict' : 'new', id: draft.id, name: who.name, email: who.email, phone: who.phone, externalId: who.externalId, attributes: {} };
  return [{ type: 'effect', effect: 'create_profile', profile: draft }];
}

/** setUser or a submitted form: identified, not trusted. A verified identity is never downgraded by it. */
export function identify(state: ConversationState, raw: UserInfo, method: Extract<IdentityMethod, 'code' | 'form'>, lookup: ProfileRecord | null | undefined, ctx: IdentityCtx): IdentityStep {
  const { user } = normalizeUser(raw, ctx.defaultCountry);
  if (state.identity.status === 'authenticated') {
    return none(['identify ignored: the conversation is authenticated by a token'], [
      { type: 'notice', code: 'identity_ignored', message: 'The customer is already authenticated by a token; identity given by code or form does not replace it.' },
    ]);
  }
  if (!user.email && !user.phone && !user.externalId && !user.name) return none(['identify without any usable field']);
  state.identity = { ...ANONYMOUS, party: state.identity.party, status: 'identified', method, ...user };
  state.history.everIdentified = true;
  const outputs = matchProfile(state, lookup, user, 'matched', ctx);
  return { change: 'identified', outputs, notes: [] };
}

/** A verified token: authenticated and trusted until it expires; another person than the identified one is a conflict. */
export function authenticate(state: ConversationState, claims: VerifiedIdentity, lookup: ProfileRecord | null | undefined, ctx: IdentityCtx): IdentityStep {
  const before = state.identity;
  const who = { name: claims.name, email: claims.email, phone: claims.phone, externalId: null as string | null };
  const hadPerson = before.status !== 'anonymous' && (before.email || before.phone || before.externalId);
  const conflict = Boolean(hadPerson) && !samePerson(before, who);
  const refresh = !conflict && before.status === 'authenticated' && isTrustedAt(before, ctx.nowSeconds);

  state.identity = {
    ...ANONYMOUS,
    party: before.party,
    status: 'authenticated',
    method: 'jwt',
    name: claims.name ?? (conflict ? null : before.name),
    email: claims.email,
    phone: claims.phone,
    externalId: conflict ? null : before.externalId,
    tokenExpiresAt: claims.expiresAt,
    tokenIssuer: claims.issuer,
  };
  if (refresh) return { change: null, outputs: [], notes: ['token refreshed for the same customer'] };

  const h = state.history;
  if (before.status === 'identified') h.identifiedBeforeAuth = true;
  if (conflict) h.conflict = true;
  if (ctx.atStart && !h.everIdentified) h.authenticatedAtStart = true;
  else if (state.routed) h.authenticatedAfterRouting = true;
  else h.authenticatedBeforeRouting = true;

  const outputs = matchProfile(state, lookup, state.identity, conflict ? 'conflict' : 'matched', ctx);
  if (conflict) {
    outputs.unshift({
      type: 'notice',
      code: 'profile_conflict',
      message: 'The customer authenticated as a different person than the one identified earlier; they are treated as a different customer.',
    });
    return { change: 'conflict', outputs, notes: ['authenticated identity differs from the identified one'] };
  }
  return { change: 'authenticated', outputs, notes: [] };
}

/** clearUser / logout: back to anonymous, profile and slots un-associated, a new party begins. */
export function clearUser(state: ConversationState): IdentityStep {
  if (state.identity.status === 'anonymous') return none(['clear_user on an anonymous conversation']);
  state.identity = { ...ANONYMOUS, party: state.identity.party + 1 };
  state.profile = { ...NO_PROFILE, attributes: {} };
  // Answers given by the previous party may be personal: the new party must not see them.
  state.slots = {};
  state.onboarding = { ...state.onboarding, completed: false, skipped: false, formRequested: false };
  return { change: 'cleared', outputs: [], notes: [] };
}
