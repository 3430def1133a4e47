// Reading the bearer API key of a request: the scheme case-insensitive (RFC 9110), checked once per request.
import type { FastifyRequest } from 'fastify';
import type { ApiKeyring, ApiPrincipal } from './api-keys.ts';

/** `Bearer <key>`: the scheme in any case, one or more spaces, a key of visible ASCII (keys are 32-200 characters). */
const BEARER = /^bearer +([\x21-\x7e]{1,256})$/i;

/** The key a header carries, or null when it carries no bearer key of a possible shape. */
export function bearerKey(header: unknown): string | null {
  return typeof header === 'string' ? (BEARER.exec(header)?.[1] ?? null) : null;
}

/** The rate limiter and the auth hook both ask; the digest and the constant-time comparison run once. */
const checked = new WeakMap<FastifyRequest, ApiPrincipal | null>();

/** The principal of the request's key, or null for no key or a key the keyring does not know. */
export function principalOf(request: FastifyRequest, keyring: ApiKeyring): ApiPrincipal | null {
  if (checked.has(request)) return checked.get(request)!;
  const key = bearerKey(request.headers.authorization);
  const principal = key === null ? null : keyring.check(key);
  checked.set(request, principal);
  return principal;
}

/** RFC 6750's challenge: a 401 names the scheme, and says when a key was sent but is not valid. */
export function bearerChallenge(request: FastifyRequest): string {
  return request.headers.authorization ? 'Bearer realm="threadgate", error="invalid_token"' : 'Bearer realm="threadgate"';
}
