// The contact keys an event is about to establish, so the profile directory is asked before the core decides (the runtime and the studio's simulator share it).
import type { TokenResult } from '../core/events.ts';
import { normalizeUser } from '../core/identity.ts';
import type { ContactKeys } from '../profiles/profile-directory.ts';

/** A verified token's keys win; otherwise the setUser / form fields, normalised as the core will normalise them. */
export function contactKeys(event: Record<string, unknown>, token: TokenResult | undefined, defaultCountry: string | null): ContactKeys | null {
  if (token?.ok) return { email: token.identity.email, phone: token.identity.phone, externalId: token.identity.subject };
  const user = (event.type === 'submit_form' ? event.fields : event.user) as Record<string, string> | undefined;
  if (!user || typeof user !== 'object') return null;
  const { user: n } = normalizeUser({ email: user.email, phone: user.phone, externalId: user.externalId }, defaultCountry);
  return n.email || n.phone || n.externalId ? n : null;
}
