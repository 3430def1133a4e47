// Simulated tokens: the verification result a signed-in customer's (or a broken website's) token would give, with no JWT involved.
import type { TokenResult } from '../../core/events.ts';
import type { WidgetInfo } from './widget-info.ts';

/** Who the customer logs in as; the claims a website would sign, and how long the token lives. */
export interface Login {
  email?: string;
  phone?: string;
  name?: string;
  sub?: string;
  /** Seconds until exp. */
  ttl: number;
}

/**
 * The rejection reasons the simulator offers: the ones an exported transcript can reproduce with a real token
 * (a forged signature, a stale token, the wrong iss or aud, a string that is no JWT), so export replays green.
 */
export const REJECTIONS = {
  signature_invalid: 'signed with the wrong secret',
  expired: 'expired before it arrived',
  issuer_invalid: 'wrong issuer (iss)',
  audience_invalid: 'wrong audience (aud)',
  malformed: 'not a JWT at all',
} as const;
export type Rejection = keyof typeof REJECTIONS;

export const NOT_CONFIGURED: TokenResult = { ok: false, reason: 'jwt_not_configured', message: 'This widget has no JWT settings, so identity tokens cannot be verified.' };

/** The claims the simulator signs, by their JWT names, and those every signed token has anyway. */
const claimNames = (l: Login) => [l.email && 'email', l.phone && 'phone_number', l.name && 'name', l.sub && 'sub'].filter((c): c is string => Boolean(c));
const ALWAYS_SIGNED = new Set(['exp', 'iat', 'iss', 'aud']);

/**
 * What the runtime's verifier answers for these claims: refused as it would refuse them (identity_missing,
 * claim_missing) under the widget's settings, else the identity with the email trimmed and lowercased and `sub` as
 * the subject. The signature, dates and issuer are taken as right: the simulator signs nothing.
 */
export function verifiedLogin(login: Login, nowMs: number, widget: Pick<WidgetInfo, 'issuer' | 'identity' | 'requiredClaims'>): TokenResult {
  const issuer = widget.issuer;
  const has = new Set(claimNames(login));
  const missing = widget.requiredClaims.find((c) => !ALWAYS_SIGNED.has(c) && !has.has(c));
  if (missing) return { ok: false, reason: 'claim_missing', message: `The token lacks the required claim "${missing}".` };
  const needs = widget.identity;
  if ((needs === 'email' && !has.has('email')) || (needs === 'phone' && !has.has('phone_number')) || (needs === 'email_or_phone' && !has.has('email') && !has.has('phone_number'))) {
    return { ok: false, reason: 'identity_missing', message: `The token carries no customer identity; the widget requires ${needs.replaceAll('_', ' ')}.` };
  }
  const iat = Math.floor(nowMs / 1000);
  return {
    ok: true,
    identity: {
      email: login.email?.trim().toLowerCase() || null,
      phone: login.phone?.trim() || null,
      name: login.name?.trim() || null,
      subject: login.sub?.trim() || null,
      issuer,
      issuedAt: iat,
      expiresAt: iat + login.ttl,
      kid: null,
      alg: 'HS256',
      jti: null,
    },
  };
}

export function rejected(reason: Rejection): TokenResult {
  return { ok: false, reason, message: `Simulated: the token was ${REJECTIONS[reason]}.` };
}
