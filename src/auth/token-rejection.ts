// The stable reason codes a token is rejected with, and the one-sentence fix for each.
import type { TokenResult } from '../core/events.ts';

export const TOKEN_REJECTION_REASONS = [
  'malformed',
  'oversized',
  'alg_none',
  'alg_not_allowed',
  'key_type_mismatch',
  'kid_unknown',
  'signature_invalid',
  'expired',
  'not_yet_valid',
  'issued_in_future',
  'too_old',
  'issuer_invalid',
  'audience_invalid',
  'typ_invalid',
  'claim_missing',
  'claims_invalid',
  'identity_missing',
  'jwks_unavailable',
] as const;
export type TokenRejectionReason = (typeof TOKEN_REJECTION_REASONS)[number];

/**
 * The core's token rejection, narrowed: our verifier always names one of the reasons above, and its `message`
 * is always there: what the website should fix, in one sentence, never a claim value (emails, names).
 */
export type TokenRejection = Extract<TokenResult, { ok: false }> & { reason: TokenRejectionReason; message: string };

/** The default sentence per reason; callers pass a more precise one when they know more (e.g. the claim name). */
export const REJECTION_MESSAGES: Record<TokenRejectionReason, string> = {
  malformed: 'The token is not a compact JWS (three base64url parts with a JSON header); send the token exactly as signed.',
  oversized: 'The token is longer than maxTokenBytes; put only the identity claims in it.',
  alg_none: 'Unsigned tokens (alg "none") are never accepted; sign the token with a configured key.',
  alg_not_allowed: 'The token is signed with an algorithm no configured key allows; sign with the alg configured for the key.',
  key_type_mismatch: 'The token algorithm is of a different key type than the configured key (e.g. HS256 against an RSA key); sign with the configured key and its alg.',
  kid_unknown: 'The token kid names no configured key; use the kid of a configured key or publish the key first.',
  signature_invalid: 'The signature does not match any configured key; sign with the configured secret or private key.',
  expired: 'The token has expired; mint a fresh token for each page load.',
  not_yet_valid: 'The token nbf is in the future; check the signing server clock.',
  issued_in_future: 'The token iat is in the future; check the signing server clock.',
  too_old: 'The token iat is older than maxTokenAgeSeconds; mint a fresh token for each page load.',
  issuer_invalid: 'The token iss is not a configured issuer; set iss to the configured issuer.',
  audience_invalid: 'The token aud is not a configured audience; set aud to the configured audience.',
  typ_invalid: 'The token typ header is not the configured typ; set the typ header when signing.',
  claim_missing: 'The token lacks a required claim; add it when signing.',
  claims_invalid: 'A token claim has the wrong type or format; send strings for identity claims and numbers for dates.',
  identity_missing: 'The token carries no usable identity; add an email or phone_number claim as the widget requires.',
  jwks_unavailable: 'The JWKS URL could not be fetched or parsed; check that it serves a JSON Web Key Set over HTTPS.',
};

export function reject(reason: TokenRejectionReason, message: string = REJECTION_MESSAGES[reason]): TokenRejection {
  return { ok: false, reason, message };
}
