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

export function registerAuth(app: FastifyInstance, keyring: ApiKeyring): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const roles = request.routeOptions.config?.roles;
    if (!roles) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,256})$/.exec(header) : null;
    if (!match) throw new HttpError('unauthorized');
    const principal = keyring.check(match[1]!);
    if (!principal) throw new HttpError('unauthorized', 'This API key is not valid; use a key from the keys file (see README).');
    if (!roles.includes(principal.role)) throw new HttpError('forbidden', `This route needs one of the roles ${roles.join(', ')}; the key has the role ${principal.role}.`);
    request.principal = principal;
  });
}
