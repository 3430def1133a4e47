// threadgate's own "create a User Identity JWT" issuer, signing with the newest key of a key ring.
import { importJWK, type CryptoKey } from 'jose';
import { ThreadgateError } from '../core/errors.ts';
import { MAX_IDENTITY_TTL_SECONDS, parseKeyRing, signingKey, type KeyRingData } from './key-ring.ts';
import { normalizeIdentityValue, type IdentityType } from './normalize-identity.ts';
import { signUserIdentity } from './sign-user-identity.ts';

export interface IdentityIssuerOptions {
  ring: KeyRingData;
  issuer: string;
  audience: string;
  /** Default 300, at most 3600: the token sits in a web page, so it should die quickly. */
  ttlSeconds?: number;
  /** The `typ` header; default `JWT`. */
  typ?: string;
}

export interface IdentityToIssue {
  type: IdentityType;
  value: string;
  name?: string;
}

export interface IssuedIdentityToken {
  token: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface IdentityIssuer {
  /** The kid of the key that signs, so callers can log which key was used. */
  readonly kid: string;
  issue(identity: IdentityToIssue, now: Date, jti: string): Promise<IssuedIdentityToken>;
}

function configInvalid(message: string): ThreadgateError {
  return new ThreadgateError('jwt_config_invalid', message);
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 1024) throw configInvalid(`${field} must be a non-empty string of at most 1024 characters.`);
  return value;
}

/** Validates everything up front (ring, issuer, audience, ttl) so a bad setup fails at start-up, not per customer. */
export function createIdentityIssuer(opts: IdentityIssuerOptions): IdentityIssuer {
  const ring = parseKeyRing(opts.ring);
  const current = signingKey(ring);
  if (!current) throw configInvalid('The key ring has no signing key; run rotateKeyRing to create one.');
  const issuer = requireText(opts.issuer, 'issuer');
  const audience = requireText(opts.audience, 'audience');
  const ttl = opts.ttlSeconds ?? 300;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_IDENTITY_TTL_SECONDS) {
    throw configInvalid(`ttlSeconds must be an integer from 1 to ${MAX_IDENTITY_TTL_SECONDS}.`);
  }
  const typ = opts.typ ?? 'JWT';

  // Imported once, lazily, because importing is async and the factory is not.
  let privateKey: Promise<CryptoKey> | undefined;
  const loadKey = (): Promise<CryptoKey> =>
    (privateKey ??= importJWK(current.privateJwk, 'ES256').then((key) => {
      if (key instanceof Uint8Array) throw new TypeError('not an EC key');
      return key;
    }).catch(() => {
      privateKey = undefined;
      throw new ThreadgateError('jwt_key_invalid', `The key ring key ${current.kid} cannot be imported; rotate the ring.`);
    }));

  return {
    kid: current.kid,
    async issue(identity, now, jti) {
      const type = identity.type;
      if (type !== 'email' && type !== 'phone') throw new ThreadgateError('identity_value_invalid', 'The identity type must be "email" or "phone".');
      const value = normalizeIdentityValue(type, identity.value);
      const token = await signUserIdentity(
        { [type]: value, ...(identity.name !== undefined ? { name: identity.name } : {}) },
        { alg: 'ES256', privateKey: await loadKey(), kid: current.kid },
        { issuer, audience, expiresInSeconds: ttl, now, jti, typ },
      );
      return { token, expiresAt: Math.floor(now.getTime() / 1000) + ttl };
    },
  };
}
