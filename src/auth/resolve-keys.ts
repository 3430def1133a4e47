// Turning parsed `jwt:` settings into imported jose keys, refusing weak or broken keys at config time.
import { importJWK, importSPKI, type CryptoKey, type JWK } from 'jose';
import { ThreadgateError } from '../core/errors.ts';
import { isHmacAlgorithm, type JwsAlgorithm } from '../core/jws-algorithms.ts';
import { assertStrongSecret } from './check-secret-strength.ts';
import type { IdentityRequirement, JwtKeySettings, JwtSettingsInput } from '../core/jwt-settings.schema.ts';
import { isValidKid } from '../core/jws-kid.ts';
import { parseJwtSettings } from './parse-jwt-settings.ts';

/** One verification key, bound to exactly one algorithm. */
export interface ResolvedKey {
  kid: string | null;
  alg: JwsAlgorithm;
  key: CryptoKey;
}

/** Everything the verifier needs, already validated: no env lookups or key parsing happen per token. */
export interface ResolvedJwtSettings {
  /** Keys with a kid; a token naming a kid is checked against this key only. */
  keysByKid: ReadonlyMap<string, ResolvedKey>;
  /** Keys without a kid, tried in order only when the token has no kid. */
  defaultKeys: readonly ResolvedKey[];
  jwksUrl: string | null;
  jwksCacheSeconds: number;
  issuer: readonly string[] | null;
  audience: readonly string[] | null;
  clockToleranceSeconds: number;
  maxTokenAgeSeconds: number;
  requiredClaims: readonly string[];
  typ: string | null;
  identity: IdentityRequirement;
  maxTokenBytes: number;
}

export type EnvironmentVariables = Record<string, string | undefined>;

const HMAC_HASH = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' } as const;
const MIN_RSA_BITS = 2048;

function describeKey(index: number, kid: string | undefined): string {
  return `jwt.keys.${index}${kid ? ` (kid "${kid}")` : ''}`;
}

/** Reads a literal or `{ env }` value; an unset or empty variable is an error, never an empty key. */
function readValue(value: string | { env: string }, env: EnvironmentVariables, where: string): string {
  if (typeof value === 'string') return value;
  const found = env[value.env];
  if (found === undefined || found === '') {
    throw new ThreadgateError('jwt_secret_missing', `${where}: environment variable ${value.env} is not set; set it before loading the widget.`);
  }
  return found;
}

/** Imports an HMAC secret as a non-extractable key bound to one hash, so it cannot verify another HS variant. */
async function importSecret(secret: string, alg: keyof typeof HMAC_HASH, where: string): Promise<CryptoKey> {
  const bytes = new TextEncoder().encode(secret);
  assertStrongSecret(bytes, alg, where);
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: HMAC_HASH[alg] }, false, ['verify']);
}

function keyInvalid(where: string, message: string): ThreadgateError {
  return new ThreadgateError('jwt_key_invalid', `${where}: ${message}`);
}

async function importPublicPem(pem: string, alg: JwsAlgorithm, where: string): Promise<CryptoKey> {
  if (/PRIVATE KEY-----/.test(pem)) {
    throw keyInvalid(where, 'publicKey holds a PRIVATE key; configure the public key (openssl pkey -pubout) and keep the private key on your server.');
  }
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) {
    throw keyInvalid(where, 'publicKey must be a PEM block starting with -----BEGIN PUBLIC KEY----- (SPKI).');
  }
  try {
    return await importSPKI(pem.trim(), alg);
  } catch {
    throw keyInvalid(where, `publicKey is not a valid ${alg} public key; check that the PEM is complete and matches the algorithm.`);
  }
}

async function importPublicJwk(jwk: Record<string, unknown>, alg: JwsAlgorithm, where: string): Promise<CryptoKey> {
  if (jwk.alg !== undefined && jwk.alg !== alg) throw keyInvalid(where, `jwk.alg does not match alg ${alg}; make them agree.`);
  if (jwk.use !== undefined && jwk.use !== 'sig') throw keyInvalid(where, 'jwk.use must be "sig" for a signature key.');
  let imported: CryptoKey | Uint8Array;
  try {
    imported = await importJWK(jwk as JWK, alg);
  } catch {
    throw keyInvalid(where, `jwk is not a valid ${alg} public key; check kty, crv and the key members.`);
  }
  if (imported instanceof Uint8Array || imported.type !== 'public') {
    throw keyInvalid(where, 'jwk must be a public key.');
  }
  return imported;
}

/** RSA keys under 2048 bits make jose throw at every verification; refusing them here names the real problem. */
function assertRsaStrength(key: CryptoKey, where: string): void {
  const bits = (key.algorithm as { modulusLength?: number }).modulusLength;
  if (typeof bits === 'number' && bits < MIN_RSA_BITS) {
    throw keyInvalid(where, `the RSA key has ${bits} bits; use at least ${MIN_RSA_BITS}.`);
  }
}

async function resolveKey(settings: JwtKeySettings, index: number, env: EnvironmentVariables): Promise<ResolvedKey> {
  const jwkKid = settings.jwk && typeof settings.jwk.kid === 'string' ? settings.jwk.kid : undefined;
  const where = describeKey(index, settings.kid ?? jwkKid);
  if (settings.kid !== undefined && jwkKid !== undefined && settings.kid !== jwkKid) {
    throw new ThreadgateError('jwt_config_invalid', `${where}: kid and jwk.kid differ; keep one or make them equal.`);
  }
  const kid = settings.kid ?? jwkKid ?? null;
  if (kid !== null && !isValidKid(kid)) {
    throw new ThreadgateError('jwt_config_invalid', `${where}: kid must be 1-128 characters of A-Z a-z 0-9 . _ -.`);
  }
  const { alg } = settings;
  let key: CryptoKey;
  if (isHmacAlgorithm(alg)) {
    if (settings.secret === undefined) throw keyInvalid(where, `${alg} needs a secret.`);
    key = await importSecret(readValue(settings.secret, env, where), alg, where);
  } else if (settings.publicKey !== undefined) {
    key = await importPublicPem(readValue(settings.publicKey, env, where), alg, where);
  } else if (settings.jwk !== undefined) {
    key = await importPublicJwk(settings.jwk, alg, where);
  } else {
    throw keyInvalid(where, `${alg} needs a publicKey or a jwk.`);
  }
  assertRsaStrength(key, where);
  return { kid, alg, key };
}

const asList = (value: string | string[] | undefined): readonly string[] | null =>
  value === undefined ? null : typeof value === 'string' ? [value] : [...value];

/**
 * Validates settings (again: this is the trust boundary, and parsing is idempotent) and imports every key.
 * Throws ThreadgateError with `jwt_config_invalid`, `jwt_secret_missing`, `jwt_secret_too_short`,
 * `jwt_secret_weak` or `jwt_key_invalid`.
 */
export async function resolveJwtSettings(settings: JwtSettingsInput, env: EnvironmentVariables): Promise<ResolvedJwtSettings> {
  const parsed = parseJwtSettings(settings);
  const keysByKid = new Map<string, ResolvedKey>();
  const defaultKeys: ResolvedKey[] = [];
  const authored = parsed.keys ?? [];
  for (const [index, keySettings] of authored.entries()) {
    const resolved = await resolveKey(keySettings, index, env);
    if (resolved.kid === null) {
      defaultKeys.push(resolved);
    } else if (keysByKid.has(resolved.kid)) {
      throw new ThreadgateError('jwt_config_invalid', `${describeKey(index, resolved.kid)}: kid is used by another key; give every key its own kid.`);
    } else {
      keysByKid.set(resolved.kid, resolved);
    }
  }
  return {
    keysByKid,
    defaultKeys,
    jwksUrl: parsed.jwksUrl ?? null,
    jwksCacheSeconds: parsed.jwksCacheSeconds,
    issuer: asList(parsed.issuer),
    audience: asList(parsed.audience),
    clockToleranceSeconds: parsed.clockToleranceSeconds,
    maxTokenAgeSeconds: parsed.maxTokenAgeSeconds,
    requiredClaims: parsed.requiredClaims,
    typ: parsed.typ ?? null,
    identity: parsed.identity,
    maxTokenBytes: parsed.maxTokenBytes,
  };
}
