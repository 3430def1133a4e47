// The JWS algorithms a widget may configure: plain data, so the widget schema can validate `jwt.keys[].alg`.

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

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && (JWS_ALGORITHMS as readonly string[]).includes(value);
}

/** HMAC keys are shared secrets, every other algorithm verifies with a public key: the schema asks for a different field. */
export function isHmacAlgorithm(alg: JwsAlgorithm): alg is HmacAlgorithm {
  return alg.startsWith('HS');
}
