// Identity transitions (identify, authenticate, clear) and profile matching, applied to a turn's draft state.
import type { ProfileRecord, UserInfo, VerifiedIdentity } from './events.ts';
import type { IdentityChange } from './facts.ts';
import { normalizeEmail, normalizePhone } from './normalize.ts';
import type { Output, ProfileDraft } from './outputs.ts';
import { ANONYMOUS_PARTY, NO_PROFILE, freshHistory, isTrustedAt, type ConversationState, type IdentityMethod, type ProfileMatch } from './state.ts';

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

type Keys = { email: string | null; phone: string | null; externalId: string | null };

/** Two identities are the same person when they share an email, a phone or an external id. */
function samePerson(a: Keys, b: Keys): boolean {
  return Boolean((a.email && a.email === b.email) || (a.phone && a.phone === b.phone) || (a.externalId && a.externalId === b.externalId));
}

/** Different people: they have a key of the same kind to compare, and share none. Unknown is not different. */
function differentPerson(a: Keys, b: Keys): boolean {
  const comparable = (a.email && b.email) || (a.phone && b.phone) || (a.externalId && b.externalId);
  return Boolean(comparable) && !samePerson(a, b);
}

/**
 * Sets the profile from the directory's answer (`directoryMatch`, the event's `profile`): a found record is `matched`, `null` (looked up,
 * nobody) creates a `new` profile through an effect, absent (not looked up) leaves `none`.
 */
function matchProfile(
  state: ConversationState,
  directoryMatch: ProfileRecord | null | undefined,
  who: { name: string | null; email: string | null; phone: string | null; externalId: string | null },
  match: ProfileMatch,
  ctx: IdentityCtx,
): Output[] {
  if (directoryMatch === undefined || (!who.email && !who.phone && !who.externalId)) {
    // Not looked up: a profile already matched to this same person stays; anyone else has none.
    const keep = match !== 'conflict' && state.profile.id !== null && samePerson(state.profile, who);
    if (!keep) state.profile = { ...NO_PROFILE, attributes: {}, match: match === 'conflict' ? 'conflict' : 'none' };
    return [];
  }
  if (directoryMatch) {
    state.profile = {
      match,
      id: directoryMatch.id,
      name: directoryMatch.name ?? who.name,
      email: who.email ?? directoryMatch.emails?.[0] ?? null,
      phone: who.phone ?? directoryMatch.phones?.[0] ?? null,
      externalId: directoryMatch.externalId ?? who.externalId,
      attributes: { ...(directoryMatch.attributes ?? {}) },
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
export function identify(state: ConversationState, raw: UserInfo, method: Extract<IdentityMethod, 'code' | 'form'>, directoryMatch: ProfileRecord | null | undefined, ctx: IdentityCtx): IdentityStep {
  const { user, invalid } = normalizeUser(raw, ctx.defaultCountry);
  const invalidNotice: Output[] = Object.keys(invalid).length
    ? [{ type: 'notice', code: 'identity_invalid', message: `Ignored invalid identity fields: ${Object.entries(invalid).map(([k, v]) => `${k} (${v})`).join(', ')}.`, detail: { fields: invalid } }]
    : [];
  if (state.identity.status === 'authenticated') {
    return none(['identify ignored: the conversation is authenticated by a token'], [
      { type: 'notice', code: 'identity_ignored', message: 'The customer is already authenticated by a token; identity given by code or form does not replace it.' },
    ]);
  }
  if (!user.email && !user.phone && !user.externalId && !user.name) return none(['identify without any usable field'], invalidNotice);
  const before = state.identity;
  const noKeys = !user.email && !user.phone && !user.externalId;
  if (before.status === 'identified' && (samePerson(before, user) || noKeys)) {
    // Websites call setUser on every page load: the same customer again (or just a name) is not a change.
    state.identity = { ...before, method, name: user.name ?? before.name, email: user.email ?? before.email, phone: user.phone ?? before.phone, externalId: user.externalId ?? before.externalId };
    const outputs = directoryMatch !== undefined && state.profile.id === null ? matchProfile(state, directoryMatch, state.identity, 'matched', ctx) : [];
    return none(['the same customer identified again'], [...invalidNotice, ...outputs]);
  }
  state.identity = { ...ANONYMOUS_PARTY, party: state.identity.party, status: 'identified', method, ...user };
  state.history.everIdentified = true;
  const outputs = [...invalidNotice, ...matchProfile(state, directoryMatch, user, 'matched', ctx)];
  return { change: 'identified', outputs, notes: [] };
}

/** A verified token: authenticated and trusted until it expires; another person than the identified one is a conflict. */
export function authenticate(state: ConversationState, claims: VerifiedIdentity, directoryMatch: ProfileRecord | null | undefined, ctx: IdentityCtx): IdentityStep {
  const before = state.identity;
  // The token's subject is the website's own id for the customer: the external id.
  const who = { name: claims.name, email: claims.email, phone: claims.phone, externalId: claims.subject };
  const conflict = before.status !== 'anonymous' && differentPerson(before, who);
  const same = before.status !== 'anonymous' && samePerson(before, who);
  // Only a positively same customer refreshes silently; a token we cannot compare is a new authentication.
  const refresh = same && before.status === 'authenticated' && isTrustedAt(before, ctx.nowSeconds);

  state.identity = {
    ...ANONYMOUS_PARTY,
    party: before.party,
    status: 'authenticated',
    method: 'jwt',
    name: claims.name ?? (same ? before.name : null),
    email: claims.email,
    phone: claims.phone,
    externalId: claims.subject ?? (same ? before.externalId : null),
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

  const outputs = matchProfile(state, directoryMatch, state.identity, conflict ? 'conflict' : 'matched', ctx);
  if (conflict) {
    // Lookup results were fetched for the previous person: a different customer must not be handed them.
    state.lookups = {};
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
  // Always a new party: whoever is at the keyboard now must not see what the previous one typed.
  const wasKnown = state.identity.status !== 'anonymous';
  state.identity = { ...ANONYMOUS_PARTY, party: state.identity.party + 1 };
  state.profile = { ...NO_PROFILE, attributes: {} };
  // Answers given by the previous party may be personal: the new party must not see them.
  state.slots = {};
  state.lookups = {};
  state.onboarding = { ...state.onboarding, completed: false, skipped: false, formRequested: false };
  // The scenario tells how the current customer came in; a new party starts its own story.
  state.history = freshHistory();
  state.waiting = null;
  return wasKnown ? { change: 'cleared', outputs: [], notes: [] } : none(['clear_user on an anonymous conversation: answers forgotten, a new party begins']);
}
