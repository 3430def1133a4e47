// Bearer API key authentication with roles, declared per route as `config: { roles: [...] }`; failures limited per address.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyring, ApiPrincipal, ApiRole } from './api-keys.ts';
import type { AuthFailureLimiter } from './auth-failures.ts';
import { bearerChallenge, bearerKey, principalOf } from './bearer.ts';
import { HttpError } from './error-catalogue.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on the route; a route without `roles` is public (health, JWKS, docs). */
    roles?: readonly ApiRole[];
  }
  interface FastifyRequest {
    principal: ApiPrincipal | null;
  }
}

/** What authenticates a request: the keys, and the limit on failures per client address. */
export interface Authenticator {
  keyring: ApiKeyring;
  failures: AuthFailureLimiter;
  /** Counts each refused authentication (metrics): `unauthorized`, or `limited` once the address is over the limit. */
  onFailure?: (outcome: 'unauthorized' | 'limited') => void;
}

/**
 * The error for a request without a valid key, after counting it against its address: 401 with the bearer
 * challenge, or 429 rate_limited with Retry-After once the address failed too often. Never called for a valid key.
 */
export function refuseUnauthenticated(request: FastifyRequest, reply: FastifyReply, auth: Authenticator): HttpError {
  const retryAfter = auth.failures.fail(request.ip, Date.now());
  if (retryAfter !== null) {
    auth.onFailure?.('limited');
    reply.header('retry-after', String(retryAfter));
    return new HttpError('rate_limited', `Too many failed authentications from this address; retry in ${retryAfter} seconds (see Retry-After). Requests with a valid key are not limited by this.`);
  }
  auth.onFailure?.('unauthorized');
  reply.header('www-authenticate', bearerChallenge(request));
  return bearerKey(request.headers.authorization) === null
    ? new HttpError('unauthorized')
    : new HttpError('unauthorized', 'This API key is not valid; use a key from the keys file (see README).');
}

export function registerAuth(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('principal', null);
  // Answers for a key are the key holder's, errors included: no shared cache may keep them (RFC 9111 no-store).
  // Callback hooks, not async ones: these run on every request, and a promise per hook per request shows in profiles.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.routeOptions.config?.roles && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  app.addHook('onRequest', (request, reply, done) => {
    const roles = request.routeOptions.config?.roles;
    if (!roles) return done();
    const principal = principalOf(request, auth.keyring);
    if (!principal) return done(refuseUnauthenticated(request, reply, auth));
    if (!roles.includes(principal.role)) return done(new HttpError('forbidden', `This route needs one of the roles ${roles.join(', ')}; the key has the role ${principal.role}.`));
    request.principal = principal;
    done();
  });
}
