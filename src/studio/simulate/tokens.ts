// Simulated tokens: the verification result a signed-in customer's (or a broken website's) token would give, with no JWT involved.
import type { TokenResult } from '../../core/events.ts';

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

/** What the runtime's verifier answers for a valid token: the email trimmed and lowercased, `sub` as the subject. */
export function verifiedLogin(login: Login, nowMs: number, issuer: string | null): TokenResult {
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
