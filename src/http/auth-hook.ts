// Bearer API key authentication with roles, declared per route as `config: { roles: [...] }`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './error-catalogue.ts';
import type { ApiKeyring, ApiPrincipal, ApiRole } from './api-keys.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on the route; a route without `roles` is public (health, JWKS, docs). */
    roles?: readonly ApiRole[];
  }
  interface FastifyRequest {
    principal: ApiPrincipal | null;
  }
}

/** The key of an `Authorization: Bearer <key>` header; the scheme is case-insensitive (RFC 9110 11.1). */
export function bearerKey(header: unknown): string | null {
  const match = typeof header === 'string' ? /^bearer +([\x21-\x7e]{1,256})$/i.exec(header) : null;
  return match ? match[1]! : null;
}

/** RFC 6750's challenge: a 401 says which scheme to use, and whether the key sent was refused. */
export const challenge = (refused: boolean) => `Bearer realm="threadgate"${refused ? ', error="invalid_token"' : ''}`;

export function registerAuth(app: FastifyInstance, keyring: ApiKeyring): void {
  app.decorateRequest('principal', null);
  // Answers for a key are the key holder's: no shared cache may keep them (RFC 9111 no-store).
  app.addHook('onSend', async (request, reply) => {
    if (request.routeOptions.config?.roles && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const roles = request.routeOptions.config?.roles;
    if (!roles) return;
    const key = bearerKey(request.headers.authorization);
    if (!key) throw new HttpError('unauthorized');
    const principal = keyring.check(key);
    if (!principal) throw new HttpError('unauthorized', 'This API key is not valid; use a key from the keys file (see README).');
    if (!roles.includes(principal.role)) throw new HttpError('forbidden', `This route needs one of the roles ${roles.join(', ')}; the key has the role ${principal.role}.`);
    request.principal = principal;
  });
}
