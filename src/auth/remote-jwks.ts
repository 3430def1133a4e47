// Key lookup in an admin-configured JWKS URL, with jose's cache and errors mapped to rejection reasons.
import { createRemoteJWKSet, customFetch, errors, type CryptoKey, type FetchImplementation } from 'jose';
import type { JwsAlgorithm } from '../core/jws-algorithms.ts';
import { reject, type TokenRejection } from './token-rejection.ts';

export interface JwksOptions {
  /** A fetch to use instead of the global one (tests count requests with it; proxies can be added). */
  fetchJwks?: FetchImplementation;
  /** How long after a fetch an unknown kid may not trigger another fetch; jose's default is 30 s. */
  jwksCooldownMs?: number;
  /** How long a JWKS request may take; jose's default is 5 s. */
  jwksTimeoutMs?: number;
}

export type JwksLookup = { ok: true; keys: CryptoKey[] } | TokenRejection;
export type JwksSource = (header: { alg: JwsAlgorithm; kid: string | null }) => Promise<JwksLookup>;

/**
 * Creates one cached JWKS per verifier. jose keeps the cache on the wall clock (Date.now), not on the
 * `now` passed to verify: it is a fetch cache, not a security decision.
 */
export function createJwksSource(url: string, cacheSeconds: number, options: JwksOptions = {}): JwksSource {
  const remote = createRemoteJWKSet(new URL(url), {
    cacheMaxAge: cacheSeconds * 1000,
    ...(options.jwksCooldownMs !== undefined ? { cooldownDuration: options.jwksCooldownMs } : {}),
    ...(options.jwksTimeoutMs !== undefined ? { timeoutDuration: options.jwksTimeoutMs } : {}),
    ...(options.fetchJwks ? { [customFetch]: options.fetchJwks } : {}),
  });
  return async ({ alg, kid }) => {
    try {
      // Only alg and kid go to the lookup: embedded jwk/jku/x5u headers must never choose a key.
      const key = await remote(kid === null ? { alg } : { alg, kid });
      return { ok: true, keys: [key] };
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) {
        return reject('kid_unknown', 'No key in the JWKS matches the token kid and alg; publish the key in the JWKS before signing with it.');
      }
      if (err instanceof errors.JWKSMultipleMatchingKeys) {
        const keys: CryptoKey[] = [];
        for await (const key of err) keys.push(key);
        return keys.length > 0 ? { ok: true, keys } : reject('jwks_unavailable');
      }
      // Network failures surface as a plain TypeError ("fetch failed"); it must not read as a key type problem.
      return reject('jwks_unavailable');
    }
  };
}
