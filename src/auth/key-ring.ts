// threadgate's own ES256 signing keys: a JSON-serialisable ring that rotates and publishes a JWKS.
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { z } from 'zod';
import { ThreadgateError, type ErrorIssue } from '../core/errors.ts';
import { KID_PATTERN } from '../core/jws-kid.ts';

/** The longest an issued token lives; the issuer refuses longer ttls. */
export const MAX_IDENTITY_TTL_SECONDS = 3600;
/** Max ttl plus the max verifier clock tolerance, so no token outlives the key that verifies it. */
export const MIN_GRACE_SECONDS = MAX_IDENTITY_TTL_SECONDS + 300;
export const DEFAULT_GRACE_SECONDS = 86_400;

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);

const PublicJwkSchema = z
  .object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: base64url, y: base64url, kid: z.string().optional(), alg: z.literal('ES256').optional(), use: z.literal('sig').optional() })
  .strict();
const PrivateJwkSchema = PublicJwkSchema.extend({ d: base64url }).strict();

export const KeyRingKeySchema = z
  .object({
    kid: z.string().regex(KID_PATTERN),
    alg: z.literal('ES256'),
    /** Epoch seconds. */
    createdAt: z.number().int().min(0),
    /** Epoch seconds after which the key is no longer published; null for the signing key. */
    retireAt: z.number().int().min(0).nullable(),
    privateJwk: PrivateJwkSchema,
    publicJwk: PublicJwkSchema,
  })
  .strict()
  .refine((key) => key.privateJwk.x === key.publicJwk.x && key.privateJwk.y === key.publicJwk.y, {
    message: 'publicJwk is not the public half of privateJwk',
  });

export const KeyRingDataSchema = z
  .object({ keys: z.array(KeyRingKeySchema) })
  .strict()
  .refine((ring) => new Set(ring.keys.map((key) => key.kid)).size === ring.keys.length, { message: 'two keys share a kid' });

export type KeyRingKey = z.infer<typeof KeyRingKeySchema>;
export type KeyRingData = z.infer<typeof KeyRingDataSchema>;
export type PublicEcJwk = z.infer<typeof PublicJwkSchema> & { kid: string; alg: 'ES256'; use: 'sig' };

export interface RotateKeyRingOptions {
  /** How long the previous signing key stays published after rotation; default one day, at least 3900 s. */
  graceSeconds?: number;
}

const epochSeconds = (now: Date): number => Math.floor(now.getTime() / 1000);

/** Validates ring data read from a store; throws `jwt_config_invalid` with field paths. */
export function parseKeyRing(data: unknown): KeyRingData {
  const parsed = KeyRingDataSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues: ErrorIssue[] = parsed.error.issues.map((issue) => ({
    code: 'jwt_config_invalid',
    message: `key ring: ${issue.message}`,
    field: ['ring', ...issue.path.map(String)].join('.'),
  }));
  throw ThreadgateError.fromIssues(issues);
}

const isPublished = (key: KeyRingKey, at: number): boolean => key.retireAt === null || key.retireAt > at;

/** The key that signs: the newest one not scheduled for retirement. */
export function signingKey(data: KeyRingData): KeyRingKey | null {
  const active = data.keys.filter((key) => key.retireAt === null);
  return active.reduce<KeyRingKey | null>((newest, key) => (newest === null || key.createdAt >= newest.createdAt ? key : newest), null);
}

async function generateRingKey(createdAt: number): Promise<KeyRingKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicParts = await exportJWK(publicKey);
  // RFC 7638 thumbprint: stable, unique per key, and already in the kid alphabet.
  const kid = await calculateJwkThumbprint(publicParts, 'sha256');
  const privateParts = await exportJWK(privateKey);
  const tags = { kid, alg: 'ES256', use: 'sig' } as const;
  return {
    kid,
    alg: 'ES256',
    createdAt,
    retireAt: null,
    privateJwk: PrivateJwkSchema.parse({ kty: privateParts.kty, crv: privateParts.crv, x: privateParts.x, y: privateParts.y, d: privateParts.d, ...tags }),
    publicJwk: PublicJwkSchema.parse({ kty: publicParts.kty, crv: publicParts.crv, x: publicParts.x, y: publicParts.y, ...tags }),
  };
}

/**
 * Returns a new ring: a fresh key signs from now, the previous signing keys stay published until
 * now + grace, and keys whose retirement has passed are dropped. The input is not modified.
 */
export async function rotateKeyRing(data: KeyRingData, now: Date, opts: RotateKeyRingOptions = {}): Promise<KeyRingData> {
  const ring = parseKeyRing(data);
  const grace = opts.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  if (!Number.isInteger(grace) || grace < MIN_GRACE_SECONDS) {
    throw new ThreadgateError('jwt_config_invalid', `graceSeconds must be an integer of at least ${MIN_GRACE_SECONDS} (max token ttl plus clock tolerance).`);
  }
  const at = epochSeconds(now);
  const fresh = await generateRingKey(at);
  const kept = ring.keys
    .map((key) => (key.retireAt === null ? { ...key, retireAt: at + grace } : key))
    .filter((key) => isPublished(key, at));
  return { keys: [fresh, ...kept] };
}

/** Drops keys whose retirement has passed, without generating a key (for a periodic clean-up). */
export function pruneKeyRing(data: KeyRingData, now: Date): KeyRingData {
  const at = epochSeconds(now);
  return { keys: parseKeyRing(data).keys.filter((key) => isPublished(key, at)) };
}

/** The JWKS to serve: public members only, picked field by field so a private `d` can never leak. */
export function publicJwks(data: KeyRingData, now: Date): { keys: PublicEcJwk[] } {
  const at = epochSeconds(now);
  return {
    keys: parseKeyRing(data)
      .keys.filter((key) => isPublished(key, at))
      .map(({ kid, publicJwk }) => ({ kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y, kid, alg: 'ES256', use: 'sig' })),
  };
}
