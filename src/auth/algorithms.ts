// The JWS algorithms threadgate accepts and the key family each one needs.

/** Every algorithm a widget may configure; anything else (`none`, `Ed25519`, `ES256K`, ML-DSA) is refused. */
export const JWS_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const satisfies readonly JwsAlgorithm[];
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];

/** Public-key algorithms: the only ones a JWKS (which holds public keys) can serve. */
export const ASYMMETRIC_ALGORITHMS = JWS_ALGORITHMS.filter(
  (alg): alg is Exclude<JwsAlgorithm, HmacAlgorithm> => !alg.startsWith('HS'),
);

/** Key families: a key of one family must never verify a token of another (HS/RS confusion). */
export type KeyFamily = 'hmac' | 'rsa' | 'ec' | 'okp';

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && (JWS_ALGORITHMS as readonly string[]).includes(value);
}

export function isHmacAlgorithm(alg: JwsAlgorithm): alg is HmacAlgorithm {
  return alg.startsWith('HS');
}

export function keyFamily(alg: JwsAlgorithm): KeyFamily {
  if (alg.startsWith('HS')) return 'hmac';
  if (alg.startsWith('RS') || alg.startsWith('PS')) return 'rsa';
  if (alg.startsWith('ES')) return 'ec';
  return 'okp';
}

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. */
export function minimumSecretBytes(alg: HmacAlgorithm): number {
  return { HS256: 32, HS384: 48, HS512: 64 }[alg];
}
