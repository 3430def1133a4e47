// Verification policy per JWS algorithm: key families and minimum secret lengths (the algorithm list is the core's).
import { JWS_ALGORITHMS, type HmacAlgorithm, type JwsAlgorithm } from '../core/jws-algorithms.ts';

/** Public-key algorithms: the only ones a JWKS (which holds public keys) can serve. */
export const ASYMMETRIC_ALGORITHMS = JWS_ALGORITHMS.filter(
  (alg): alg is Exclude<JwsAlgorithm, HmacAlgorithm> => !alg.startsWith('HS'),
);

/** Key families: a key of one family must never verify a token of another (HS/RS confusion). */
export type KeyFamily = 'hmac' | 'rsa' | 'ec' | 'okp';

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
