// The helper a website backend uses to mint a User Identity JWT for a logged-in customer.
import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8, type CryptoKey, type JWTPayload, type KeyObject } from 'jose';
import { ThreadgateError } from '../core/errors.ts';
import { isHmacAlgorithm, isJwsAlgorithm } from '../core/jws-algorithms.ts';
import { assertStrongSecret } from './check-secret-strength.ts';
import { isValidKid } from '../core/jws-kid.ts';
import { normalizeIdentityValue, normalizeJti, normalizeName } from './normalize-identity.ts';

export interface UserIdentityClaims {
  email?: string;
  /** Any valid international number; it is written to the token as the E.164 `phone_number` claim. */
  phone?: string;
  name?: string;
  sub?: string;
  [extra: string]: unknown;
}

export interface UserIdentitySigningKey {
  alg: string;
  /** For HS256/384/512: the same secret the widget's `jwt.keys[].secret` holds. */
  secret?: string | Uint8Array;
  /** For RS/PS/ES/EdDSA: a CryptoKey, a node KeyObject or a PKCS8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  privateKey?: CryptoKey | KeyObject | string;
  kid?: string;
}

export interface UserIdentitySignOptions {
  issuer?: string;
  audience?: string;
  /** Default 300; keep it short because the token sits in a web page. */
  expiresInSeconds?: number;
  now: Date;
  typ?: string;
  /** Default a random UUID, so a replay cache keyed on (iss, jti) works. */
  jti?: string;
}

/** Claims the options set; taking them from `identity` too would let two sources disagree. */
const RESERVED_CLAIMS = new Set(['iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'phone_number']);
const MAX_EXPIRY_SECONDS = 86_400;

function configInvalid(message: string): ThreadgateError {
  return new ThreadgateError('jwt_config_invalid', message);
}

function buildClaims(identity: UserIdentityClaims): JWTPayload {
  const { email, phone, name, sub, ...extra } = identity;
  for (const claim of Object.keys(extra)) {
    if (RESERVED_CLAIMS.has(claim)) {
      throw new ThreadgateError('identity_value_invalid', `The "${claim}" claim is set by the signing options, not by the identity.`);
    }
  }
  if (email === undefined && phone === undefined) {
    throw new ThreadgateError('identity_value_invalid', 'The identity needs an email or a phone.');
  }
  if (sub !== undefined && (typeof sub !== 'string' || sub.length === 0 || sub.length > 255)) {
    throw new ThreadgateError('identity_value_invalid', 'The sub must be a non-empty string of at most 255 characters.');
  }
  const displayName = normalizeName(name);
  return {
    ...extra,
    ...(email !== undefined ? { email: normalizeIdentityValue('email', email) } : {}),
    ...(phone !== undefined ? { phone_number: normalizeIdentityValue('phone', phone) } : {}),
    ...(displayName !== undefined ? { name: displayName } : {}),
    ...(sub !== undefined ? { sub } : {}),
  };
}

async function signingKeyFor(key: UserIdentitySigningKey, alg: string): Promise<CryptoKey | KeyObject | Uint8Array> {
  if (!isJwsAlgorithm(alg)) throw configInvalid('The alg must be one of HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA.');
  if (isHmacAlgorithm(alg)) {
    if (key.privateKey !== undefined) throw configInvalid(`${alg} signs with a secret, not a privateKey.`);
    if (key.secret === undefined || key.secret.length === 0) {
      throw new ThreadgateError('jwt_secret_missing', `${alg} needs the shared secret; load it from your secret store.`);
    }
    const bytes = typeof key.secret === 'string' ? new TextEncoder().encode(key.secret) : key.secret;
    assertStrongSecret(bytes, alg, 'signing key');
    return bytes;
  }
  if (key.secret !== undefined) throw configInvalid(`${alg} signs with a privateKey, not a secret.`);
  if (key.privateKey === undefined) throw new ThreadgateError('jwt_key_invalid', `${alg} needs a privateKey.`);
  if (typeof key.privateKey !== 'string') return key.privateKey;
  try {
    return await importPKCS8(key.privateKey.trim(), alg);
  } catch {
    throw new ThreadgateError('jwt_key_invalid', `The privateKey is not a PKCS8 PEM (-----BEGIN PRIVATE KEY-----) ${alg} key.`);
  }
}

/** Mints a short-lived token; throws ThreadgateError for bad identities or keys rather than signing something the widget will refuse. */
export async function signUserIdentity(
  identity: UserIdentityClaims,
  key: UserIdentitySigningKey,
  opts: UserIdentitySignOptions,
): Promise<string> {
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) throw configInvalid('now must be a valid Date.');
  const expiresIn = opts.expiresInSeconds ?? 300;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRY_SECONDS) {
    throw configInvalid(`expiresInSeconds must be an integer from 1 to ${MAX_EXPIRY_SECONDS}.`);
  }
  if (key.kid !== undefined && !isValidKid(key.kid)) throw configInvalid('kid must be 1-128 characters of A-Z a-z 0-9 . _ -.');
  const claims = buildClaims(identity);
  const signingKey = await signingKeyFor(key, key.alg);

  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, ...(key.kid !== undefined ? { kid: key.kid } : {}), ...(opts.typ !== undefined ? { typ: opts.typ } : {}) })
    .setIssuedAt(opts.now)
    .setExpirationTime(new Date(opts.now.getTime() + expiresIn * 1000))
    .setJti(normalizeJti(opts.jti ?? randomUUID()));
  if (opts.issuer !== undefined) jwt.setIssuer(opts.issuer);
  if (opts.audience !== undefined) jwt.setAudience(opts.audience);
  try {
    return await jwt.sign(signingKey);
  } catch {
    // jose throws a plain TypeError when the key does not fit the alg (an RSA key for ES256, a public key).
    throw new ThreadgateError('jwt_key_invalid', `The privateKey cannot sign ${key.alg}; pass a private key of that algorithm.`);
  }
}
